/**
 * The other files of the same public datasets and the ways users re-save them: HET-MC with its
 * tabs turned into spaces, pandas' to_json layouts, MIE inside a wrapper object, Toyhom without its
 * header row, CMtMedQA with a system prompt, Huatuo's nested question lists, files without a final
 * newline. Variants are derived at run time from the committed fixtures (and, for HET-MC, from the
 * real dump in ../shared/data, never committed); every one must read as the published layout
 * does, or be a reject that says why.
 */
import { describe, expect, it } from '@jest/globals';
import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { gzipSync } from 'node:zlib';
import iconv from 'iconv-lite';
import type { RawDialogue } from '../../schemas/dialogue.js';
import { importCmtMedQa } from '../../src/sources/cmtmedqa.js';
import { importHetmc } from '../../src/sources/hetmc.js';
import { importHuatuo } from '../../src/sources/huatuo.js';
import { GZIP_MAX_RATIO, GZIP_SLACK_BYTES } from '../../src/sources/compressed.js';
import { importers } from '../../src/sources/index.js';
import { importMedDialog } from '../../src/sources/meddialog.js';
import { importMie } from '../../src/sources/mie.js';
import { importToyhom } from '../../src/sources/toyhom.js';
import type { ImportItem, Importer } from '../../src/sources/types.js';
import { sharedData } from '../support/services.js';
import { chunked, collect, fixture, importFile, importText, turnsOf } from './helpers.js';

const J = JSON.stringify;
const kinds = (items: ImportItem[]) => items.map((i) => (i.kind === 'reject' ? i.reject.reason : 'dialogue'));
/** What a reader of the dialogue sees: its turns and metadata, without the id (which has the file in it). */
const content = (d: RawDialogue) => J([d.origin.sourceId, d.origin.position, d.turns, d.department ?? null, d.disease ?? null, d.cate1 ?? null, d.cate2 ?? null, d.title ?? null]);

/** The tabs of `text` expanded to spaces at stops every `width` columns (what `expand -t` and editors do). */
function expandTabs(text: string, width: number): string {
  return text
    .split('\n')
    .map((line) => {
      let out = '';
      for (const ch of line) out += ch === '\t' ? ' '.repeat(width - (out.length % width)) : ch;
      return out;
    })
    .join('\n');
}

