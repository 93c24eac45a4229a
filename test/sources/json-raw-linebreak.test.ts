/**
 * JSON whose strings hold raw line breaks (a writer that does not escape them; Python's
 * json.loads(strict=False) reads them, as do hand-edited files). The scanner takes a raw line
 * break for a lost closing quote, which keeps a real cut from costing the rest of the file; an
 * element whose text nevertheless reads whole with the line breaks kept is that element, read
 * exactly as the same file with the line breaks escaped. All fixture text is written for this test.
 */
import { execFileSync } from 'node:child_process';
import { describe, expect, it } from '@jest/globals';
import { importCmtMedQa } from '../../src/sources/cmtmedqa.js';
import { importHuatuo } from '../../src/sources/huatuo.js';
import { pythonLiteral } from '../../src/sources/json-array.js';
import { importMie } from '../../src/sources/mie.js';
import { importText } from './helpers.js';

const kinds = (items: Awaited<ReturnType<typeof importText>>['items']) => items.map((i) => (i.kind === 'reject' ? i.reject.reason : 'dialogue'));

/** JSON text with every escaped line break (`\n` outside a `\\` pair) written raw. */
function rawBreaks(json: string): string {
  return json.replace(/(?<!\\)((?:\\\\)*)\\n/g, '$1\n');
}

/** A small deterministic generator (mulberry32). */
function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

// Structure characters inside the text, so a scan that loses the string state sees brackets and quotes.
const ALPHABET = [...'头痛发烧咳嗽三天了医生建议多喝水休息复查血常规吗', '{', '}', '[', ']', '"', ',', ':', ' ', '，', '？'];

/** A text of a few lines; no line after the first starts with a bracket or a space (see the header of the last test). */
function text(r: () => number): string {
  const lines: string[] = [];
  const n = 1 + Math.floor(r() * 3);
  for (let l = 0; l < n; l++) {
    let s = '头';
    const len = 2 + Math.floor(r() * 14);
    for (let k = 0; k < len; k++) s += ALPHABET[Math.floor(r() * ALPHABET.length)];
    lines.push(s);
  }
  return lines.join('\n');
}

