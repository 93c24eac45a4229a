/**
 * Files catenated when the first lost its last line break (cat a b): the next block's first line
 * is glued to the last line of the one before (session-18 hunt, helper-51: two HET-MC
 * consultations merged into one record under the first one's department, and a MedDialog
 * answer that ended in "id=2" with the next consultation read as a follow-up visit). The texts
 * are written for this test.
 */
import { describe, expect, it } from '@jest/globals';
import { importHetmc } from '../../src/sources/hetmc.js';
import { importMedDialog } from '../../src/sources/meddialog.js';
import { importText, turnsOf } from './helpers.js';

describe('a block glued to the end of the previous one', () => {
  it('HET-MC: a header glued to the last SUM line starts the next dialogue', async () => {
    const a = ['id\t1\tdepartment\t内科\tdisease\t头痛', 'P\t我头痛三天了，需要做什么检查吗\t0', 'D\t建议先测量血压\t0', 'SUM1\t头痛', 'SUM2.0\t测血压'].join('\n');
    const b = ['id\t2\tdepartment\t儿科\tdisease\t咳嗽', 'P\t孩子咳嗽一周了，要吃什么药\t0', 'D\t先做个血常规再用药\t0', 'SUM1\t咳嗽', 'SUM2.0\t血常规', ''].join('\n');
    for (const chunk of [1 << 16, 7]) {
      const { dialogues, rejects } = await importText(importHetmc, a + b, 'ab.dialog', chunk);
      expect(rejects).toEqual([]);
      expect(dialogues.map((d) => [d.origin.sourceId, d.department])).toEqual([['1', '内科'], ['2', '儿科']]);
      expect(turnsOf(dialogues[1])).toEqual([['P', '孩子咳嗽一周了，要吃什么药'], ['D', '先做个血常规再用药']]);
    }
    // a turn that says id and department in words is no header
    const words = ['id\t1\tdepartment\t内科\tdisease\t头痛', 'P\t我的id 3 department 是什么\t0', 'D\t这个不清楚\t0', ''].join('\n');
    const w = await importText(importHetmc, words, 'w.dialog');
    expect(w.rejects).toEqual([]);
    expect(w.dialogues.map(turnsOf)).toEqual([[['P', '我的id 3 department 是什么'], ['D', '这个不清楚']]]);
    // glued after a digit or a trailing tab too
    const digit = await importText(importHetmc, a.replace('测血压', 'CT 2') + '\t' + b, 'ab2.dialog');
    expect(digit.dialogues.map((d) => d.origin.sourceId)).toEqual(['1', '2']);
  });

  it('MedDialog: "id=N" glued to the last line, a URL on the next, starts the next consultation', async () => {
    const a = ['id=1', 'https://www.haodf.com/a', '', 'Description', '疾病：头痛', '', 'Dialogue', '病人：', '我头痛三天了，需要做什么检查吗', '医生：', '建议先测量血压，注意休息'].join('\n');
    const b = ['id=2', 'https://www.haodf.com/b', '', 'Description', '疾病：咳嗽', '', 'Dialogue', '病人：', '孩子咳嗽一周了，要吃什么药', '医生：', '先做个血常规再用药', '', ''].join('\n');
    for (const chunk of [1 << 16, 7]) {
      const { dialogues, rejects } = await importText(importMedDialog, a + b, 'ab.txt', chunk);
      expect(rejects).toEqual([]);
      expect(dialogues.map((d) => [d.origin.sourceId, d.disease])).toEqual([['1', '头痛'], ['2', '咳嗽']]);
      expect(turnsOf(dialogues[0]).at(-1)).toEqual(['医生', '建议先测量血压，注意休息']);
    }
    // after a number too (血压130/80id=2)
    const num = await importText(importMedDialog, a.replace('注意休息', '血压130/80') + b, 'ab3.txt');
    expect(num.dialogues.map((d) => d.origin.sourceId)).toEqual(['1', '2']);
    // "id=2" at a line's end with no URL after it is text
    const text = ['id=1', 'https://www.haodf.com/a', '', 'Description', '疾病：头痛', '', 'Dialogue', '病人：', '我的账号是id=2', '医生：', '请不要发账号', '', ''].join('\n');
    const { dialogues } = await importText(importMedDialog, text, 't.txt');
    expect(turnsOf(dialogues[0])).toEqual([['病人', '我的账号是id=2'], ['医生', '请不要发账号']]);
    // two such lines in a row: the first stays text, the second (a URL after it) starts the next block
    const two = await importText(importMedDialog, a.replace('注意休息', '注意休息id=8\n下次复诊') + b, 'ab4.txt');
    expect(two.dialogues.map((d) => d.origin.sourceId)).toEqual(['1', '2']);
    expect(turnsOf(two.dialogues[0]).at(-1)).toEqual(['医生', '建议先测量血压，注意休息id=8\n下次复诊']);
  });
});