describe('HET-MC blocks whose tabs were turned into spaces', () => {
  const published = readFileSync(fixture('hetmc', 'sample.dialog'), 'utf8');

  it('reads the sample with its tabs expanded (stops of 1, 2, 4, 8, single spaces, every other line) exactly as the published one', async () => {
    const want = (await importText(importHetmc, published, 'h.dialog')).dialogues.map(content);
    expect(want.length).toBe(5);
    const variants = [1, 2, 4, 8].map((w) => expandTabs(published, w));
    variants.push(published.replace(/\t/g, ' '));
    variants.push(published.split('\n').map((l, k) => (k % 2 ? l.replace(/\t/g, '    ') : l)).join('\n'));
    for (const text of variants) {
      const { items, dialogues } = await importText(importHetmc, text, 'h.dialog', 11);
      expect(kinds(items)).toEqual(Array(5).fill('dialogue'));
      expect(dialogues.map(content)).toEqual(want);
    }
  });

  it('keeps department and disease (with spaces inside values) from a spaced header, and an empty disease empty', async () => {
    const text = 'id   7   department   小儿 内科   disease   急性 胃炎\nP   孩子吐了两次   0\nD   先禁食两小时   1\nSUM1   呕吐\n\nid 8 department 儿科 disease\nP 发烧 38 度 1\nD 物理降温 2\nSUM1 发热\n';
    const { items, dialogues } = await importText(importHetmc, text, 'h.dialog');
    expect(kinds(items)).toEqual(['dialogue', 'dialogue']);
    expect(dialogues[0]).toMatchObject({ department: '小儿 内科', disease: '急性 胃炎', origin: { sourceId: '7' } });
    expect(turnsOf(dialogues[0])).toEqual([['P', '孩子吐了两次'], ['D', '先禁食两小时']]);
    expect(dialogues[1].disease).toBeUndefined();
    expect(turnsOf(dialogues[1])).toEqual([['P', '发烧 38 度'], ['D', '物理降温']]);
  });

  it('reads lines that mix tabs and runs of spaces within themselves (a label after spaces, a tag before them, a header half in tabs)', async () => {
    const text = 'id\t3\tdepartment    心内科\tdisease\t心悸\nP\t心慌两天 2\nD    多久发作一次\t0\nP 一天三四次    1\nD\t做个心电图\t2\nSUM1 心悸\nSUM2.0\t心电图\n';
    const { items, dialogues } = await importText(importHetmc, text, 'h.dialog');
    expect(kinds(items)).toEqual(['dialogue']);
    expect(dialogues[0]).toMatchObject({ department: '心内科', disease: '心悸', origin: { sourceId: '3' } });
    expect(turnsOf(dialogues[0])).toEqual([['P', '心慌两天'], ['D', '多久发作一次'], ['P', '一天三四次'], ['D', '做个心电图']]);
  });

  it('rejects a spaced block where only some lines end with a label digit (a number ending an utterance could be text), and keeps such text in a tab block', async () => {
    const spaced = await importText(importHetmc, 'id  9  department  内科  disease  高血压\nP  血压高压 150\nD  量了几次  0\n', 'h.dialog');
    expect(kinds(spaced.items)).toEqual(['import.parse_error']);
    expect(spaced.rejects[0].detail).toContain('cannot be told from a label');
    const tabbed = await importText(importHetmc, 'id\t9\tdepartment\t内科\tdisease\t高血压\nP\t血压高压 150\nD\t量了几次\n', 'h.dialog');
    expect(turnsOf(tabbed.dialogues[0])).toEqual([['P', '血压高压 150'], ['D', '量了几次']]);
  });

  it('reads hostile runs of spaces in a header and an utterance in linear time (no backtracking blow-up), as one reject and one dialogue', async () => {
    const pad = ' '.repeat(400_000);
    const text = `id 1 department${pad}x\nP 咳${pad}嗽 0\nD 多喝水 1\n\nid 2 department 内科 disease${pad}感冒\nP 咳${pad}嗽 0\nD 多喝水 1\n`;
    const { items, dialogues } = await importText(importHetmc, text, 'h.dialog');
    expect(kinds(items)).toEqual(['import.parse_error', 'dialogue']);
    expect(dialogues[0].disease).toBe('感冒');
    expect(dialogues[0].turns[0].text).toBe(`咳${pad}嗽`);
  });

  const real = sharedData('dialogues', 'hetmc_chunyu', 'train.dialog');
  it('reads the real chunyu dump with its tabs expanded (expand -t 4 and -t 8) into the same 360 dialogues', async () => {
    expect(existsSync(real)).toBe(true);
    const want = (await importFile(importHetmc, real)).dialogues.map(content);
    expect(want.length).toBe(360);
    for (const width of ['4', '8']) {
      const text = execFileSync('expand', ['-t', width, real], { maxBuffer: 1 << 26 });
      const { items, dialogues } = await importText(importHetmc, text, real);
      expect(items.length).toBe(360);
      expect(dialogues.map(content)).toEqual(want);
    }
  });
});

