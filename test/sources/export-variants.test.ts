/**
 * Real-world exports of the dump formats that other tools write: records inside a wrapper object
 * (dataset exports, Hugging Face), CMtMedQA history as objects or role messages, UTF-16 saved
 * without a byte-order mark, Toyhom CSVs with Chinese or reordered headers, trailing commas.
 * Each is read like the published layout, and what stays ambiguous is a reject that says why.
 * All fixture text here is written for these tests.
 */
import { describe, expect, it } from '@jest/globals';
import iconv from 'iconv-lite';
import type { RawDialogue } from '../../schemas/dialogue.js';
import { importCmtMedQa } from '../../src/sources/cmtmedqa.js';
import { decodeText, sniffUtf16, type ResolvedEncoding } from '../../src/sources/encoding.js';
import { importHuatuo } from '../../src/sources/huatuo.js';
import { jsonArrayElements } from '../../src/sources/json-array.js';
import { importToyhom } from '../../src/sources/toyhom.js';
import { chunked, collect, importText, turnsOf } from './helpers.js';

const J = JSON.stringify;
const kinds = (items: Awaited<ReturnType<typeof collect>>['items']) => items.map((i) => (i.kind === 'reject' ? i.reject.reason : 'dialogue'));
const ids = (ds: RawDialogue[]) => ds.map((d) => [d.origin.sourceId, d.origin.position]);

function rec(id: string, q = '胃里发胀三天了', a = '少量多餐，饭后别马上躺下') {
  return { id, cate1: '内科', cate2: '消化内科', instruction: q, input: '', output: a, history: [['吃完饭更明显吗', '是的，晚饭后最胀']] };
}

