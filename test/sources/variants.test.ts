/**
 * Realistic variants of the six dump layouts (re-exports, other tools, other platforms): each is
 * read record by record like the published layout, and a damaged record costs only itself.
 * All fixture text here is written for these tests.
 */
import { describe, expect, it } from '@jest/globals';
import iconv from 'iconv-lite';
import { importCmtMedQa } from '../../src/sources/cmtmedqa.js';
import { importHetmc } from '../../src/sources/hetmc.js';
import { importHuatuo } from '../../src/sources/huatuo.js';
import { importMedDialog } from '../../src/sources/meddialog.js';
import { importMie } from '../../src/sources/mie.js';
import { importToyhom } from '../../src/sources/toyhom.js';
import { collect, importText, turnsOf } from './helpers.js';

const kinds = (items: Awaited<ReturnType<typeof collect>>['items']) => items.map((i) => (i.kind === 'reject' ? i.reject.reason : 'dialogue'));

function cmtLine(id: string, q: string, a: string): string {
  return JSON.stringify({ id, cate1: '内科', cate2: '消化内科', instruction: q, input: '', output: a, history: [] });
}

describe('JSON Lines and one-element-per-line arrays with a line cut short', () => {
  const good = [cmtLine('r1', '胃疼两天了怎么办', '先禁食辛辣'), cmtLine('r3', '腹泻一天', '注意补液'), cmtLine('r4', '便秘一周', '多吃蔬菜')];
  const cut = cmtLine('r2', '胃胀吃什么药', '饭后散步').slice(0, 40);

  it('rejects only the cut line of a JSON Lines file (cut inside a string) and reads the lines after it, in any chunking', async () => {
    const text = [good[0], cut, good[1], good[2]].join('\n') + '\n';
    for (const chunk of [1 << 16, 7]) {
      const { items, dialogues, rejects } = await importText(importCmtMedQa, text, 'cut.jsonl', chunk);
      expect(kinds(items)).toEqual(['dialogue', 'import.parse_error', 'dialogue', 'dialogue']);
      expect(dialogues.map((d) => d.origin.sourceId)).toEqual(['r1', 'r3', 'r4']);
      expect(rejects[0].input).toBe(cut);
      expect(rejects[0].origin.position).toBe(2);
    }
  });

  it('rejects a cut first line alone', async () => {
    const { items } = await importText(importCmtMedQa, [cut, good[0]].join('\r\n') + '\r\n', 'cut1.jsonl');
    expect(kinds(items)).toEqual(['import.parse_error', 'dialogue']);
  });

  it('rejects only the cut line when the cut falls between two fields', async () => {
    const between = cmtLine('r2', '胃胀吃什么药', '饭后散步').replace(/"output".*$/, '');
    const text = [good[0], between, good[1], good[2]].join('\n') + '\n';
    const { items } = await importText(importCmtMedQa, text, 'cut2.jsonl');
    expect(kinds(items)).toEqual(['dialogue', 'import.parse_error', 'dialogue', 'dialogue']);
  });

  it('rejects only the cut element of an array written one element per line', async () => {
    const text = `[\n${good[0]},\n${cut}\n${good[1]},\n${good[2]}\n]\n`;
    const { items, dialogues } = await importText(importCmtMedQa, text, 'cut.json');
    expect(kinds(items)).toEqual(['dialogue', 'import.parse_error', 'dialogue', 'dialogue']);
    expect(dialogues.map((d) => d.origin.sourceId)).toEqual(['r1', 'r3', 'r4']);
  });

  it('rejects only the cut dialogue of MIE JSON Lines (one dialogue array per line)', async () => {
    const dialogue = (a: string) => JSON.stringify([{ utterances: ['', '', '', '', `患者:${a}`], label: [] }, { utterances: ['', '', '', `患者:${a}`, '医生:多久了'], label: [] }]);
    const text = [dialogue('心慌'), dialogue('胸闷').slice(0, 50), dialogue('头晕')].join('\n') + '\n';
    const { items } = await importText(importMie, text, 'cut.jsonl', 5);
    expect(kinds(items)).toEqual(['dialogue', 'import.parse_error', 'dialogue']);
  });

  it('still reads valid JSON whose nested values start lines at the element\'s own column', async () => {
    // After ':' a value follows, after an array's ',' or '[' an element: such a line is not a cut.
    const afterColon = '{"id": "v1", "instruction": "头晕", "output": "量血压", "meta":\n{"x": 1}}\n{"id": "v2", "instruction": "心慌", "output": "查心电图"}\n';
    const a = await importText(importCmtMedQa, afterColon, 'colon.jsonl');
    expect(kinds(a.items)).toEqual(['dialogue', 'dialogue']); // no phantom element, no reject
    expect(a.dialogues.map((d) => d.origin.sourceId)).toEqual(['v1', 'v2']);
    const history = '{"id": "v3", "instruction": "头晕", "output": "量血压", "history": [\n["心慌", "多久了"],\n["三天", "先休息"]]}\n';
    const h = await importText(importCmtMedQa, history, 'history.jsonl');
    expect(kinds(h.items)).toEqual(['dialogue']);
    const w = (u: string) => ({ utterances: ['', `患者:${u}`], label: [] });
    const mie = `[\n [${JSON.stringify(w('头晕'))}],\n [${JSON.stringify(w('心慌'))},\n ${JSON.stringify({ utterances: [`患者:心慌`, '医生:多久了'], label: [] })}],\n [${JSON.stringify(w('胸闷'))}]\n]\n`;
    const m = await importText(importMie, mie, 'mie.json');
    expect(kinds(m.items)).toEqual(['dialogue', 'dialogue', 'dialogue']);
    const pretty = JSON.stringify([{ id: 'p1', instruction: '头晕', output: '量血压', history: [['心慌', '多久了']] }], null, 2) + '\n';
    expect(kinds((await importText(importCmtMedQa, pretty, 'pretty.json')).items)).toEqual(['dialogue']);
  });

  it('recovers from a cut first line also behind a byte-order mark, and in MIE one-dialogue-per-line arrays', async () => {
    const bom = `\ufeff${cut}\n${good[0]}\n${good[1]}\n`;
    expect(kinds((await importText(importCmtMedQa, bom, 'bom.jsonl')).items)).toEqual(['import.parse_error', 'dialogue', 'dialogue']);
    const dialogue = (a: string) => JSON.stringify([{ utterances: ['', `患者:${a}`], label: [] }, { utterances: [`患者:${a}`, '医生:多久了'], label: [] }]);
    const mie = `[\n${dialogue('心慌').slice(0, 30)}\n${dialogue('胸闷')},\n${dialogue('头晕')}\n]\n`;
    expect(kinds((await importText(importMie, mie, 'mie-cut.json')).items)).toEqual(['import.parse_error', 'dialogue', 'dialogue']);
  });
});