describe("pandas DataFrame.to_json layouts of the JSON formats", () => {
  const sample = JSON.parse(readFileSync(fixture('cmtmedqa', 'sample.json'), 'utf8')) as Array<Record<string, unknown>>;
  // The multi-turn records (pandas writes one table: the safety prompts and the odd element have other columns).
  const records = sample.filter((r) => 'instruction' in r && 'history' in r);
  const columns = Object.keys(records[0]);

  it('reads orient split (with and without index), columns (the default), index, table and records/lines like the records array', async () => {
    expect(records.length).toBe(4);
    const want = (await importText(importCmtMedQa, J(records), 'p.json')).dialogues.map(content);
    const rowsOf = records.map((r) => columns.map((c) => r[c]));
    const byColumn = Object.fromEntries(columns.map((c) => [c, Object.fromEntries(records.map((r, k) => [String(k), r[c]]))]));
    const byIndex = Object.fromEntries(records.map((r, k) => [String(k), r]));
    const layouts: Record<string, string> = {
      split: J({ columns, index: records.map((_, k) => k), data: rowsOf }),
      splitNoIndex: J({ columns, data: rowsOf }),
      columns: J(byColumn),
      index: J(byIndex),
      table: J({ schema: { fields: [{ name: 'index', type: 'integer' }, ...columns.map((name) => ({ name, type: 'string' }))], primaryKey: ['index'], pandas_version: '1.4.0' }, data: records.map((r, k) => ({ index: k, ...r })) }),
      lines: records.map((r) => J(r)).join('\n') + '\n',
      linesNoFinalNewline: records.map((r) => J(r)).join('\n'),
    };
    for (const [name, text] of Object.entries(layouts)) {
      for (const size of [1 << 16, 5]) {
        const { items, dialogues } = await importText(importCmtMedQa, text, 'p.json', size);
        expect([name, kinds(items)]).toEqual([name, Array(4).fill('dialogue')]);
        expect([name, dialogues.map(content)]).toEqual([name, want]);
      }
    }
  });

  it('reads Huatuo tables, and a split row with the wrong number of values is one import.schema reject while the others are read', async () => {
    const text = J({ columns: ['id', 'instruction', 'input', 'output'], index: [0, 1, 2], data: [['', ['嗓子干痒'], '', ['多喝温水']], ['q2', ['耳鸣'], null], ['q3', ['眼睛干'], '', ['少看屏幕']]] });
    const { items, dialogues, rejects } = await importText(importHuatuo, text, 'h.json');
    expect(kinds(items)).toEqual(['dialogue', 'import.schema', 'dialogue']);
    expect(rejects[0].detail).toContain("row 1 of the orient='split' table has 3 values for its 4 columns");
    expect(dialogues.map((d) => [d.origin.sourceId, d.origin.position])).toEqual([['idx-0', 1], ['q3', 3]]);
    const byColumn = J({ questions: { 0: ['牙龈出血'], 1: ['口腔溃疡'] }, answers: { 0: ['刷牙轻一点'], 1: ['补充维生素'] } });
    expect((await importText(importHuatuo, byColumn, 'h.json')).dialogues.map(turnsOf)).toEqual([[['patient', '牙龈出血'], ['doctor', '刷牙轻一点']], [['patient', '口腔溃疡'], ['doctor', '补充维生素']]]);
  });

  it('numbers elements after a table on, and leaves objects that only look like tables to the format', async () => {
    // Two split files concatenated (streamed as wrappers), and an index table (read whole) before a JSON Lines record.
    const table = J({ columns: ['instruct', 'output'], data: [['药能随便停吗', '请遵医嘱'], ['能多吃几片吗', '不要超量']] });
    const { dialogues } = await importText(importCmtMedQa, `${table}\n${table}\n`, 'p.json');
    expect(dialogues.map((d) => d.origin.sourceId)).toEqual(['safety-0', 'safety-1', 'safety-2', 'safety-3']);
    const byIndex = J({ 0: { instruct: '药能随便停吗', output: '请遵医嘱' }, 1: { instruct: '能多吃几片吗', output: '不要超量' } });
    const mixed = await importText(importCmtMedQa, `${byIndex}\n${J({ instruct: '能喝酒吗', output: '服药期间不要' })}\n`, 'p.jsonl');
    expect(mixed.dialogues.map((d) => [d.origin.sourceId, d.origin.position])).toEqual([['safety-0', 1], ['safety-1', 2], ['safety-2', 3]]);
    // Not a table: a record whose members are objects but not columns, and a split-like object with other members.
    const odd = await importText(importCmtMedQa, `${J({ meta: { a: 1 }, note: { b: 2 } })}\n${J({ columns: ['instruct', 'output'], data: [['a', 'b']], extra: 1 })}\n`, 'p.jsonl');
    expect(kinds(odd.items)).toEqual(['import.schema', 'import.schema']);
  });
});

describe('MIE dialogues inside a wrapper object', () => {
  const published = readFileSync(fixture('mie', 'sample.json'), 'utf8');

  it('reads {"data": [...]} and a {"train", "dev", "test"} split dump as the bare array, numbered on, in any chunking', async () => {
    const dialogues = JSON.parse(published) as unknown[];
    const want = (await importText(importMie, published, 'm.json')).dialogues.map(content);
    expect(want.length).toBe(3);
    const wrapped = [J({ version: '1.0', data: dialogues }), J({ train: dialogues.slice(0, 2), dev: [], test: dialogues.slice(2), note: { n: [1, 2] } }, null, 2)];
    for (const text of wrapped) {
      for (const size of [1 << 16, 7]) {
        const { items, dialogues: got } = await importText(importMie, text, 'm.json', size);
        expect(kinds(items)).toEqual(['dialogue', 'dialogue', 'dialogue']);
        expect(got.map(content)).toEqual(want);
      }
    }
  });

  it('still rejects a lone object that is no wrapper (its windows are not a dialogue array), and says where dialogues under another name would be read', async () => {
    const { items } = await importText(importMie, J({ data: [{ utterances: ['', '患者:心慌'], label: [] }] }), 'm.json');
    expect(kinds(items)).toEqual(['import.schema']);
    const other = await importText(importMie, J({ dialogues: [[{ utterances: ['', '患者:心慌'], label: [] }]] }), 'm.json');
    expect(kinds(other.items)).toEqual(['import.schema']);
    expect(other.rejects[0].detail).toContain('"dialogues" hold arrays of arrays');
  });
});