describe('CMtMedQA and Huatuo records inside a wrapper object', () => {
  const plain = J([rec('w1'), rec('w2'), rec('w3')]);

  it('reads the records of a {"version", "data": [...]} export as the bare array, each with its own index, in any chunking', async () => {
    const want = await importText(importCmtMedQa, plain, 'x.json');
    for (const text of [J({ version: '1.0', data: [rec('w1'), rec('w2'), rec('w3')] }), J({ version: '1.0', data: [rec('w1'), rec('w2'), rec('w3')] }, null, 2)]) {
      for (const size of [1 << 16, 7, 1]) {
        const got = await importText(importCmtMedQa, text, 'x.json', size);
        expect(got.items).toEqual(want.items); // same ids, origins and turns
      }
    }
    expect(ids(want.dialogues)).toEqual([['w1', 1], ['w2', 2], ['w3', 3]]);
  });

  it('reads every records member of a split dump ({"train", "validation", "test"}) in order, numbered on, and skips metadata of any shape', async () => {
    const text = J({ info: { note: 'a "quoted" ] } [ {', sizes: [1, [2, 3]] }, train: [rec('t1'), rec('t2')], features: [{ name: 'id' }], validation: [rec('v1')], test: [], n: 3 });
    for (const size of [1 << 16, 3]) {
      const { items, dialogues } = await importText(importCmtMedQa, text, 'dict.json', size);
      expect(kinds(items)).toEqual(['dialogue', 'dialogue', 'dialogue']);
      expect(ids(dialogues)).toEqual([['t1', 1], ['t2', 2], ['v1', 3]]);
    }
  });

  it('reads a Hugging Face datasets-server page ({"features", "rows": [{row_idx, row}]}) as its rows', async () => {
    const text = J({ features: [{ feature_idx: 0, name: 'id', type: { dtype: 'string' } }], rows: [rec('r0'), rec('r1')].map((row, k) => ({ row_idx: k, row, truncated_cells: [] })), num_rows_total: 2, partial: false });
    const { dialogues } = await importText(importCmtMedQa, text, 'rows.json');
    expect(ids(dialogues)).toEqual([['r0', 1], ['r1', 2]]);
    expect(turnsOf(dialogues[0])).toEqual([['patient', '吃完饭更明显吗'], ['doctor', '是的，晚饭后最胀'], ['patient', '胃里发胀三天了'], ['doctor', '少量多餐，饭后别马上躺下']]);
  });

  it('reads wrapped Huatuo records', async () => {
    const text = J({ data: [{ id: '', instruction: ['嗓子干痒'], input: '', output: ['多喝温水'] }, { id: 'h2', instruction: ['耳鸣'], input: '', output: ['少熬夜'] }] });
    const { dialogues } = await importText(importHuatuo, text, 'h.json', 5);
    expect(ids(dialogues)).toEqual([['idx-0', 1], ['h2', 2]]);
  });

  it('keeps a JSON Lines record with a "data" or "test" array member a record, and a "data" member of no objects metadata', async () => {
    const lines = [J({ ...rec('l1'), data: [{ x: 1 }] }), J({ test: [1, 2], ...rec('l2') }), J(rec('l3'))].join('\n') + '\n';
    const { items, dialogues } = await importText(importCmtMedQa, lines, 'l.jsonl', 4);
    expect(kinds(items)).toEqual(['dialogue', 'dialogue', 'dialogue']);
    expect(ids(dialogues)).toEqual([['l1', 1], ['l2', 2], ['l3', 3]]);
  });

  it('rejects an object whose records sit under another name as one import.schema reject that names the member and the names read', async () => {
    const { rejects } = await importText(importCmtMedQa, J({ meta: 1, dialogues_v2: [rec('u1')] }), 'u.json');
    expect(rejects).toHaveLength(1);
    expect(rejects[0].reason).toBe('import.schema');
    expect(rejects[0].detail).toContain('"dialogues_v2" hold arrays of objects');
    expect(rejects[0].detail).toContain('data, rows, records');
  });

  it('reports a wrapper cut short, and text after it, and reads wrapper files concatenated into one', async () => {
    const whole = J({ data: [rec('a'), rec('b')] });
    expect(kinds((await importText(importCmtMedQa, whole.slice(0, -40), 'cut.json')).items)).toEqual(['dialogue', 'import.truncated']);
    expect(kinds((await importText(importCmtMedQa, whole.slice(0, -1), 'cut2.json')).items)).toEqual(['dialogue', 'dialogue', 'import.truncated']);
    expect(kinds((await importText(importCmtMedQa, `${whole}\nnot json\n`, 'tail.json')).items)).toEqual(['dialogue', 'dialogue', 'import.parse_error']);
    const two = await importText(importCmtMedQa, `${whole}\n${J({ data: [rec('c')] })}\n`, 'cat.json', 6);
    expect(ids(two.dialogues)).toEqual([['a', 1], ['b', 2], ['c', 3]]);
  });

  it('rejects only a cut line inside a wrapped array written one record per line', async () => {
    const text = `{"data": [\n${J(rec('a'))},\n${J(rec('b')).slice(0, 40)}\n${J(rec('c'))}\n]}\n`;
    const { items, dialogues } = await importText(importCmtMedQa, text, 'cutline.json');
    expect(kinds(items)).toEqual(['dialogue', 'import.parse_error', 'dialogue']);
    expect(ids(dialogues)).toEqual([['a', 1], ['c', 3]]);
  });

  it('streams a wrapped array: the first record comes out before the rest of the input is read', async () => {
    let pulled = 0;
    async function* text() {
      yield '{"version": "2", "data": [';
      pulled++;
      yield J(rec('s1')) + ',';
      pulled++;
      for (let k = 2; k < 50; k++) {
        pulled++;
        yield J(rec(`s${k}`)) + ',';
      }
      yield J(rec('s50')) + ']}';
    }
    const it = jsonArrayElements(text(), { wrappers: { recordFields: new Set(['instruction']) } })[Symbol.asyncIterator]();
    const first = await it.next();
    expect(first.value).toMatchObject({ kind: 'element', index: 0, value: { id: 's1' } });
    expect(pulled).toBeLessThan(4);
    await it.return?.(undefined);
  });
});