describe('null for an absent optional field (pandas and Python None)', () => {
  it('reads a CMtMedQA record with null input, cate1, cate2 and history, or no id', async () => {
    const text = [
      JSON.stringify({ id: 'n1', cate1: null, cate2: null, instruction: '咳嗽三天', input: null, output: '多喝温水', history: null }),
      JSON.stringify({ instruction: '发烧了', output: '测体温', history: [] }),
      JSON.stringify({ id: null, instruction: '头疼', input: '', output: '休息', history: [] }),
    ].join('\n');
    const { items, dialogues } = await importText(importCmtMedQa, text, 'nulls.jsonl');
    expect(kinds(items)).toEqual(['dialogue', 'dialogue', 'dialogue']);
    expect(dialogues.map((d) => d.origin.sourceId)).toEqual(['n1', 'idx-1', 'idx-2']);
    expect(turnsOf(dialogues[0])).toEqual([['patient', '咳嗽三天'], ['doctor', '多喝温水']]);
    expect(dialogues[0].cate1).toBeUndefined();
  });

  it('reads a Huatuo record with null input or null id', async () => {
    const text = JSON.stringify([{ id: null, instruction: ['胃疼'], input: null, output: ['少食多餐'] }]);
    const { items, dialogues } = await importText(importHuatuo, text, 'nulls.json');
    expect(kinds(items)).toEqual(['dialogue']);
    expect(dialogues[0].origin.sourceId).toBe('idx-0');
  });
});