describe('Toyhom CSV without a header row', () => {
  const published = readFileSync(fixture('toyhom', 'sample.csv'));

  it('reads the GB18030 sample with its header line cut off (as split -l or to_csv(header=False) write it) as the same rows', async () => {
    const want = (await importText(importToyhom, published, 't.csv')).dialogues.map(content);
    expect(want.length).toBe(8);
    const headerless = published.subarray(published.indexOf(0x0a) + 1);
    const { items, dialogues } = await importText(importToyhom, headerless, 't.csv', 9);
    expect(kinds(items)).toEqual(Array(8).fill('dialogue'));
    expect(dialogues.map(content)).toEqual(want);
    // UTF-8 with a byte-order mark, as Excel saves it.
    const utf8 = Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from(iconv.decode(headerless, 'gb18030'), 'utf8')]);
    expect((await importText(importToyhom, utf8, 't.csv')).dialogues.map(content)).toEqual(want);
  });

  it('reads the real GB18030 内科 file with its header line cut off into the same 7,644 dialogues', async () => {
    const real = sharedData('dialogues', 'toyhom_cmd', '样例_内科5000-6000.csv');
    const want = (await importFile(importToyhom, real)).dialogues.map(content);
    expect(want.length).toBe(7644);
    const bytes = readFileSync(real);
    const { items, dialogues } = await importText(importToyhom, bytes.subarray(bytes.indexOf(0x0a) + 1), real);
    expect(items.length).toBe(7644);
    expect(dialogues.map(content)).toEqual(want);
  });

  it('never reads an unknown header as a dialogue: a first row without a sentence in ask or answer stays an import.schema reject that says how to fix it', async () => {
    const { items, rejects } = await importText(importToyhom, '科室名,题目,咨询,解答\n肝病科,乙肝,乙肝能治好吗？,定期复查，按时服药。\n', 't.csv');
    // A header with punctuated (but short) names, and one in English with a long name, are no dialogues either.
    expect(kinds((await importText(importToyhom, '科室名称,问题标题,患者的提问，请详细描述,医生的回答\n', 't.csv')).items)).toEqual(['import.schema']);
    expect(kinds((await importText(importToyhom, 'Department name,Question title,"Patient question, described in full detail",Doctor reply\n', 't.csv')).items)).toEqual(['import.schema']);
    expect(kinds(items)).toEqual(['import.schema']);
    expect(rejects[0].detail).toContain('add that header line');
    // A long first field is no department: not read as headerless data either.
    const long = await importText(importToyhom, '这是一个很长很长的不像科室名的第一列内容，还带标点,题目,问得很长很长很长很长很长很长很长？,解答\n', 't.csv');
    expect(kinds(long.items)).toEqual(['import.schema']);
  });
});

describe('Huatuo-26M subsets with nested question lists', () => {
  it('reads [["q", "q2"]] (the encyclopedia subset) as its one list and rejects several groups as ambiguous', async () => {
    const text = [J({ questions: [['肝炎会传染吗', '肝炎传染吗']], answers: ['乙肝经血液传播'] }), J({ questions: [['头痛'], ['头晕']], answers: ['多休息'] })].join('\n') + '\n';
    const { items, dialogues, rejects } = await importText(importHuatuo, text, 'e.jsonl');
    expect(kinds(items)).toEqual(['dialogue', 'import.schema']);
    expect(turnsOf(dialogues[0])).toEqual([['patient', '肝炎会传染吗\n肝炎传染吗'], ['doctor', '乙肝经血液传播']]);
    expect(rejects[0].detail).toContain('2 nested lists');
  });
});