describe('CMtMedQA history given as objects or role messages', () => {
  const pairs = [['有痰吗', '白色的痰'], ['发烧吗', '不发烧']];
  const read = async (history: unknown) => importText(importCmtMedQa, J([{ ...rec('h'), history }]), 'h.json');

  it('reads pair objects and role messages into the same turns as [q, a] pairs', async () => {
    const want = (await read(pairs)).dialogues[0].turns;
    expect(want.slice(0, 4).map((t) => t.text)).toEqual(['有痰吗', '白色的痰', '发烧吗', '不发烧']);
    const shapes: unknown[] = [
      pairs.map(([q, a]) => ({ q, a })),
      pairs.map(([question, answer]) => ({ question, answer })),
      pairs.map(([instruction, output]) => ({ instruction, input: '', output })),
      pairs.map(([input, output]) => ({ input, output })),
      pairs.map(([prompt, response]) => ({ prompt, response })),
      pairs.map(([query, response]) => ({ query, response, turn: 1 })),
      [pairs[0], { q: pairs[1][0], a: pairs[1][1] }],
      pairs.flatMap(([q, a]) => [{ role: 'user', content: q }, { role: 'assistant', content: a }]),
      pairs.flatMap(([q, a]) => [{ from: 'human', value: q }, { from: 'gpt', value: a }]),
      J(pairs),
    ];
    for (const history of shapes) {
      const { items, dialogues } = await read(history);
      expect(kinds(items)).toEqual(['dialogue']);
      expect(dialogues[0].turns).toEqual(want);
    }
  });

  it('appends the input of an {instruction, input, output} round to its question', async () => {
    const { dialogues } = await read([{ instruction: '咳嗽', input: '夜里更厉害', output: '可能是过敏' }]);
    expect(turnsOf(dialogues[0]).slice(0, 2)).toEqual([['patient', '咳嗽\n夜里更厉害'], ['doctor', '可能是过敏']]);
  });

  it('rejects ambiguous histories as import.schema with what was found', async () => {
    const cases: Array<[unknown, string]> = [
      [[{ role: 'user', content: '头晕' }, { role: 'system', content: '你是医生' }, { role: 'assistant', content: '量血压' }], 'role "system"'],
      [[{ role: 'user', content: '头晕' }, { role: 'user', content: '还恶心' }], 'do not alternate'],
      [[{ role: 'user', content: '头晕' }], 'end with a patient turn'],
      [[{ q: '头晕', a: '量血压', question: '头晕吗', answer: '量一下血压' }], 'in 2 ways'],
      [[{ q: '头晕', question: '头晕吗', a: '量血压' }], 'holds text in "question"'],
      [[{ q: '头晕', a: '量血压', note: '复诊' }], 'holds text in "note"'],
      [[['头晕', '量血压'], { role: 'user', content: '恶心' }], 'a role message among pairs'],
      [[['头晕']], 'an array of 1 item'],
      [["[['头晕', '量血压']]"], 'a string'],
      ["[['头晕', '量血压']]", 'not JSON text of an array'],
    ];
    for (const [history, evidence] of cases) {
      const { items, rejects } = await read(history);
      expect(kinds(items)).toEqual(['import.schema']);
      expect(rejects[0].detail).toContain(evidence);
      expect(rejects[0].detail).toContain('history');
    }
  });

  it('reads a record converted to messages ({conversations} or {messages}) as the whole dialogue', async () => {
    const conv = [{ from: 'human', value: '腰疼' }, { from: 'gpt', value: '久坐吗' }, { from: 'human', value: '每天坐十小时' }, { from: 'gpt', value: '多起身活动' }];
    const { dialogues } = await importText(importCmtMedQa, J([{ id: 'c1', cate1: '外科', conversations: conv }]), 'c.json');
    expect(turnsOf(dialogues[0])).toEqual([['patient', '腰疼'], ['doctor', '久坐吗'], ['patient', '每天坐十小时'], ['doctor', '多起身活动']]);
    expect(dialogues[0]).toMatchObject({ origin: { sourceId: 'c1' }, cate1: '外科' });
    const messages = conv.map((m) => ({ role: m.from === 'human' ? 'user' : 'assistant', content: m.value }));
    expect(turnsOf((await importText(importCmtMedQa, J([{ messages }]), 'm.json')).dialogues[0])).toEqual(turnsOf(dialogues[0]));
  });

  it('reads a record with a system prompt (a "system" field, a first system message) without it as a turn, and counts the prompt in origin.systemPromptChars', async () => {
    const messages = [{ role: 'user', content: '腰疼' }, { role: 'assistant', content: '多起身活动' }];
    const want = [['patient', '腰疼'], ['doctor', '多起身活动']];
    const variants: unknown[] = [
      { system: '你是一名医生', messages },
      { messages: [{ role: 'system', content: '你是一名医生' }, ...messages] },
      { system: '你是一名医生', conversations: [{ from: 'system', value: '你是一名医生' }, { from: 'human', value: '腰疼' }, { from: 'gpt', value: '多起身活动' }] },
      { system: '你是一名医生', instruction: '腰疼', input: '', output: '多起身活动', history: [] },
      { instruction: '腰疼', output: '多起身活动', history: [{ role: 'system', content: '你是一名医生' }] },
    ];
    for (const v of variants) {
      const { items, dialogues } = await importText(importCmtMedQa, J([v]), 's.json');
      expect(kinds(items)).toEqual(['dialogue']);
      expect(turnsOf(dialogues[0])).toEqual(want);
      expect(dialogues[0].origin.systemPromptChars).toBe(6);
    }
    const safety = await importText(importCmtMedQa, J([{ instruct: '怎么买处方药', output: '请遵医嘱', system: '你是一名医生' }]), 's.json');
    expect(safety.dialogues[0].origin).toMatchObject({ sourceId: 'safety-0', systemPromptChars: 6 });
    // An empty prompt is none.
    const bare = await importText(importCmtMedQa, J([{ system: ' ', messages }, { messages }]), 's.json');
    expect(bare.dialogues.map((d) => d.origin.systemPromptChars)).toEqual([undefined, undefined]);
    const two = await importText(importCmtMedQa, J([{ system: '你是医生', messages: [{ role: 'system', content: '你是护士' }, ...messages] }]), 's.json');
    expect(kinds(two.items)).toEqual(['import.schema']);
    expect(two.rejects[0].detail).toContain('two different system prompts');
  });
});

