/**
 * Toyhom CSVs re-saved by a spreadsheet or a script that wrote a separator after each row's last
 * cell (內科,标题,问,答, ⏎) or a header with empty trailing names (department,title,ask,answer,,):
 * empty cells beyond the header's named columns hold nothing, so such a row is read as the row
 * without them, as csv.DictReader and a spreadsheet show it. A row whose extra cell holds text, or
 * that lacks a column the header names, is still a row of the wrong width. All text here is
 * written for these tests.
 */
import { describe, expect, it } from '@jest/globals';
import { importToyhom } from '../../src/sources/toyhom.js';
import { importText, turnsOf } from './helpers.js';

const kinds = (items: Awaited<ReturnType<typeof importText>>['items']) => items.map((i) => (i.kind === 'reject' ? i.reject.reason : 'dialogue'));

describe('Toyhom: empty trailing cells', () => {
  it('reads rows with empty cells after the last header column as the rows without them', async () => {
    const text = 'department,title,ask,answer\r\n男科,前列腺炎,尿频尿急是前列腺炎吗？,建议查前列腺液常规，避免久坐。,\r\n儿科,咳嗽,"孩子咳嗽, 有痰",可以拍背排痰，多喝温水。, ,\r\n';
    const { items, dialogues } = await importText(importToyhom, text, 'trail.csv');
    // Before: two import.parse_error rejects (5 and 6 fields, the header has 4).
    expect(kinds(items)).toEqual(['dialogue', 'dialogue']);
    expect(dialogues.map((d) => [d.origin.sourceId, d.department, d.title])).toEqual([
      ['row-1', '男科', '前列腺炎'],
      ['row-2', '儿科', '咳嗽'],
    ]);
    expect(turnsOf(dialogues[1])).toEqual([
      ['patient', '孩子咳嗽, 有痰'],
      ['doctor', '可以拍背排痰，多喝温水。'],
    ]);
  });

  it('reads rows that stop before the unnamed trailing columns of their header', async () => {
    const text = 'department,title,ask,answer,,\n外科,腰疼,久坐后腰疼怎么办？,注意休息，睡硬板床。\n外科,腰疼,久坐后腰疼怎么办？,注意休息，睡硬板床。,,\n';
    const { items } = await importText(importToyhom, text, 'head-trail.csv');
    // Before: the first row was an import.parse_error (4 fields, the header has 6).
    expect(kinds(items)).toEqual(['dialogue', 'dialogue']);
  });

  it('takes such a header repeated further down (files catenated) for a header, not a dialogue', async () => {
    const text = 'department,title,ask,answer\n外科,腰疼,久坐后腰疼怎么办？,注意休息，睡硬板床。\ndepartment,title,ask,answer,,\n肿瘤科,肺结节,体检发现肺结节怎么办？,三个月后复查胸部CT。,,\n';
    const { items, dialogues } = await importText(importToyhom, text, 'cat.csv');
    // Before: the second header was a row of the wrong width (an import.parse_error counted as a dialogue), and the row after it another.
    expect(kinds(items)).toEqual(['dialogue', 'dialogue']);
    expect(dialogues.map((d) => [d.origin.sourceId, d.department])).toEqual([
      ['row-1', '外科'],
      ['row-2', '肿瘤科'],
    ]);
  });

  it('still rejects a row whose extra cell holds text, or that lacks a named column', async () => {
    const text = 'department,title,ask,answer\n妇产科,痛经,经期腹痛怎么办？,热敷小腹，必要时服止痛药。,多出来的一段话\n妇产科,痛经,经期腹痛怎么办？\n';
    const { items } = await importText(importToyhom, text, 'bad.csv');
    expect(kinds(items)).toEqual(['import.parse_error', 'import.parse_error']);
  });
});