describe('Huatuo-26M consultation subset', () => {
  it('rejects a record whose answer is only a link (the published answers are URLs) as import.schema, not a dialogue', async () => {
    const text = [J({ questions: ['宝宝发烧不退要去医院吗'], answers: ['https://www.example-health.cn/q/1.htm'] }), J({ questions: ['咳嗽有痰'], answers: ['多喝温水，详见 https://example.org/a'] })].join('\n') + '\n';
    const { items, rejects } = await importText(importHuatuo, text, 'c.jsonl');
    expect(kinds(items)).toEqual(['import.schema', 'dialogue']);
    expect(rejects[0].detail).toContain('only a link');
  });
});

describe('compressed downloads', () => {
  it('turns a zip, bzip2, xz or zstd file of any format into one import.encoding reject that says how to decompress it, in any chunking', async () => {
    const text = Buffer.from(readFileSync(fixture('huatuo', 'sample.json')));
    const packed: Array<[string, Buffer]> = [
      ['zip', Buffer.concat([Buffer.from([0x50, 0x4b, 0x03, 0x04, 0x14, 0x00]), text])],
      ['bzip2', Buffer.concat([Buffer.from('BZh91AY&SY', 'latin1'), text])],
      ['xz', Buffer.concat([Buffer.from([0xfd, 0x37, 0x7a, 0x58, 0x5a, 0x00]), text])],
      ['zstd', Buffer.concat([Buffer.from([0x28, 0xb5, 0x2f, 0xfd]), text])],
    ];
    for (const [name, bytes] of packed) {
      for (const [format, importer] of Object.entries(importers)) {
        for (const size of [1 << 16, 1]) {
          const { items, rejects } = await collect(importer, { file: `x.${name}`, bytes: chunked(bytes, size), encoding: 'auto' });
          expect([format, name, kinds(items)]).toEqual([format, name, ['import.encoding']]);
          expect(rejects[0].detail).toContain(`${name}-compressed`);
          expect(rejects[0].evidence).toEqual({ compression: name });
        }
      }
    }
    // The same bytes uncompressed are read as before (the check only looks at the first bytes).
    expect(kinds((await collect(importers.huatuo, { file: 'x.json', bytes: chunked(text, 1), encoding: 'auto' })).items)).toEqual(Array(6).fill('dialogue'));
  });

  it('reads a gzip file of every format as the text it holds, in any chunking, concatenated members too', async () => {
    const files: Array<[keyof typeof importers, string]> = [
      ['huatuo', fixture('huatuo', 'sample.json')],
      ['cmtmedqa', fixture('cmtmedqa', 'sample.json')],
      ['meddialog', fixture('meddialog', 'consultations.txt')],
      ['toyhom', fixture('toyhom', 'sample.csv')],
      ['hetmc', fixture('hetmc', 'sample.dialog')],
      ['mie', fixture('mie', 'sample.json')],
    ];
    for (const [format, file] of files) {
      const text = readFileSync(file);
      const plain = await collect(importers[format], { file: 'x', bytes: chunked(text, 1 << 16), encoding: 'auto' });
      expect(plain.items.length).toBeGreaterThan(1);
      const cut = Math.floor(text.length / 2);
      for (const gz of [gzipSync(text), Buffer.concat([gzipSync(text.subarray(0, cut)), gzipSync(text.subarray(cut))])]) {
        for (const size of [1 << 16, 7]) {
          const got = await collect(importers[format], { file: 'x', bytes: chunked(gz, size), encoding: 'auto' });
          expect([format, JSON.stringify(got.items)]).toEqual([format, JSON.stringify(plain.items)]);
        }
      }
    }
  });

  it('keeps what a cut gzip download held and ends with an import.truncated reject that says to fetch it again', async () => {
    const text = readFileSync(fixture('huatuo', 'sample.json'));
    const plain = await collect(importers.huatuo, { file: 'x', bytes: chunked(text, 1 << 16), encoding: 'auto' });
    const gz = gzipSync(text);
    const { items, rejects } = await collect(importers.huatuo, { file: 'x.json.gz', bytes: chunked(gz.subarray(0, gz.length - 12), 64), encoding: 'auto' });
    expect(items.filter((i) => i.kind === 'dialogue').length).toBeGreaterThan(0);
    expect(items.filter((i) => i.kind === 'dialogue').length).toBeLessThan(plain.items.length);
    const last = rejects[rejects.length - 1];
    expect(last.reason).toBe('import.truncated');
    expect(last.detail).toContain('gzip stream');
    expect(last.detail).toContain('fetch the file again');
  });

  it('reads all of a gzip file followed by bytes that are no gzip (cat a.gz notes.txt) and reports those bytes', async () => {
    // Before: Node's gunzip failed on the trailing bytes and dropped what it had decompressed in the
    // same write, so this small file lost every record behind an import.truncated reject.
    const text = readFileSync(fixture('huatuo', 'sample.json'));
    const plain = await collect(importers.huatuo, { file: 'x', bytes: chunked(text, 1 << 16), encoding: 'auto' });
    for (const members of [[text], [text.subarray(0, 700), text.subarray(700)]]) {
      const gz = Buffer.concat([...members.map((m) => gzipSync(m)), Buffer.from('notes about this file\n')]);
      for (const size of [7, 64, 1 << 16]) {
        const { items, rejects } = await collect(importers.huatuo, { file: 'x.json.gz', bytes: chunked(gz, size), encoding: 'auto' });
        const dialogues = items.filter((i) => i.kind === 'dialogue');
        expect(dialogues.length).toBe(plain.items.filter((i) => i.kind === 'dialogue').length);
        expect(rejects.map((r) => r.reason)).toEqual(['import.parse_error']);
        expect(rejects[0].detail).toContain('22 bytes after the end of the gzip data');
      }
    }
    // corrupt deflate data (a flipped byte) ends the file with import.truncated; a first version of
    // the member reader waited forever on it (zlib destroys the stream without the write callback)
    for (const at of [14, 30, 200]) {
      const flipped = gzipSync(text);
      flipped[at] ^= 0x55;
      const broken = await collect(importers.huatuo, { file: 'x.json.gz', bytes: chunked(flipped, 1 << 16), encoding: 'auto' });
      expect(broken.rejects.map((r) => r.reason)).toContain('import.truncated');
    }
    // a member header whose file name never ends is corrupt after 64 KiB, not read to the end
    const noNul = Buffer.concat([Buffer.from([0x1f, 0x8b, 8, 8, 0, 0, 0, 0, 0, 3]), Buffer.alloc(4 << 20, 0x41)]);
    const header = await collect(importers.huatuo, { file: 'x.json.gz', bytes: chunked(noNul, 1 << 16), encoding: 'auto' });
    expect(header.rejects.map((r) => r.detail).join(' ')).toContain('no end of the gzip member header');
    // zero padding after the data is no reject; a bad CRC is one
    const padded = await collect(importers.huatuo, { file: 'x.json.gz', bytes: chunked(Buffer.concat([gzipSync(text), Buffer.alloc(512)]), 64), encoding: 'auto' });
    expect(padded.rejects).toEqual([]);
    const bad = gzipSync(text);
    bad[bad.length - 8] ^= 0xff;
    const crc = await collect(importers.huatuo, { file: 'x.json.gz', bytes: chunked(bad, 64), encoding: 'auto' });
    expect(crc.rejects.map((r) => r.reason)).toEqual(['import.truncated']);
    expect(crc.rejects[0].detail).toContain('CRC');
  });

  it('stops a gzip decompression bomb with an import.encoding reject instead of reading it to the end', async () => {
    const bomb = gzipSync(Buffer.concat([Buffer.from('['), Buffer.alloc(GZIP_SLACK_BYTES + (8 << 20), 0x20)]), { level: 9 });
    expect(bomb.length * GZIP_MAX_RATIO).toBeLessThan(GZIP_SLACK_BYTES);
    const { items, rejects } = await collect(importers.cmtmedqa, { file: 'bomb.json.gz', bytes: chunked(bomb, 1 << 16), encoding: 'auto' });
    expect(rejects.map((r) => r.reason)).toContain('import.encoding');
    const r = rejects.find((x) => x.reason === 'import.encoding')!;
    expect(r.detail).toContain('decompression bomb');
    expect((r.evidence as { decompressedBytes: number }).decompressedBytes).toBeLessThan(GZIP_SLACK_BYTES + (2 << 20));
    expect(items.every((i) => i.kind === 'reject')).toBe(true);
    // read in 1 MiB chunks (as files are), it still stops within a few MiB of the limit: the
    // inflater gets 16 KiB at a time (one whole chunk expanded to about 1 GB first, review)
    const big = await collect(importers.cmtmedqa, { file: 'bomb.json.gz', bytes: chunked(bomb, 1 << 20), encoding: 'auto' });
    const rb = big.rejects.find((x) => x.reason === 'import.encoding')!;
    expect((rb.evidence as { decompressedBytes: number }).decompressedBytes).toBeLessThan(GZIP_SLACK_BYTES + (24 << 20));
  });

  it('refuses a gzip that holds another compressed file', async () => {
    const text = readFileSync(fixture('huatuo', 'sample.json'));
    const { items, rejects } = await collect(importers.huatuo, { file: 'x.json.gz.gz', bytes: chunked(gzipSync(gzipSync(text)), 5), encoding: 'auto' });
    expect(kinds(items)).toEqual(['import.encoding']);
    expect(rejects[0].evidence).toEqual({ compression: 'gzip+gzip' });
  });
});