describe('UTF-16 files (Windows "Unicode" saves) with a byte-order mark', () => {
  const rows = 'department,title,ask,answer\r\n内科,头痛,头痛三天怎么办,建议先测血压\r\n';

  it('reads a UTF-16LE CSV like the UTF-8 one', async () => {
    const buf = Buffer.concat([Buffer.from([0xff, 0xfe]), iconv.encode(rows, 'utf-16le')]);
    const { items, dialogues } = await importText(importToyhom, buf, 'u16.csv', 7);
    expect(kinds(items)).toEqual(['dialogue']);
    expect(turnsOf(dialogues[0])).toEqual([['patient', '头痛三天怎么办'], ['doctor', '建议先测血压']]);
  });

  it('rejects the dialogue holding an unpaired surrogate as import.encoding and reads the others', async () => {
    const text = [JSON.stringify({ id: 'u1', instruction: '失眠', output: '规律作息', history: [] }), JSON.stringify({ id: 'u2', instruction: '心慌X', output: '做心电图', history: [] })].join('\n');
    const body = iconv.encode(text, 'utf-16le');
    const at = body.indexOf(iconv.encode('X', 'utf-16le'));
    body[at] = 0x00;
    body[at + 1] = 0xd8; // U+D800 with no low surrogate after it
    const { items } = await importText(importCmtMedQa, Buffer.concat([Buffer.from([0xff, 0xfe]), body]), 'u16.jsonl', 3);
    expect(kinds(items)).toEqual(['dialogue', 'import.encoding']);
  });

  it('reads a UTF-16BE JSON array', async () => {
    const text = JSON.stringify([{ id: 'b1', instruction: '失眠', output: '规律作息', history: [] }]);
    const buf = Buffer.concat([Buffer.from([0xfe, 0xff]), iconv.encode(text, 'utf-16be')]);
    const { items, dialogues } = await importText(importCmtMedQa, buf, 'u16.json', 5);
    expect(kinds(items)).toEqual(['dialogue']);
    expect(turnsOf(dialogues[0])).toEqual([['patient', '失眠'], ['doctor', '规律作息']]);
  });
});