describe('Huatuo records named as in the Hugging Face releases', () => {
  it('reads {questions, answers} lists and {question, answer} strings like {instruction, output}', async () => {
    const text = J([{ questions: ['牙龈出血怎么办'], answers: ['可能是牙周炎'] }, { id: 7, question: '口腔溃疡', answer: '补充维生素', label: '口腔科', score: 0.9 }]);
    const { items, dialogues } = await importText(importHuatuo, text, 'hf.json');
    expect(kinds(items)).toEqual(['dialogue', 'dialogue']);
    expect(dialogues.map(turnsOf)).toEqual([[['patient', '牙龈出血怎么办'], ['doctor', '可能是牙周炎']], [['patient', '口腔溃疡'], ['doctor', '补充维生素']]]);
    expect(ids(dialogues)).toEqual([['idx-0', 1], ['7', 2]]);
  });

  it('rejects a record that names its question two ways', async () => {
    const { rejects } = await importText(importHuatuo, J([{ instruction: ['头疼'], output: ['休息'], question: '头疼吗', answer: '休息吧' }]), 'amb.json');
    expect(rejects.map((r) => r.reason)).toEqual(['import.schema']);
    expect(rejects[0].detail).toContain('2 ways');
  });
});

describe('UTF-16 saved without a byte-order mark', () => {
  async function decodeAll(buf: Buffer, chunk = 1 << 16): Promise<{ text: string; used?: ResolvedEncoding }> {
    let used: ResolvedEncoding | undefined;
    let text = '';
    for await (const s of decodeText(chunked(buf, chunk), 'auto', (e) => (used = e))) text += s;
    return { text, used };
  }
  // Mostly Chinese with 一 (U+4E00, a NUL byte in either order) often: the NULs are on both sides.
  const csv = 'department,title,ask,answer\r\n内科,一直咳嗽,一到晚上就咳一整夜,一般是过敏，一周不好再来\r\n内科,头晕,一站起来就晕,先量一下血压\r\n';

  it('reads a UTF-16LE and a UTF-16BE Toyhom CSV and CMtMedQA JSON like the UTF-8 ones', async () => {
    const want = await importText(importToyhom, csv, 'u.csv');
    expect(kinds(want.items)).toEqual(['dialogue', 'dialogue']);
    for (const enc of ['utf-16le', 'utf-16be'] as const) {
      for (const size of [1 << 16, 3]) {
        const got = await importText(importToyhom, iconv.encode(csv, enc), 'u.csv', size);
        expect(got.dialogues.map(turnsOf)).toEqual(want.dialogues.map(turnsOf));
      }
      expect((await decodeAll(iconv.encode(csv, enc))).used).toBe(enc);
      const json = J([rec('u1')], null, 2);
      const j = await importText(importCmtMedQa, iconv.encode(json, enc), 'u.json', 5);
      expect(ids(j.dialogues)).toEqual([['u1', 1]]);
    }
  });

  it('reads Chinese UTF-16 with hardly any ASCII in it', async () => {
    const text = '一二三四五六七八九十，医生您好，我头痛一天了，怎么办？\n'.repeat(20);
    for (const enc of ['utf-16le', 'utf-16be'] as const) expect(await decodeAll(iconv.encode(text, enc))).toEqual({ text, used: enc });
  });

  it('reads Traditional Chinese UTF-16 (many hanzi outside the common set) and a short ASCII-only one', async () => {
    const traditional = 'id=1\n\nDialogue\n病人：\n醫生您好，我頭痛一整天了，體溫正常，應該怎麼辦？請問需要檢查嗎？\n醫生：\n建議先量血壓，觀察兩天。\n\n';
    const ascii = 'department,title,ask,answer\r\n';
    for (const text of [traditional, ascii]) {
      for (const enc of ['utf-16le', 'utf-16be'] as const) expect(await decodeAll(iconv.encode(text, enc))).toEqual({ text, used: enc });
    }
  });

  it('never takes a UTF-8 or GB18030 file for UTF-16, also with a stray NUL or a zero-filled tail', async () => {
    const texts = [csv, J([rec('z')]), 'id=1\nhttps://www.haodf.com/x/1.htm\n\nDialogue\n病人：\n头痛\n医生：\n量血压\n', 'plain ascii, lines\nand more\n'];
    for (const t of texts) {
      for (const enc of ['utf-8', 'gb18030'] as const) {
        const body = iconv.encode(t, enc);
        const variants = [Buffer.concat([body, Buffer.alloc(4096)]), Buffer.concat([body.subarray(0, 10), Buffer.from([0]), body.subarray(10)]), Buffer.concat([Buffer.from([0]), body])];
        for (const b of variants) {
          expect(sniffUtf16(b)).toBeUndefined();
          expect((await decodeAll(b)).used).toBe(enc === 'utf-8' || /^[\x00-\x7f]*$/.test(t) ? 'utf-8' : 'gb18030');
        }
      }
    }
    expect(sniffUtf16(Buffer.from(csv, 'utf8'))).toBeUndefined(); // no NUL: not even looked at
  });
});