describe('files without a final newline', () => {
  it('keeps the last JSON Lines record of every JSON format when it parses completely', async () => {
    const mie = [J([{ utterances: ['', '患者:胸口疼'], label: [] }]), J([{ utterances: ['', '患者:气短'], label: [] }])].join('\n');
    expect(kinds((await importText(importMie, mie, 'm.jsonl')).items)).toEqual(['dialogue', 'dialogue']);
    const huatuo = [J({ questions: ['鼻塞'], answers: ['洗鼻'] }), J({ questions: ['咽痛'], answers: ['含片'] })].join('\n');
    expect(kinds((await importText(importHuatuo, huatuo, 'h.jsonl')).items)).toEqual(['dialogue', 'dialogue']);
    const cmt = [J({ instruct: '药能停吗', output: '遵医嘱' }), J({ instruct: '能喝酒吗', output: '不能' })].join('\n');
    expect(kinds((await importText(importCmtMedQa, cmt, 'c.jsonl')).items)).toEqual(['dialogue', 'dialogue']);
  });

  it('rejects the unterminated last block of the line formats as import.truncated with what to do', async () => {
    const het = await importText(importHetmc, 'id\t1\tdepartment\t内科\tdisease\t感冒\nP\t咳嗽\t0\nD\t多喝水\t1', 'h.dialog');
    const med = await importText(importMedDialog, 'id=1\nhttps://example.org/1\nDialogue\n病人：\n咳嗽\n医生：\n多喝水', 'm.txt');
    const toy = await importText(importToyhom, 'department,title,ask,answer\n内科,咳嗽,咳嗽怎么办,多喝水', 't.csv');
    for (const r of [het.rejects, med.rejects, toy.rejects].map((rs) => rs[rs.length - 1])) {
      expect(r.reason).toBe('import.truncated');
      expect(r.detail).toContain('add the final newline');
    }
  });
});

