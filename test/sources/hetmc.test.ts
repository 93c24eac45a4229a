import { describe, expect, it } from '@jest/globals';
import { importHetmc } from '../../src/sources/hetmc.js';
import { sharedData } from '../support/services.js';
import { fixture, importFile, importText, tally, turnsOf } from './helpers.js';

const file = fixture('hetmc', 'sample.dialog');

describe('HET-MC importer on the fixture', () => {
  it('reads each block as a dialogue with P/D turns, department and disease, skipping SUM lines', async () => {
    const { items, rejects } = await importFile(importHetmc, file);
    expect(rejects).toEqual([]);
    expect(items).toHaveLength(5);
    expect(items[0]).toEqual({
      kind: 'dialogue',
      dialogue: {
        id: 'f6f814a1cad11ef465b67d41',
        origin: { format: 'hetmc', file, sourceId: '50001', position: 1 },
        turns: [
          { speaker: 'P', text: '孩子手心和脚底长了小红疹，嘴里也有溃疡，会是手足口病吗？（女，2岁）' },
          { speaker: 'D', text: '您好，请问孩子发烧吗？疹子有没有水疱？' },
          { speaker: 'P', text: '昨天烧到38度，今天退了，疹子有一点小水疱' },
          { speaker: 'D', text: '从描述看符合手足口病的表现，注意隔离，勤洗手' },
          { speaker: 'D', text: '如果出现精神差、呕吐、肢体抖动要及时就医' },
          { speaker: 'P', text: '好的，谢谢医生' },
        ],
        department: '儿科',
        disease: '手足口病',
      },
    });
  });

  it('keeps source ids, positions and a doctor-first opening, and tolerates several blank lines between blocks', async () => {
    const { dialogues } = await importFile(importHetmc, file);
    expect(dialogues.map((d) => [d.origin.sourceId, d.origin.position, d.department, d.disease, d.turns.length])).toEqual([
      ['50001', 1, '儿科', '手足口病', 6],
      ['50002', 2, '皮肤科', '湿疹', 4],
      ['50003', 3, '消化内科', '胃食管反流病', 6],
      ['50004', 4, '妇产科', '妊娠呕吐', 5],
      ['50005', 5, '骨科', '腰椎间盘突出', 4],
    ]);
    expect(dialogues[3].turns[0]).toEqual({ speaker: 'D', text: '您好，我是产科医生，请详细说说您的情况' });
    expect(dialogues.map((d) => d.id)).toEqual([
      'f6f814a1cad11ef465b67d41',
      'a77a9d9e26feecb842654af8',
      '018634b69182c5470a235fc8',
      'cca8a3ab6df8ce7fa8cb2908',
      '755a3d1077f6e1c170408946',
    ]);
  });

  it('reads CRLF line endings the same as LF', async () => {
    const text = 'id\t1\tdepartment\t内科\tdisease\t感冒\r\nP\t流鼻涕两天\t1\r\nD\t多喝水，注意休息\t2\r\nSUM1\t流鼻涕两天\r\nSUM2.0\t多喝水\r\n\r\n';
    const { dialogues } = await importText(importHetmc, text, 'crlf.dialog');
    expect(dialogues).toHaveLength(1);
    expect(turnsOf(dialogues[0])).toEqual([
      ['P', '流鼻涕两天'],
      ['D', '多喝水，注意休息'],
    ]);
    expect(dialogues[0].department).toBe('内科');
  });

  it('takes the label before trailing tabs and spaces as the label, not as text (a TSV saved from a spreadsheet), beside a line without a label', async () => {
    const text = 'id\t1\tdepartment\t内科\tdisease\t感冒\nP\t流鼻涕两天\t1\t\nD\t多喝水，注意休息\t2 \t \nP\t要吃药吗\t0\t\t\r\nD\t暂时不用\nSUM1\t流鼻涕两天\n\n';
    const { dialogues, rejects } = await importText(importHetmc, text, 'trailing-tab.dialog');
    expect(rejects).toEqual([]);
    expect(turnsOf(dialogues[0]!)).toEqual([
      ['P', '流鼻涕两天'],
      ['D', '多喝水，注意休息'],
      ['P', '要吃药吗'],
      ['D', '暂时不用'],
    ]);
  });

  it('reads tags written in lower case (p, d, sum1) as P, D and SUM lines', async () => {
    const text = 'id\t1\tdepartment\t内科\tdisease\t感冒\np\t流鼻涕两天\t1\nd\t多喝水，注意休息\t2\nsum1\t流鼻涕两天\nsum2.0\t多喝水\n\nid\t2\tdepartment\t内科\tdisease\t胃痛\nP\t胃痛\t1\nD\t少食多餐\t2\nSUM1\t胃痛\n\n';
    const { dialogues, rejects } = await importText(importHetmc, text, 'lower.dialog');
    expect(rejects).toEqual([]);
    expect(dialogues.map((d) => turnsOf(d))).toEqual([
      [
        ['P', '流鼻涕两天'],
        ['D', '多喝水，注意休息'],
      ],
      [
        ['P', '胃痛'],
        ['D', '少食多餐'],
      ],
    ]);
  });

  it('rejects a block without an id header or with an unknown line as import.parse_error and goes on', async () => {
    const text = [
      'P\t没有头的块\t0\nD\t回答\t0\nSUM1\tx\n',
      'id\t2\tdepartment\t内科\tdisease\t咳嗽\nP\t咳嗽\t1\nX\t这行不认识\nSUM1\t咳嗽\n',
      'id\t3\tdepartment\t内科\tdisease\t发热\nP\t发烧三十八度\t1\nD\t先物理降温\t2\nSUM1\t发烧\n',
    ].join('\n');
    const { items } = await importText(importHetmc, text, 'bad.dialog');
    expect(items.map((i) => (i.kind === 'reject' ? `${i.reject.reason} ${i.reject.origin.sourceId}` : `dialogue ${i.dialogue.origin.sourceId}`))).toEqual([
      'import.parse_error block-1',
      'import.parse_error 2',
      'dialogue 3',
    ]);
  });

  it('starts a new block at an id header even when the blank line before it is missing', async () => {
    const text = 'id\t1\tdepartment\t内科\tdisease\t感冒\nP\t流鼻涕\t1\nSUM1\t流鼻涕\nid\t2\tdepartment\t内科\tdisease\t胃痛\nP\t胃痛\t1\nSUM1\t胃痛\n';
    const { dialogues, rejects } = await importText(importHetmc, text, 'joined.dialog');
    expect(rejects).toEqual([]);
    expect(dialogues.map((d) => [d.origin.sourceId, d.origin.position, d.turns.length])).toEqual([
      ['1', 1, 1],
      ['2', 2, 1],
    ]);
  });

  it('rejects a last block cut before its SUM lines as import.truncated', async () => {
    const text = 'id\t1\tdepartment\t内科\tdisease\t感冒\nP\t流鼻涕\t1\nD\t多喝水\t2\nSUM1\t流鼻涕\n\nid\t2\tdepartment\t内科\tdisease\t胃痛\nP\t胃痛\t1\n';
    const { items } = await importText(importHetmc, text, 'cut.dialog');
    expect(items.map((i) => (i.kind === 'reject' ? `${i.reject.reason} ${i.reject.origin.sourceId}` : `dialogue ${i.dialogue.origin.sourceId}`))).toEqual([
      'dialogue 1',
      'import.truncated 2',
    ]);
  });
});

describe('HET-MC importer on the real chunyu file', () => {
  it('reads 360 dialogues with 6,610 utterances (P 3,450 / D 3,160) and no rejects', async () => {
    const { dialogues, rejects } = await importFile(importHetmc, sharedData('dialogues', 'hetmc_chunyu', 'train.dialog'));
    expect(rejects).toEqual([]);
    expect(dialogues).toHaveLength(360);
    expect(tally(dialogues.flatMap((d) => d.turns.map((t) => t.speaker)))).toEqual(new Map([['P', 3450], ['D', 3160]]));
    expect(dialogues.every((d) => d.department && d.disease && /^\d+$/.test(d.origin.sourceId))).toBe(true);
    expect(dialogues[0]).toMatchObject({ origin: { sourceId: '37283', position: 1 }, department: '眼科', disease: '虹膜炎' });
    expect(dialogues.some((d) => d.turns.some((t) => t.speaker.startsWith('SUM')))).toBe(false);
  });
});