describe('Toyhom CSV written with another separator or line end', () => {
  const rows = [
    ['内科', '头痛', '头痛三天，怎么办', '建议先测血压'],
    ['外科', '划伤', '手划破了', '用碘伏消毒\n再包扎'],
  ];
  const quote = (f: string) => (/[",;\t\r\n]/.test(f) ? `"${f.replace(/"/g, '""')}"` : f);
  const csv = (sep: string, eol: string) => [['department', 'title', 'ask', 'answer'], ...rows].map((r) => r.map(quote).join(sep)).join(eol) + eol;

  for (const [name, sep] of [['semicolon', ';'], ['tab', '\t']] as const) {
    it(`reads a ${name}-separated file row by row`, async () => {
      const { items, dialogues } = await importText(importToyhom, csv(sep, '\n'), `${name}.csv`);
      expect(kinds(items)).toEqual(['dialogue', 'dialogue']);
      expect(turnsOf(dialogues[0])).toEqual([['patient', '头痛三天，怎么办'], ['doctor', '建议先测血压']]);
      expect(dialogues[1].turns[1].text).toBe('用碘伏消毒\n再包扎');
    });
  }

  it('reads a file with CR-only line ends (classic Mac) row by row, in any chunking', async () => {
    for (const chunk of [1 << 16, 3]) {
      const { items, dialogues } = await importText(importToyhom, csv(',', '\r'), 'cr.csv', chunk);
      expect(kinds(items)).toEqual(['dialogue', 'dialogue']);
      expect(dialogues[1].turns[1].text).toBe('用碘伏消毒\n再包扎');
      expect(dialogues.map((d) => d.origin.sourceId)).toEqual(['row-1', 'row-2']);
    }
  });

  it('keeps a comma-separated file whose text holds semicolons comma-separated', async () => {
    const text = 'department,title,ask,answer\n内科,咳嗽,咳嗽;有痰;怎么办,多喝水;少说话\n';
    const { items, dialogues } = await importText(importToyhom, text, 'comma.csv');
    expect(kinds(items)).toEqual(['dialogue']);
    expect(dialogues[0].turns[0].text).toBe('咳嗽;有痰;怎么办');
  });
});

describe('line files with CR-only line ends', () => {
  it('reads a MedDialog file with CR line ends like the LF one', async () => {
    const lf = 'id=1\nhttps://www.haodf.com/x/1.htm\n\nDescription\n疾病：头痛\n\nDialogue\n病人：\n头痛两天了\n医生：\n先量血压\n\n';
    const a = await importText(importMedDialog, lf, 'lf.txt');
    for (const chunk of [1 << 16, 2]) {
      const b = await importText(importMedDialog, lf.replace(/\n/g, '\r'), 'lf.txt', chunk);
      expect(kinds(b.items)).toEqual(['dialogue']);
      expect(b.dialogues.map(turnsOf)).toEqual(a.dialogues.map(turnsOf));
      expect(b.dialogues[0].disease).toBe('头痛');
    }
  });

  it('reads a HET-MC file with CR line ends block by block', async () => {
    const text = 'id\t1\tdepartment\t内科\tdisease\t感冒\rP\t我感冒了\t0\rD\t多喝水\t1\rSUM1\t感冒\r\rid\t2\tdepartment\t外科\tdisease\t扭伤\rP\t脚扭了\t0\rD\t冰敷\t1\rSUM1\t扭伤\r';
    const { items, dialogues } = await importText(importHetmc, text, 'cr.dialog');
    expect(kinds(items)).toEqual(['dialogue', 'dialogue']);
    expect(turnsOf(dialogues[1])).toEqual([['P', '脚扭了'], ['D', '冰敷']]);
  });

  it('reads LF, CRLF and lone-CR line ends mixed in one file (a CR-only consultation pasted into an LF file) as Python does, in any chunking', async () => {
    const one = (id: number, q: string, a: string) => `id=${id}\nhttps://www.haodf.com/x/${id}.htm\n\nDialogue\n病人：\n${q}\n医生：\n${a}\n\n`;
    const lf = one(11, '咳嗽三天', '多喝水') + one(12, '尿频尿急', '按泌尿系感染治疗') + one(13, '头晕', '量血压');
    const a = await importText(importMedDialog, lf, 'lf.txt');
    expect(a.dialogues).toHaveLength(3);
    const mixed = one(11, '咳嗽三天', '多喝水').replace(/\n/g, '\r\n') + one(12, '尿频尿急', '按泌尿系感染治疗').replace(/\n/g, '\r') + one(13, '头晕', '量血压');
    for (const chunk of [1 << 16, 5, 1]) {
      const b = await importText(importMedDialog, mixed, 'mixed.txt', chunk);
      // Before: a lone CR in an LF file was text, so consultation 12 became a second visit of 11
      // and its last turn ran on into `id=13`.
      expect(kinds(b.items)).toEqual(['dialogue', 'dialogue', 'dialogue']);
      expect(b.dialogues.map(turnsOf)).toEqual(a.dialogues.map(turnsOf));
    }
    const het = 'id\t1\tdepartment\t内科\tdisease\t感冒\nP\t我感冒了\t0\nD\t多喝水\t1\nSUM1\t感冒\n\rid\t2\tdepartment\t外科\tdisease\t扭伤\rP\t脚扭了\t0\r\nD\t冰敷\t1\rSUM1\t扭伤\n';
    const h = await importText(importHetmc, het, 'mixed.dialog', 3);
    expect(kinds(h.items)).toEqual(['dialogue', 'dialogue']);
    expect(turnsOf(h.dialogues[1])).toEqual([['P', '脚扭了'], ['D', '冰敷']]);
  });

  it('keeps reading an LF file by LF when a stray CR comes before its first line end', async () => {
    const lf = 'id=2\r \nhttps://www.haodf.com/x/2.htm\n\nDialogue\n病人：\n咳嗽\n医生：\n多喝水\n\nid=3\n\nDialogue\n病人：\n发烧\n医生：\n量体温\n\n';
    const { dialogues } = await importText(importMedDialog, lf, 'stray.txt', 3);
    expect(dialogues.map(turnsOf)).toEqual([[['病人', '咳嗽'], ['医生', '多喝水']], [['病人', '发烧'], ['医生', '量体温']]]);
  });

  it('reads a Toyhom CSV whose rows end in LF, CRLF and a lone CR in turn like the LF file, in any chunking', async () => {
    const rows = ['department,title,ask,answer', '内科,头痛,头痛三天,先测血压', '外科,划伤,手划破了,消毒', '儿科,发烧,孩子发烧,"物理降温\n多喝水"', '眼科,眼干,眼睛干涩,少看屏幕', '皮肤科,湿疹,手上起疹子,保湿'];
    const lf = rows.join('\n') + '\n';
    const a = await importText(importToyhom, lf, 'lf.csv');
    expect(a.dialogues).toHaveLength(5);
    const ends = ['\n', '\r\n', '\r'];
    const mixed = rows.map((r, i) => r + ends[i % 3]).join('');
    for (const chunk of [1 << 16, 3, 1]) {
      // Before: a lone CR in an LF file was text, so the row it ended ran on into the next one.
      const b = await importText(importToyhom, mixed, 'mixed.csv', chunk);
      expect(kinds(b.items)).toEqual(kinds(a.items));
      expect(b.dialogues.map(turnsOf)).toEqual(a.dialogues.map(turnsOf));
      expect(b.dialogues.map((d) => d.origin.sourceId)).toEqual(a.dialogues.map((d) => d.origin.sourceId));
    }
  });

  it('reads a CSV cell holding a CR in an LF file, and one holding an LF in a CR file, as text', async () => {
    const header = 'department,title,ask,answer';
    const lfFile = `${header}\n内科,"头\r痛",头痛三天,先测血压\n外科,划伤,手划破了,消毒\n`;
    const a = await importText(importToyhom, lfFile, 'cr-cell.csv');
    expect(kinds(a.items)).toEqual(['dialogue', 'dialogue']);
    const crFile = `${header}\r内科,头痛,头痛三天,"先测血压\n再复诊"\r外科,划伤,手划破了,消毒\r`;
    const b = await importText(importToyhom, crFile, 'lf-cell.csv', 4);
    expect(kinds(b.items)).toEqual(['dialogue', 'dialogue']);
    expect(b.dialogues[0].turns[1].text).toBe('先测血压\n再复诊');
  });
});

describe('HET-MC files that carry no SUM lines', () => {
  it('keeps the last block of a file none of whose blocks has SUM lines', async () => {
    const text = 'id\t1\tdepartment\t内科\tdisease\t感冒\nP\t我感冒了\t0\nD\t多喝水\t1\n\nid\t2\tdepartment\t外科\tdisease\t扭伤\nP\t脚扭了\t0\nD\t冰敷\t1\n';
    const { items } = await importText(importHetmc, text, 'nosum.dialog');
    expect(kinds(items)).toEqual(['dialogue', 'dialogue']);
  });

  it('still calls a last block without SUM lines truncated when the blocks before it had them', async () => {
    const text = 'id\t1\tdepartment\t内科\tdisease\t感冒\nP\t我感冒了\t0\nD\t多喝水\t1\nSUM1\t感冒\n\nid\t2\tdepartment\t外科\tdisease\t扭伤\nP\t脚扭了\t0\nD\t冰敷\t1\n';
    const { items } = await importText(importHetmc, text, 'cut.dialog');
    expect(kinds(items)).toEqual(['dialogue', 'import.truncated']);
  });
});

describe('MIE windows of other shapes', () => {
  const utterances = ['患者:最近心慌', '医生:多久了', '患者:一周', '医生:做过心电图吗', '患者:没有', '医生:建议做一个'];

  it('reads windows that grow from one utterance instead of being left-padded', async () => {
    const windows = utterances.map((_, k) => ({ utterances: utterances.slice(Math.max(0, k - 4), k + 1), label: [] }));
    const { items, dialogues } = await importText(importMie, JSON.stringify([windows]), 'grow.json');
    expect(kinds(items)).toEqual(['dialogue']);
    expect(dialogues[0].turns.map((t) => t.text)).toEqual(['最近心慌', '多久了', '一周', '做过心电图吗', '没有', '建议做一个']);
  });

  it('reads an empty utterance inside the dialogue as no turn, not as the previous utterance again', async () => {
    const u = ['患者:最近心慌', '医生:多久了', '', '医生:做过心电图吗'];
    const padded = ['', '', '', '', ...u];
    const windows = u.map((_, k) => ({ utterances: padded.slice(k, k + 5), label: [] }));
    const { dialogues } = await importText(importMie, JSON.stringify([windows]), 'empty.json');
    expect(dialogues[0].turns.map((t) => t.text)).toEqual(['最近心慌', '多久了', '做过心电图吗']);
  });

  it('still rejects windows that do not follow each other', async () => {
    const windows = [
      { utterances: ['', '', '', '', '患者:最近心慌'] },
      { utterances: ['', '', '', '患者:头晕', '医生:多久了'] },
    ];
    const { items } = await importText(importMie, JSON.stringify([windows]), 'bad.json');
    expect(kinds(items)).toEqual(['import.schema']);
  });
});

describe('MedDialog speaker lines', () => {
  it('reads a 大夫： line as a doctor turn of its own, not as text of the turn before', async () => {
    const text = 'id=5\n\nDescription\n疾病：胃痛\n\nDialogue\n病人：\n胃痛一天\n大夫：\n吃了什么\n病人：\n火锅\n\n';
    const { dialogues } = await importText(importMedDialog, text, 'daifu.txt');
    expect(turnsOf(dialogues[0])).toEqual([['病人', '胃痛一天'], ['大夫', '吃了什么'], ['病人', '火锅']]);
  });

  it('reads indented lines, section names with a colon or in another case as the published layout', async () => {
    const published = 'id=6\nhttps://www.haodf.com/x/6.htm\n\nDescription\n疾病：头痛\n\nDialogue\n病人：\n头痛三天\n医生：\n发烧吗\n\nDiagnosis and suggestions\n多休息\n\n';
    const variant = '  id = 6\nhttps://www.haodf.com/x/6.htm\n\n  description:\n疾病：头痛\n\nDIALOGUE：\n  病人：\n头痛三天\n\t医生 :\n发烧吗\n\n  diagnosis and suggestions\n多休息\n\n';
    const a = await importText(importMedDialog, published, 'p.txt');
    const b = await importText(importMedDialog, variant, 'p.txt');
    expect(a.dialogues).toHaveLength(1);
    expect(turnsOf(b.dialogues[0])).toEqual(turnsOf(a.dialogues[0]));
    expect(turnsOf(a.dialogues[0])).toEqual([['病人', '头痛三天'], ['医生', '发烧吗']]);
    expect(b.dialogues[0].description).toBe(a.dialogues[0].description);
    expect(b.dialogues[0].origin.sourceId).toBe('6');
  });

  it('reads ID=N and id＝N with full-width digits as the id line', async () => {
    for (const line of ['ID=6', 'id＝6', 'Id = ６']) {
      const text = `${line}\nhttps://www.haodf.com/x/6.htm\n\nDescription\n疾病：头痛\n\nDialogue\n病人：\n头痛三天\n医生：\n发烧吗\n\n`;
      const { dialogues, rejects } = await importText(importMedDialog, text, 'p.txt');
      expect(rejects).toEqual([]);
      expect(dialogues.map((d) => d.origin.sourceId)).toEqual(['6']);
    }
  });

  it('keeps an utterance line that only mentions a section name or a speaker mid-line as text', async () => {
    const text = 'id=7\n\nDialogue\n病人：\n我看了 Dialogue 一书，医生：说要休息\n医生：\n好的\n\n';
    const { dialogues } = await importText(importMedDialog, text, 'q.txt');
    expect(turnsOf(dialogues[0])).toEqual([['病人', '我看了 Dialogue 一书，医生：说要休息'], ['医生', '好的']]);
  });
});

describe('JSON files concatenated into one', () => {
  it('reads every array of a file made by concatenating JSON array files, byte-order marks and all', async () => {
    const one = (id: string, q: string) => '\ufeff' + JSON.stringify([{ id, instruction: q, output: '请到医院检查', history: [] }], null, 2) + '\n';
    const { items, dialogues } = await importText(importCmtMedQa, one('c1', '胸口疼') + one('c2', '肚子疼'), 'cat.json');
    expect(kinds(items)).toEqual(['dialogue', 'dialogue']);
    expect(dialogues.map((d) => [d.origin.sourceId, d.origin.position])).toEqual([['c1', 1], ['c2', 2]]);
  });

  it('reads every dialogue of concatenated MIE files', async () => {
    const one = (a: string) => JSON.stringify([[{ utterances: ['', `患者:${a}`] }, { utterances: [`患者:${a}`, '医生:多久了'] }]]) + '\n';
    const { items } = await importText(importMie, one('心慌') + one('胸闷'), 'cat.json');
    expect(kinds(items)).toEqual(['dialogue', 'dialogue']);
  });

  it('still rejects other content after the closing bracket', async () => {
    const { items } = await importText(importCmtMedQa, JSON.stringify([{ id: 'x', instruction: '头疼', output: '休息' }]) + '\nnot json\n', 'tail.json');
    expect(kinds(items)).toEqual(['dialogue', 'import.parse_error']);
  });
});

describe('HET-MC utterances holding a tab', () => {
  it('keeps the whole utterance between the speaker and the label column', async () => {
    const text = 'id\t1\tdepartment\t内科\tdisease\t感冒\nP\t体温\t38度\t0\nD\t多喝水\t1\nD\t无标签的一句\nSUM1\t感冒\n\n';
    const { dialogues } = await importText(importHetmc, text, 'tab.dialog');
    expect(turnsOf(dialogues[0])).toEqual([['P', '体温\t38度'], ['D', '多喝水'], ['D', '无标签的一句']]);
  });
});

describe("JSON written by Python's json module with NaN for a missing value", () => {
  it('reads NaN, Infinity and -Infinity outside strings as absent fields, and leaves the words inside strings alone', async () => {
    const text = [
      '[',
      '{"id": "n1", "cate1": NaN, "cate2": "消化内科", "instruction": "胃疼NaN天了", "input": NaN, "output": "先禁食 Infinity 小时", "history": []},',
      '{"id": "n2", "instruction": "头疼", "input": "", "output": "休息", "history": [], "cate1": -Infinity, "cate2": Infinity}',
      ']',
    ].join('\n');
    const { items, dialogues } = await importText(importCmtMedQa, text, 'nan.json');
    expect(kinds(items)).toEqual(['dialogue', 'dialogue']);
    expect(turnsOf(dialogues[0])).toEqual([['patient', '胃疼NaN天了'], ['doctor', '先禁食 Infinity 小时']]);
    expect(dialogues[0].cate1).toBeUndefined();
    expect(dialogues[0].cate2).toBe('消化内科');
    const huatuo = '[{"id": NaN, "instruction": ["嗓子疼"], "input": NaN, "output": ["多喝水"]}]';
    const h = await importText(importHuatuo, huatuo, 'nan-h.json');
    expect(kinds(h.items)).toEqual(['dialogue']);
    expect(h.dialogues[0].origin.sourceId).toBe('idx-0');
  });

  it('still rejects an element that is broken for another reason, or uses a word that only starts like the literals', async () => {
    const text = '[{"id": "b1", "instruction": "头疼", "output": "休息", "input": NaNx},\n{"id": "b2", "instruction": "咳嗽" "output": NaN}]';
    const { items } = await importText(importCmtMedQa, text, 'bad.json');
    expect(kinds(items)).toEqual(['import.parse_error', 'import.parse_error']);
  });
});