describe('JSON strings with raw line breaks', () => {
  it('reads a pretty-printed CMtMedQA array whose strings hold raw line breaks, the breaks kept', async () => {
    const records = [
      { id: 'r1', cate1: '内科', cate2: '消化内科', instruction: '胃疼三天\n晚上更厉害', input: '', output: '建议做胃镜\n先少吃辛辣', history: [['吃完饭{胀}\n还反酸', '有没有"黑便"\n大便颜色']] },
      { id: 'r2', cate1: '儿科', cate2: '小儿内科', instruction: '孩子发烧', input: '', output: '物理降温', history: [] },
    ];
    const json = JSON.stringify(records, null, 4);
    const raw = rawBreaks(json);
    expect(raw.split('\n').length).toBeGreaterThan(json.split('\n').length + 3);
    const want = await importText(importCmtMedQa, json, 'r.json');
    for (const chunk of [1 << 16, 7]) {
      const got = await importText(importCmtMedQa, raw, 'r.json', chunk);
      expect(kinds(got.items)).toEqual(['dialogue', 'dialogue']);
      expect(got.dialogues).toEqual(want.dialogues);
    }
    expect(want.dialogues[0].turns.map((t) => t.text)).toContain('吃完饭{胀}\n还反酸');
  });

  it('reads JSON Lines whose strings hold raw line breaks, the last one without a final newline', async () => {
    const lines = [
      { questions: ['头痛\n怎么办'], answers: ['多休息\n多喝水'] },
      { questions: ['咳嗽两周'], answers: ['拍胸片看看吧'] },
      { questions: ['腰疼"弯不下"\n腿也麻'], answers: ['做个核磁\n腰椎{L4}'] },
    ];
    const json = lines.map((l) => JSON.stringify(l)).join('\n');
    const want = await importText(importHuatuo, json, 'h.jsonl');
    expect(kinds(want.items)).toEqual(['dialogue', 'dialogue', 'dialogue']);
    for (const chunk of [1 << 16, 3]) {
      const got = await importText(importHuatuo, rawBreaks(json), 'h.jsonl', chunk);
      expect(kinds(got.items)).toEqual(['dialogue', 'dialogue', 'dialogue']);
      expect(got.dialogues).toEqual(want.dialogues);
    }
  });

  it('reads an MIE array (elements are arrays of windows) with raw line breaks in its utterances', async () => {
    const dialogue = [{ content: ['患者：最近胸闷\n爬楼更明显', '医生：做个心电图'], label: [] }];
    const json = JSON.stringify([dialogue], null, 2);
    const want = await importText(importMie, json, 'm.json');
    const got = await importText(importMie, rawBreaks(json), 'm.json');
    expect(kinds(got.items)).toEqual(kinds(want.items));
    expect(got.dialogues).toEqual(want.dialogues);
  });

  it('reads the records of a wrapper object whose metadata strings hold raw line breaks', async () => {
    const records = [{ instruction: '头痛怎么办', input: '', output: '多休息，多喝水', history: [] }, { instruction: '咳嗽\n有痰', input: '', output: '拍个胸片', history: [] }];
    const json = JSON.stringify({ version: '1.0', description: '导出说明\n第二行\n第三行', data: records }, null, 1);
    const want = await importText(importCmtMedQa, json, 'w.json');
    expect(kinds(want.items)).toEqual(['dialogue', 'dialogue']);
    for (const chunk of [1 << 16, 4]) {
      const got = await importText(importCmtMedQa, rawBreaks(json), 'w.json', chunk);
      expect(kinds(got.items)).toEqual(['dialogue', 'dialogue']);
      expect(got.dialogues).toEqual(want.dialogues);
    }
  });

  it('still rejects a string that lost its closing quote, and reads the next element', async () => {
    // A real cut: the text does not read whole even with the line break kept.
    const arr = '[\n  {\n    "id": "a",\n    "instruction": "脚踝扭伤，\n    "input": "",\n    "output": "冰敷",\n    "history": []\n  },\n  {\n    "id": "b",\n    "instruction": "头晕",\n    "input": "",\n    "output": "量血压",\n    "history": []\n  }\n]\n';
    const a = await importText(importCmtMedQa, arr, 'cut.json');
    expect(kinds(a.items)).toEqual(['import.parse_error', 'dialogue']);
    expect(a.rejects[0].detail).toBe('element 0 has an unterminated string');
    const jsonl = '{"questions": ["头痛\n{"questions": ["咳嗽"], "answers": ["吃药观察"]}\n';
    const l = await importText(importHuatuo, jsonl, 'cut.jsonl');
    expect(kinds(l.items)).toEqual(['import.parse_error', 'dialogue']);
    // A cut last element still ends the input inside it.
    const end = await importText(importHuatuo, '{"questions": ["咳嗽"], "answers": ["吃药观察"]}\n{"questions": ["头痛\n发烧', 'end.jsonl');
    expect(kinds(end.items)).toEqual(['dialogue', 'import.truncated']);
  });

  it('reads random elements with brackets, quotes and raw line breaks in their strings exactly as their escaped copies, in both layouts', async () => {
    // Raw text lines that start with a bracket (or indentation and a bracket) at an element's own
    // column are where a next element starts after a cut line; such texts are left out here.
    const r = rng(20261202);
    for (let round = 0; round < 30; round++) {
      const n = 2 + Math.floor(r() * 4);
      const records = Array.from({ length: n }, (_, k) => ({
        id: `x${round}-${k}`,
        cate1: '内科',
        cate2: '内科',
        instruction: text(r),
        input: r() < 0.3 ? text(r) : '',
        output: text(r),
        history: Array.from({ length: Math.floor(r() * 3) }, () => [text(r), text(r)]),
      }));
      const layouts = [JSON.stringify(records, null, round % 2 ? 2 : 4), records.map((x) => JSON.stringify(x)).join('\n') + (round % 3 ? '\n' : '')];
      for (const json of layouts) {
        const want = await importText(importCmtMedQa, json, 'f.json');
        const got = await importText(importCmtMedQa, rawBreaks(json), 'f.json', 1 + (round % 9));
        expect([round, kinds(got.items)]).toEqual([round, kinds(want.items)]);
        expect(got.dialogues).toEqual(want.dialogues);
      }
    }
  });
});

