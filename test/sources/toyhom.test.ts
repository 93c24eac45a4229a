import { readFileSync } from 'node:fs';
import { describe, expect, it } from '@jest/globals';
import iconv from 'iconv-lite';
import { importToyhom } from '../../src/sources/toyhom.js';
import { sharedData } from '../support/services.js';
import { fixture, importFile, importText, tally } from './helpers.js';

const file = fixture('toyhom', 'sample.csv');

describe('Toyhom importer on the GB18030 fixture', () => {
  it('is really GB18030 on disk (not UTF-8)', () => {
    const bytes = readFileSync(file);
    expect(() => new TextDecoder('utf-8', { fatal: true }).decode(bytes)).toThrow();
    expect(iconv.decode(bytes, 'gb18030').split('\n')[1].startsWith('心血管科,')).toBe(true);
  });

  it('reads each row as a single-turn dialogue with department and title, decoded from GB18030', async () => {
    const { items, rejects } = await importFile(importToyhom, file);
    expect(rejects).toEqual([]);
    expect(items).toHaveLength(8);
    expect(items[0]).toEqual({
      kind: 'dialogue',
      dialogue: {
        id: '63e902687d13586afa3c18c8',
        origin: { format: 'toyhom', file, sourceId: 'row-1', position: 1 },
        turns: [
          { speaker: 'patient', text: '我今年六十岁，有高血压三年了，平时喜欢喝浓茶，会影响血压吗？' },
          { speaker: 'doctor', text: '高血压患者可以适量喝淡茶，不建议喝浓茶，浓茶里的咖啡因会让心跳加快、血压升高。' },
        ],
        department: '心血管科',
        title: '高血压能喝茶吗？',
        singleTurn: true,
      },
    });
  });

  it('reads quoted fields holding a comma, a newline and doubled quotes, and an emoji (four GB18030 bytes)', async () => {
    const { dialogues } = await importFile(importToyhom, file);
    expect(dialogues[1].turns[0].text).toBe('体检发现转氨酶偏高,平时\n不喝酒，也没有吃什么药。');
    expect(dialogues[3].turns[1].text).toBe('偏头痛目前难以根治，但可以预防。医生常说的"头痛日记"很有用，记录诱因并避开它们。');
    expect(dialogues[5].turns[0].text).toBe('我是乙肝病毒携带者，肝功能正常，可以正常上班吗？谢谢😊');
  });

  it('lets the title stand in for an empty ask', async () => {
    const { dialogues } = await importFile(importToyhom, file);
    expect(dialogues[2]).toMatchObject({ origin: { sourceId: 'row-3' }, title: '饭后总是打嗝是什么原因？', turns: [{ speaker: 'patient', text: '饭后总是打嗝是什么原因？' }, { speaker: 'doctor' }] });
  });

  it('lets the title stand in for an ask that is a placeholder (无, 暂无, 无。), not for a real short ask', async () => {
    const rows = ['消化科,胃胀吃什么药好,无,胃胀可以先吃点促进胃动力的药，饭后散步，少吃产气的食物。', '肝病科,脂肪肝怎么调理,暂无,脂肪肝要控制体重，少吃油腻，戒酒，每周运动三次以上。', '消化科,便秘怎么办,无。,多吃蔬菜水果，多喝水，养成定时排便的习惯。', '消化科,反酸,胃疼,胃疼伴反酸可能是胃炎，建议做个胃镜看看。'];
    const { dialogues } = await importText(importToyhom, `department,title,ask,answer\n${rows.join('\n')}\n`, 't.csv');
    expect(dialogues.map((d) => d.turns[0].text)).toEqual(['胃胀吃什么药好', '脂肪肝怎么调理', '便秘怎么办', '胃疼']);
  });

  it('gives the same result with encoding gb18030 named explicitly as with auto', async () => {
    const auto = await importFile(importToyhom, file);
    const named = await importFile(importToyhom, file, { encoding: 'gb18030' });
    expect(named.items).toEqual(auto.items);
  });

  it('rejects a header that is not department,title,ask,answer as import.schema', async () => {
    const { items } = await importText(importToyhom, 'a,b,c\n1,2,3\n', 'x.csv');
    expect(items).toHaveLength(1);
    expect(items[0]).toMatchObject({ kind: 'reject', reject: { reason: 'import.schema', input: 'a,b,c' } });
  });
});

describe('Toyhom importer on the real GB18030 CSV', () => {
  const real = sharedData('dialogues', 'toyhom_cmd', '样例_内科5000-6000.csv');

  it('has the header department,title,ask,answer once decoded as GB18030', () => {
    const head = iconv.decode(readFileSync(real).subarray(0, 200), 'gb18030');
    expect(head.split('\n')[0]).toBe('department,title,ask,answer');
  });

  it('reads 7,644 rows with correct Chinese department names', async () => {
    const { dialogues, rejects } = await importFile(importToyhom, real);
    expect(rejects).toEqual([]);
    expect(dialogues).toHaveLength(7644);
    const departments = tally(dialogues.map((d) => d.department));
    expect(departments.get('肝病科')).toBe(3121);
    expect(departments.get('消化科')).toBe(1414);
    expect(departments.get('神经科')).toBe(1104);
    expect(departments.get('心血管科')).toBe(1080);
    expect([...departments.values()].reduce((a, b) => a + b, 0)).toBe(7644);
    expect(dialogues[0]).toMatchObject({ department: '心血管科', origin: { sourceId: 'row-1', position: 1 } });
    expect(dialogues[7643].origin.sourceId).toBe('row-7644');
    expect(dialogues.every((d) => d.turns[0].text && d.turns[1].text)).toBe(true);
  });

  it('decodes the same with gbk named explicitly (the file only uses GBK characters)', async () => {
    const auto = await importFile(importToyhom, real);
    const gbk = await importFile(importToyhom, real, { encoding: 'gbk' });
    expect(gbk.dialogues.map((d) => d.id)).toEqual(auto.dialogues.map((d) => d.id));
  });
});