describe('Toyhom CSV with other headers', () => {
  const row = '内科,头痛,头痛三天怎么办,先测血压\n';
  const want = [['patient', '头痛三天怎么办'], ['doctor', '先测血压']];

  it('maps Chinese header names and any column order to the columns', async () => {
    for (const text of ['科室,标题,问题,回答\n' + row, '科室,标题,问,答\n' + row, '部门,主题,提问,回复\n' + row, 'answer,ask,title,department\n先测血压,头痛三天怎么办,头痛,内科\n']) {
      const { items, dialogues } = await importText(importToyhom, iconv.encode(text, 'gb18030'), 'cn.csv');
      expect(kinds(items)).toEqual(['dialogue']);
      expect(turnsOf(dialogues[0])).toEqual(want);
      expect(dialogues[0]).toMatchObject({ department: '内科', title: '头痛' });
    }
  });

  it('reads a file of only question and answer columns', async () => {
    const { dialogues } = await importText(importToyhom, '问题,回答\n头痛三天怎么办,先测血压\n', 'qa.csv');
    expect(turnsOf(dialogues[0])).toEqual(want);
    expect(dialogues[0].department).toBeUndefined();
  });

  it('rejects a header that names a column twice or no answer, saying which', async () => {
    const dup = await importText(importToyhom, '问题,ask,回答\n头痛,头痛,先测血压\n', 'dup.csv');
    expect(dup.rejects.map((r) => [r.reason, r.origin.sourceId])).toEqual([['import.schema', 'header']]);
    expect(dup.rejects[0].detail).toContain('names the ask column twice');
    const none = await importText(importToyhom, 'foo,bar\n1,2\n', 'none.csv');
    expect(none.items).toHaveLength(1);
    expect(none.rejects[0].detail).toContain('no answer column');
  });

  it('reads the header of a CSV concatenated after the first as a header, not as a dialogue', async () => {
    const text = 'department,title,ask,answer\n' + row + '科室,回答,问题,标题\n外科,消毒,手划破了,划伤\n';
    const { items, dialogues } = await importText(importToyhom, text, 'cat.csv');
    expect(kinds(items)).toEqual(['dialogue', 'dialogue']);
    expect(turnsOf(dialogues[1])).toEqual([['patient', '手划破了'], ['doctor', '消毒']]);
    expect(dialogues.map((d) => d.origin.sourceId)).toEqual(['row-1', 'row-2']);
  });
});