describe('records written as Python literals (str(dict), repr, pprint)', () => {
  // The real writer: Python's own repr and pprint of the same records.
  const records = [
    { id: 'p1', instruction: '头痛三天了，吃了"布洛芬"没用', input: '', output: "医生说：先别急，量个血压\n再看", history: [['我头痛', '多久了？']] },
    { id: 'p2', instruction: "孩子说'肚子疼'，还有点\\发烧", input: '', output: '身高5\'3"的孩子，体温38.5度，先物理降温\t观察😀', history: [] },
    { id: 'p3', instruction: '咳嗽有痰\u0001怎么办', input: '', output: '多喝水，必要时拍胸片', history: [['咳嗽', '有痰吗'], ['有', '什么颜色']] },
  ];
  const py = (code: string) =>
    execFileSync('python3', ['-c', `import json,sys,pprint\nrecs=json.loads(sys.stdin.read())\n${code}`], { input: JSON.stringify(records), encoding: 'utf8' });

  it('reads JSON Lines of str(dict), a repr list and a pprint list as the same records written as JSON', async () => {
    const want = await importText(importCmtMedQa, records.map((r) => JSON.stringify(r)).join('\n'), 'p.json');
    expect(kinds(want.items)).toEqual(['dialogue', 'dialogue', 'dialogue']);
    const layouts = {
      lines: py('for r in recs: print(str(r))'),
      repr: py('print(repr(recs))'),
      pprint: py('pprint.pprint(recs, width=60)'),
      none: py('for r in recs: r["input"] = None; print(str(r))'),
    };
    expect(layouts.lines).toContain("'id': 'p1'");
    expect(layouts.pprint.split('\n').length).toBeGreaterThan(6);
    for (const [name, text] of Object.entries(layouts)) {
      for (const chunk of [1 << 16, 5]) {
        const got = await importText(importCmtMedQa, text, 'p.json', chunk);
        expect([name, kinds(got.items)]).toEqual([name, ['dialogue', 'dialogue', 'dialogue']]);
        expect(got.dialogues).toEqual(want.dialogues);
      }
    }
  });

  it('reads a pprint of long texts, which pprint writes as adjacent literals', async () => {
    // Real answers are hundreds of characters: pprint breaks each into ('…'\n '…') at its width.
    const long = records.map((r, k) => ({
      ...r,
      output: `${'多喝水 注意休息\n'.repeat(12 + k)}必要时复诊。`,
      instruction: `${r.instruction}${'症状持续 '.repeat(20)}`,
      history: r.history.map(([q, a]) => [`${q}${' 还有点咳嗽'.repeat(15)}`, a]),
    }));
    const want = await importText(importCmtMedQa, long.map((r) => JSON.stringify(r)).join('\n'), 'p.json');
    const text = execFileSync('python3', ['-c', 'import json,sys,pprint\npprint.pprint(json.loads(sys.stdin.read()), width=80)'], { input: JSON.stringify(long), encoding: 'utf8' });
    // the splits the reader must join: adjacent literals (in parentheses when the string is an item of the top-level container)
    expect(text).toMatch(/'\n\s+'/);
    for (const chunk of [1 << 16, 7]) {
      const got = await importText(importCmtMedQa, text, 'p.json', chunk);
      expect(kinds(got.items)).toEqual(['dialogue', 'dialogue', 'dialogue']);
      expect(got.dialogues).toEqual(want.dialogues);
    }
    expect(pythonLiteral("['a' 'b', ('c'\n 'd'), ('e',), ('f', 'g')]")).toEqual(['ab', 'cd', ['e'], ['f', 'g']]);
  });

  it('reads a wrapper object written as a Python literal ({\'data\': [...]}, a dict of splits) as its records', async () => {
    const want = await importText(importCmtMedQa, records.map((r) => JSON.stringify(r)).join('\n'), 'p.json');
    const layouts = {
      str: py("print(str({'version': '1.0', 'shape': (3, 5), 'data': recs, 'note': \"it's\"}))"),
      // (sort_dicts=False: pprint would put test before train, and the records read in file order)
      pprint: py("pprint.pprint({'meta': {'n': 3, 'ok': True}, 'train': recs[:2], 'test': recs[2:]}, width=60, sort_dicts=False)"),
    };
    expect(layouts.str).toContain("'data': [{");
    for (const [name, text] of Object.entries(layouts)) {
      for (const chunk of [1 << 16, 5]) {
        const got = await importText(importCmtMedQa, text, 'p.json', chunk);
        expect([name, kinds(got.items)]).toEqual([name, ['dialogue', 'dialogue', 'dialogue']]);
        expect(got.dialogues.map((d) => d.turns)).toEqual(want.dialogues.map((d) => d.turns));
      }
    }
  });

  it('reads a tuple whose string holds a lone double quote (5\'3") as its one element, and every element after it (session-18 hunt: the rest of the file was one import.truncated)', async () => {
    const text = execFileSync('python3', ['-c', [
      'import json,sys',
      "recs=[{'instruction': '头痛怎么办呢', 'output': '建议测量血压看看', 'history': [('身高5\\'3\"的孩子头痛', '多高了？')]}]",
      "recs += [{'instruction': '我最近头痛第%d天' % i, 'output': '建议测量血压，注意休息', 'history': []} for i in range(5)]",
      'print(repr(recs))',
    ].join('\n')], { encoding: 'utf8' });
    expect(text).toContain(`('身高5\\'3"的孩子头痛', '多高了？')`);
    for (const chunk of [1 << 16, 5]) {
      const got = await importText(importCmtMedQa, text, 'p.json', chunk);
      expect(kinds(got.items)).toEqual(['dialogue', 'dialogue', 'dialogue', 'dialogue', 'dialogue', 'dialogue']);
      expect(got.dialogues[0].turns.map((t) => t.text)).toEqual(['身高5\'3"的孩子头痛', '多高了？', '头痛怎么办呢', '建议测量血压看看']);
    }
    // JSON Lines of str(dict), and Huatuo's tuple-valued fields
    const lines = execFileSync('python3', ['-c', "for i in range(4): print(str({'instruction': ('问题%d，身高5\\'3\"' % i,), 'output': ('回答%d：多喝水' % i,)}))"], { encoding: 'utf8' });
    const h = await importText(importHuatuo, lines, 'h.json');
    expect(kinds(h.items)).toEqual(['dialogue', 'dialogue', 'dialogue', 'dialogue']);
  });

  it('reads True, False, None, tuples and escapes as Python does, and nothing that is no literal', () => {
    expect(pythonLiteral("{'a': True, 'b': (1, 2,), 'c': None, 'd': '\\x41\\u4e2d\\U0001F600\\101\\q', 'e': float('nan')}")).toBeUndefined();
    expect(pythonLiteral("{'a': True, 'b': (1, 2,), 'c': None, 'd': '\\x41\\u4e2d\\U0001F600\\101\\q', 'e': nan}")).toEqual({ a: true, b: [1, 2], c: null, d: 'A中😀A\\q', e: null });
    expect(pythonLiteral("{'a': undefined}")).toBeUndefined();
    expect(pythonLiteral("{'a': 'not closed}")).toBeUndefined();
    expect(pythonLiteral("{'a': 'two\nlines'}")).toBeUndefined();
    expect(pythonLiteral('{"a": 1}')).toBeUndefined(); // no Python in it: not this reader's
  });
});
