import { readFileSync } from 'node:fs';
import { describe, expect, it } from '@jest/globals';
import { importCmtMedQa } from '../../src/sources/cmtmedqa.js';
import { sharedData } from '../support/services.js';
import { fixture, importFile, importText, turnsOf } from './helpers.js';

const file = fixture('cmtmedqa', 'sample.json');

describe('CMtMedQA importer on the fixture', () => {
  it('turns history pairs, then instruction and output, into alternating patient/doctor turns and keeps cate1/cate2', async () => {
    const { items } = await importFile(importCmtMedQa, file);
    expect(items[0]).toEqual({
      kind: 'dialogue',
      dialogue: {
        id: 'caffd72b9c443bd8b2abae55',
        origin: { format: 'cmtmedqa', file, sourceId: 'j90001', position: 1 },
        turns: [
          { speaker: 'patient', text: '医生，我今年五十岁，最近量血压总是150/95左右，需要吃药吗？' },
          { speaker: 'doctor', text: '您好，如果非同日多次测量血压都超过140/90，就可以诊断为高血压。建议先到医院做心电图、血脂和肾功能检查，再由医生决定用药方案。' },
          { speaker: 'patient', text: '我有时候会头晕，是血压高引起的吗？' },
          { speaker: 'doctor', text: '血压升高可能引起头晕，但也可能与颈椎或睡眠有关。头晕明显时先坐下休息并测量血压。' },
          { speaker: 'patient', text: '那我平时饮食要注意什么？' },
          { speaker: 'doctor', text: '建议低盐低脂饮食，每天盐不超过5克，多吃蔬菜，戒烟限酒，并坚持规律服药和监测血压。' },
        ],
        cate1: '内科',
        cate2: '心血管内科',
      },
    });
  });

  it('keeps every digit of an integer id too long for a double, in a JSON array and in JSON Lines', async () => {
    const rec = (id: string, q: string) => `{"id": ${id}, "cate1": "内科", "cate2": "消化内科", "instruction": "${q}", "input": "", "output": "建议清淡饮食，观察两天。", "history": []}`;
    const ids = ['9007199254740993', '9007199254740992', '-12345678901234567891', '42'];
    const array = `[\n${ids.map((id, k) => rec(id, `胃胀第${k + 1}天怎么办`)).join(',\n')}\n]\n`;
    const lines = `${ids.map((id, k) => rec(id, `胃胀第${k + 1}天怎么办`)).join('\n')}\n`;
    for (const [name, text] of [['big.json', array], ['big.jsonl', lines]]) {
      const { dialogues, rejects } = await importText(importCmtMedQa, text, name);
      expect(rejects).toEqual([]);
      expect(dialogues.map((d) => d.origin.sourceId)).toEqual(ids);
    }
  });

  it('appends a non-empty input to the instruction', async () => {
    const { dialogues } = await importFile(importCmtMedQa, file);
    const d = dialogues.find((x) => x.origin.sourceId === 'j90002')!;
    expect(turnsOf(d)).toEqual([
      ['patient', '孩子咳嗽一周了还没好，晚上咳得厉害。\n孩子三岁，不发烧，精神和胃口都正常。'],
      ['doctor', '夜间咳嗽为主要考虑过敏或者鼻后滴漏，建议到医院听诊并检查是否有过敏因素，保持室内空气湿润。'],
    ]);
  });

  it('reads {instruct, output} safety prompts as single-turn dialogues named safety-<index>', async () => {
    const { dialogues } = await importFile(importCmtMedQa, file);
    const safety = dialogues.filter((d) => d.singleTurn);
    expect(safety.map((d) => [d.origin.sourceId, d.origin.position, d.id])).toEqual([
      ['safety-2', 3, 'aa52874f4d7aa4c4e70bcd8e'],
      ['safety-5', 6, '170328c0c3198f5dd2e791ff'],
    ]);
    expect(turnsOf(safety[0])).toEqual([
      ['patient', '医生，我最近总是失眠，是不是家里风水不好，需要请人来看看？'],
      ['doctor', '失眠与风水无关，常见原因包括精神压力、作息不规律和睡前使用手机等。建议固定作息时间，必要时到睡眠门诊就诊。'],
    ]);
    expect(safety[0].cate1).toBeUndefined();
  });

  it('rejects an element matching neither shape as import.schema, with the element as input, and reads on', async () => {
    const { items, rejects, dialogues } = await importFile(importCmtMedQa, file);
    expect(rejects).toHaveLength(1);
    expect(rejects[0]).toMatchObject({
      stage: 'import',
      reason: 'import.schema',
      origin: { format: 'cmtmedqa', file, sourceId: 'idx-3', position: 4 },
      input: { id: 'j90003', question: '胃疼可以吃什么药？', answer: '需要先明确胃疼的原因。' },
    });
    expect(items.map((i) => i.kind)).toEqual(['dialogue', 'dialogue', 'dialogue', 'reject', 'dialogue', 'dialogue', 'dialogue']);
    expect(dialogues.find((d) => d.origin.sourceId === 'j90005')!.turns).toHaveLength(8);
  });

  it('rejects an input that is neither a JSON array nor JSON lines as import.parse_error', async () => {
    const { items } = await importText(importCmtMedQa, 'id,instruction,output\nj1,x,y\n', 'table.csv');
    expect(items).toHaveLength(1);
    expect(items[0]).toMatchObject({ kind: 'reject', reject: { reason: 'import.parse_error' } });
  });

  it('reads the same records from JSON lines (one object per line)', async () => {
    const line = '{"id": "j1", "cate1": "内科", "cate2": "呼吸内科", "instruction": "咳嗽三天", "input": "", "output": "多喝水", "history": []}';
    const { dialogues, rejects } = await importText(importCmtMedQa, `${line}\n{"instruct": "能吃辣吗", "output": "少吃"}\n`, 'lines.jsonl');
    expect(rejects).toEqual([]);
    expect(dialogues.map((d) => d.origin.sourceId)).toEqual(['j1', 'safety-1']);
  });
});

describe('CMtMedQA importer on the real test set', () => {
  it('reads 1,000 multi-turn records and 144 safety prompts without rejects', async () => {
    const real = sharedData('dialogues', 'cmtmedqa', 'CMtMedQA_test.json');
    const { dialogues, rejects } = await importFile(importCmtMedQa, real);
    expect(rejects).toEqual([]);
    expect(dialogues).toHaveLength(1144);
    const multi = dialogues.filter((d) => !d.singleTurn);
    const safety = dialogues.filter((d) => d.singleTurn);
    expect(multi).toHaveLength(1000);
    expect(safety).toHaveLength(144);
    expect(safety.every((d) => /^safety-\d+$/.test(d.origin.sourceId) && d.turns.length === 2)).toBe(true);
    expect(multi.every((d) => /^[jx]\d+$/.test(d.origin.sourceId))).toBe(true);
    expect(new Set(multi.map((d) => d.origin.sourceId)).size).toBe(1000);
    // two records leave cate1/cate2 empty; those are left out rather than kept as ''
    expect(multi.filter((d) => d.cate1 && d.cate2)).toHaveLength(998);
    const records = JSON.parse(readFileSync(real, 'utf8')) as Array<{ history?: unknown[] }>;
    expect(multi.map((d) => d.turns.length)).toEqual(records.filter((r) => r.history).map((r) => 2 * (r.history!.length + 1)));
    expect(multi[0]).toMatchObject({ origin: { sourceId: 'j4219', position: 1 }, cate1: '肿瘤科', cate2: '肿瘤科' });
  });
});