describe('the re-saved variants stream', () => {
  /** An endless input: `head`, then `unit(n)` for n = 0, 1, 2 … forever, counting the chunks pulled. */
  function endless(head: string, unit: (n: number) => string) {
    const state = { pulled: 0 };
    async function* bytes(): AsyncGenerator<Buffer> {
      state.pulled++;
      yield Buffer.from(head, 'utf8');
      for (let n = 0; ; n++) {
        state.pulled++;
        yield Buffer.from(unit(n), 'utf8');
      }
    }
    return { state, bytes: bytes() };
  }
  const cases: Array<[string, Importer, string, (n: number) => string]> = [
    ['a pandas split table (CMtMedQA)', importCmtMedQa, '{"columns":["instruct","output"],"index":[0,1,2],"data":[', (n) => `${n ? ',' : ''}["头痛${n}天","建议就医"]`],
    ['a pandas split table (Huatuo)', importHuatuo, '{"columns":["id","instruction","input","output"],"data":[', (n) => `${n ? ',' : ''}["",["头痛${n}天"],"",["建议就医"]]`],
    ['MIE in a wrapper', importMie, '{"version":"1","train":[', (n) => `${n ? ',' : ''}[{"utterances":["","","","","患者:心慌${n}天"],"label":[]}]`],
    ['HET-MC with spaces', importHetmc, '', (n) => `id    ${n}    department    内科    disease    咳嗽\nP    咳嗽${n}天    1\nD    多喝水    2\nSUM1    咳嗽\n\n`],
    ['Toyhom without a header', importToyhom, '', (n) => `内科,头痛,"头痛${n}天了，吃了止痛药也不见好，该怎么办？",建议就医。\n`],
  ];
  it.each(cases)('yields the first dialogues of %s before the input ends', async (_name, importer, head, unit) => {
    const { state, bytes } = endless(head, unit);
    const got: ImportItem[] = [];
    for await (const item of importer({ file: 'endless', bytes, encoding: 'utf-8' })) {
      got.push(item);
      if (got.length === 3) break;
    }
    expect(got.map((i) => i.kind)).toEqual(['dialogue', 'dialogue', 'dialogue']);
    expect(state.pulled).toBeLessThan(10);
  });

  it('reads a split table whose "columns" array is split across 1-byte chunks, and one whose "data" comes first (read whole)', async () => {
    const rows = [['药能停吗', '遵医嘱'], ['能喝酒吗', '不能']];
    const want = ['safety-0', 'safety-1'];
    const first = J({ columns: ['instruct', 'output'], index: [0, 1], data: rows });
    const dataFirst = J({ data: rows, index: [0, 1], columns: ['instruct', 'output'] });
    for (const text of [first, dataFirst]) {
      for (const size of [1 << 16, 1]) {
        const { dialogues } = await importText(importCmtMedQa, text, 's.json', size);
        expect(dialogues.map((d) => d.origin.sourceId)).toEqual(want);
        expect(turnsOf(dialogues[1])).toEqual([['patient', '能喝酒吗'], ['doctor', '不能']]);
      }
    }
    // A streamed row that is no array of the right length is one reject; the rows around it are read.
    const bad = await importText(importCmtMedQa, '{"columns":["instruct","output"],"data":[["a","b"],"oops",["c"],["d","e"]]}', 's.json', 3);
    expect(kinds(bad.items)).toEqual(['dialogue', 'import.schema', 'import.schema', 'dialogue']);
    expect(bad.rejects[0].detail).toContain("row 1 of the orient='split' table has a string instead of an array");
  });
});