describe('JSON with trailing commas (hand-edited or JavaScript-written)', () => {
  it('reads an element with a comma before a closing bracket, and still rejects two commas in a row', async () => {
    const text = '[{"id": "t1", "instruction": "头疼", "output": "休息", "history": [["几天了", "两天"],],},\n{"id": "t2", "instruction": "咳嗽", "output": "喝水",, "history": []},]';
    const { items, dialogues } = await importText(importCmtMedQa, text, 'trail.json');
    expect(kinds(items)).toEqual(['dialogue', 'import.parse_error']);
    expect(turnsOf(dialogues[0])).toEqual([['patient', '几天了'], ['doctor', '两天'], ['patient', '头疼'], ['doctor', '休息']]);
  });

  it('leaves commas inside strings alone', async () => {
    const { dialogues } = await importText(importCmtMedQa, '[{"id": "t3", "instruction": "头疼,]", "output": "休息,}",}]', 'str.json');
    expect(turnsOf(dialogues[0])).toEqual([['patient', '头疼,]'], ['doctor', '休息,}']]);
  });
});

describe('JSON with control characters unescaped inside strings (json.loads(strict=False) reads them)', () => {
  it('reads a tab, a CR and U+0001 inside strings, in arrays and JSON Lines, and keeps them for normalise', async () => {
    const arr = '[{"id": "c1", "instruction": "头疼\t三天", "output": "先\u0001休息", "history": []},\n{"id": "c2", "instruction": "咳嗽", "output": "喝水", "history": []}]';
    expect(arr).toContain('\t');
    const a = await importText(importCmtMedQa, arr, 'ctrl.json', 5);
    expect(kinds(a.items)).toEqual(['dialogue', 'dialogue']);
    expect(turnsOf(a.dialogues[0])).toEqual([['patient', '头疼\t三天'], ['doctor', '先\u0001休息']]);
    const jsonl = '{"id": "c3", "instruction": "头晕\r想吐", "output": "量血压", "history": []}\n{"id": "c4", "instruction": "x\u0000", "output": "y",, "history": []}\n';
    const l = await importText(importCmtMedQa, jsonl, 'ctrl.jsonl');
    expect(kinds(l.items)).toEqual(['dialogue', 'import.parse_error']); // still invalid for another reason: still rejected
    expect(turnsOf(l.dialogues[0])).toEqual([['patient', '头晕\r想吐'], ['doctor', '量血压']]);
    const h = await importText(importHuatuo, '[{"id": "", "instruction": ["胃\t疼"], "input": "", "output": ["少食多餐"]}]', 'ctrl-h.json');
    expect(kinds(h.items)).toEqual(['dialogue']);
  });
});

describe('empty inputs', () => {
  it('gives one import.truncated reject for an empty, blank or byte-order-mark-only file in every format', async () => {
    const { importers } = await import('../../src/sources/index.js');
    for (const [format, importer] of Object.entries(importers)) {
      for (const bytes of [Buffer.alloc(0), Buffer.from('\n\r\n'), Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from([0xff, 0xfe]), Buffer.from([0xfe, 0xff, 0, 10])]) {
        const { items, rejects } = await collect(importer, { file: `empty.${format}`, bytes: chunked(bytes, 1), encoding: 'auto' });
        expect([format, items.length]).toEqual([format, 1]);
        expect([format, rejects[0].reason]).toEqual([format, 'import.truncated']);
      }
    }
  });
});