describe('inputs whose one record outgrows any real one', () => {
  /** `head`, then `mib` MiB of `fill` (each MiB ending in a newline when `lines`), then `tail`: streamed, never held. */
  async function* huge(head: string, mib: number, tail: string, lines = false): AsyncGenerator<Buffer> {
    const chunk = lines ? Buffer.from('啊'.repeat(((1 << 20) - 1) / 3) + '\n') : Buffer.alloc(1 << 20, 'a');
    yield Buffer.from(head);
    for (let k = 0; k < mib; k++) yield chunk;
    yield Buffer.from(tail);
  }
  // 600 MiB: past the 2^29 characters a V8 string can hold, where joining the record's text used to throw.
  const cases: Array<[string, Importer, () => AsyncGenerator<Buffer>, string]> = [
    ['a JSON element', importCmtMedQa, () => huge('[{"instruct": "', 600, '", "output": "好"}, {"instruct": "头痛", "output": "休息"}]\n'), 'element 0 is longer than'],
    ['a MedDialog line', importMedDialog, () => huge('id=1\nhttps://x\nDialogue\n病人：\n', 600, '\n医生：\n好\n\nid=2\nhttps://y\nDialogue\n病人：\n头痛\n医生：\n休息\n'), 'consultation id=1 (block 1) holds over'],
    ['a MedDialog block of many lines', importMedDialog, () => huge('id=1\nhttps://x\nDialogue\n病人：\n', 600, '医生：\n好\n\nid=2\nhttps://y\nDialogue\n病人：\n头痛\n医生：\n休息\n', true), 'consultation id=1 (block 1) holds over'],
    ['a HET-MC line', importHetmc, () => huge('id\t1\tdepartment\t内科\tdisease\t头痛\nP\t', 600, '\t0\nD\t好\t1\n\nid\t2\tdepartment\t内科\tdisease\t头痛\nP\t头痛\t0\nD\t休息\t1\n'), 'block 1 (id 1) holds over'],
    ['a Toyhom quoted field', importToyhom, () => huge('department,title,ask,answer\n内科,头痛,"', 600, '",好\n内科,头痛,头痛怎么办,休息\n'), 'row 1 (record 2) holds over'],
  ];
  it.each(cases)('rejects %s of 600 MiB as one import.parse_error, keeping only its head, and reads the record after it', async (_name, importer, bytes, detail) => {
    const { items, rejects } = await collect(importer, { file: 'huge', bytes: bytes(), encoding: 'utf-8' });
    expect(kinds(items)).toEqual(['import.parse_error', 'dialogue']);
    expect(rejects[0].detail).toContain(detail);
    expect(JSON.stringify(rejects[0].input).length).toBeLessThan(20_000);
  });
});
