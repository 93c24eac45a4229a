/**
 * Issue 9 reproductions for the readers: each hostile or broken input becomes the right dialogue
 * or a reject, never a silently wrong dialogue.
 */
import { describe, expect, it } from '@jest/globals';
import iconv from 'iconv-lite';
import { normaliseOne } from '../../src/stages/normalise/index.js';
import { importCmtMedQa } from '../../src/sources/cmtmedqa.js';
import { decodeLine, plausibility, SNIFF_BYTES } from '../../src/sources/encoding.js';
import { idPath } from '../../src/sources/id.js';
import { importHuatuo } from '../../src/sources/huatuo.js';
import { MAX_REJECT_INPUT_CHARS } from '../../src/sources/item.js';
import { MAX_JSON_DEPTH } from '../../src/sources/json-array.js';
import { importMedDialog } from '../../src/sources/meddialog.js';
import { importMie } from '../../src/sources/mie.js';
import { importToyhom } from '../../src/sources/toyhom.js';
import type { Importer } from '../../src/sources/types.js';
import { testContext } from '../support/context.js';
import { chunked, collect, importText, turnsOf } from './helpers.js';

const kinds = (items: Awaited<ReturnType<typeof collect>>['items']) => items.map((i) => (i.kind === 'reject' ? i.reject.reason : 'dialogue'));

function block(id: number, patient: string, doctor: string): string {
  return `id=${id}\nhttps://www.haodf.com/x/${id}.htm\n\nDescription\n疾病： 咳嗽\n\nDialogue\n病人：\n${patient}\n医生：\n${doctor}\n\n`;
}

describe('Toyhom: a last row cut mid-field', () => {
  const head = 'department,title,ask,answer\n内科,头痛,头痛三天怎么办,建议先测血压\n';

  it('is import.truncated when the file ends inside an unquoted field with no final newline', async () => {
    const { items, dialogues, rejects } = await importText(importToyhom, `${head}内科,咳嗽,咳嗽一周,建议多喝`, 'cut.csv');
    expect(kinds(items)).toEqual(['dialogue', 'import.truncated']);
    expect(dialogues[0].turns[1].text).toBe('建议先测血压');
    expect(rejects[0].origin.sourceId).toBe('row-2');
    expect(rejects[0].input).toEqual(['内科', '咳嗽', '咳嗽一周', '建议多喝']);
  });

  it('is import.truncated when the cut falls in an earlier field (not a field-count parse error)', async () => {
    const { items } = await importText(importToyhom, `${head}内科,咳`, 'cut2.csv');
    expect(kinds(items)).toEqual(['dialogue', 'import.truncated']);
  });

  it('keeps a complete last row that ends with a newline', async () => {
    const { items } = await importText(importToyhom, `${head}内科,咳嗽,咳嗽一周,建议多喝水\n`, 'whole.csv');
    expect(kinds(items)).toEqual(['dialogue', 'dialogue']);
  });
});

describe('MedDialog: 护士 lines and byte-order marks', () => {
  it('reads a 护士： line as a turn of its own, never as text of the patient turn', async () => {
    const text = 'id=1\nhttps://www.haodf.com/x/1.htm\n\nDialogue\n病人：\n我咳嗽三天了\n护士：\n医生正在手术，请稍等\n医生：\n多喝水，注意休息\n\n';
    const { dialogues } = await importText(importMedDialog, text, 'nurse.txt');
    expect(dialogues).toHaveLength(1);
    expect(turnsOf(dialogues[0])).toEqual([
      ['病人', '我咳嗽三天了'],
      ['护士', '医生正在手术，请稍等'],
      ['医生', '多喝水，注意休息'],
    ]);
  });

  it('opens a doctor turn at 医师：, 专家： and the traditional 醫生：, and maps them to the doctor in normalise', async () => {
    for (const label of ['医师', '专家', '醫生', '醫師']) {
      const text = `id=3\nhttps://www.haodf.com/x/3.htm\n\nDialogue\n病人：\n发烧会传染吗？\n${label}：\n不是一旦发烧就会传染\n\n`;
      const { dialogues } = await importText(importMedDialog, text, 'labels.txt');
      // Before: the label line was text, so the doctor's answer ended up in the patient's turn.
      expect(turnsOf(dialogues[0])).toEqual([['病人', '发烧会传染吗？'], [label, '不是一旦发烧就会传染']]);
      const n = normaliseOne(dialogues[0], testContext());
      expect('turns' in n && n.turns.map((t) => t.role)).toEqual(['patient', 'doctor']);
    }
  });

  it('reads P： / D： label lines as the patient and the doctor, and says so when a Dialogue section has no label it knows', async () => {
    const text = 'id=4\nhttps://www.haodf.com/x/4.htm\n\nDialogue\nP：\n嗓子疼三天\nD：\nD-二聚体正常，多喝水\n\nid=5\n\nDialogue\n〖咨询人〗\n嗓子疼\n\n'; // (【病人】 is a near miss read as 病人 since session 18)
    const { dialogues } = await importText(importMedDialog, text, 'short.txt');
    expect(turnsOf(dialogues[0])).toEqual([['P', '嗓子疼三天'], ['D', 'D-二聚体正常，多喝水']]);
    const n = normaliseOne(dialogues[0], testContext());
    expect('turns' in n && n.turns.map((t) => t.role)).toEqual(['patient', 'doctor']);
    // Before: "none of the 0 turns has text after cleaning"
    const r = normaliseOne(dialogues[1], testContext());
    expect(r).toMatchObject({ reason: 'normalise.empty', detail: expect.stringContaining('no speaker line its importer knows') });
  });

  it('rejects a dialogue with a nurse turn in normalise as normalise.unknown_speaker (staff is neither side)', async () => {
    const text = 'id=1\nhttps://www.haodf.com/x/1.htm\n\nDialogue\n病人：\n我咳嗽三天了\n护士：\n医生正在手术，请稍等\n医生：\n多喝水\n\n';
    const { dialogues } = await importText(importMedDialog, text, 'nurse.txt');
    const r = normaliseOne(dialogues[0], testContext());
    expect('reason' in r && r.reason).toBe('normalise.unknown_speaker');
  });

  it('does not glue the id= line after a mid-file byte-order mark into the previous doctor turn', async () => {
    const bom = Buffer.from([0xef, 0xbb, 0xbf]);
    const bytes = Buffer.concat([bom, Buffer.from(block(1, '头痛两天', '建议测血压'), 'utf8'), bom, Buffer.from(block(2, '咳嗽一周', '多喝水'), 'utf8')]);
    for (const size of [1, 3, 1 << 16]) {
      const { dialogues, rejects } = await collect(importMedDialog, { file: 'concat.txt', bytes: chunked(bytes, size), encoding: 'auto' });
      expect(rejects).toEqual([]);
      expect(dialogues.map((d) => d.origin.sourceId)).toEqual(['1', '2']);
      expect(turnsOf(dialogues[0])).toEqual([['病人', '头痛两天'], ['医生', '建议测血压']]);
    }
    // the same with the encoding named explicitly (no per-line decoding): the line reader drops it
    const { dialogues } = await collect(importMedDialog, { file: 'concat.txt', bytes: chunked(bytes, 5), encoding: 'utf-8' });
    expect(dialogues.map((d) => d.origin.sourceId)).toEqual(['1', '2']);
  });
});

describe('MIE as JSON Lines', () => {
  const dialogue = (n: number) => JSON.stringify([
    { utterances: ['', '', '', '', `患者:心慌${n}天`], label: [] },
    { utterances: ['', '', '', `患者:心慌${n}天`, '医生:做个心电图'], label: [] },
  ]);

  it('counts 3 dialogues as 3 inputs', async () => {
    for (const text of [[1, 2, 3].map(dialogue).join('\n') + '\n', [1, 2, 3].map(dialogue).join('\n')]) {
      const { items, dialogues } = await importText(importMie, text, 'mie.jsonl', 7);
      expect(kinds(items)).toEqual(['dialogue', 'dialogue', 'dialogue']);
      expect(dialogues.map((d) => turnsOf(d)[0][1])).toEqual(['心慌1天', '心慌2天', '心慌3天']);
    }
  });

  it('still reads the published layout (one array of dialogues) element by element', async () => {
    const { items } = await importText(importMie, `[\n${[1, 2, 3].map(dialogue).join(',\n')}\n]`, 'mie.json');
    expect(kinds(items)).toEqual(['dialogue', 'dialogue', 'dialogue']);
  });
});

describe('encoding decided per line', () => {
  const gbRow = (n: number) => `内科,头痛${n},最近头痛得厉害怎么办,建议先测量血压再决定用药\n`;

  it('reads a UTF-8 row after a GB18030 start as UTF-8, even where its GB18030 decoding has no U+FFFD', async () => {
    // 我头很痛 in UTF-8 is 12 bytes that GB18030 decodes without a U+FFFD, as 鎴戝ご寰堢棝
    expect(iconv.decode(Buffer.from('我头很痛', 'utf8'), 'gb18030')).toBe('鎴戝ご寰堢棝');
    const rows: string[] = [];
    for (let n = 0; rows.join('').length * 2 < SNIFF_BYTES + 1000; n++) rows.push(gbRow(n));
    const bytes = Buffer.concat([
      iconv.encode('department,title,ask,answer\n' + rows.join(''), 'gb18030'),
      Buffer.from('内科,头痛,我头很痛,医生建议休息\n', 'utf8'),
      iconv.encode(gbRow(99999), 'gb18030'),
    ]);
    const { dialogues, rejects } = await collect(importToyhom, { file: 'mixed.csv', bytes: chunked(bytes, 4096), encoding: 'auto' });
    expect(rejects).toEqual([]);
    expect(dialogues).toHaveLength(rows.length + 2);
    expect(turnsOf(dialogues[rows.length])).toEqual([['patient', '我头很痛'], ['doctor', '医生建议休息']]);
    expect(dialogues[rows.length + 1].title).toBe('头痛99999');
    for (const d of dialogues) expect(JSON.stringify(d)).not.toMatch(/鎴|寰|棝/);
  });

  it('reads a GB18030 row after a UTF-8 start as GB18030', async () => {
    const bytes = Buffer.concat([Buffer.from('department,title,ask,answer\n' + gbRow(1), 'utf8'), iconv.encode(gbRow(2), 'gb18030')]);
    const { dialogues, rejects } = await collect(importToyhom, { file: 'mixed2.csv', bytes: chunked(bytes, 3), encoding: 'auto' });
    expect(rejects).toEqual([]);
    expect(dialogues.map((d) => d.title)).toEqual(['头痛1', '头痛2']);
  });

  it('scores mojibake as implausible and real text as plausible', () => {
    expect(plausibility('鎴戝ご寰堢棝').plausible).toBe(false);
    expect(plausibility('我头很痛，医生建议休息').plausible).toBe(true);
    expect(plausibility('头\ufffd痛').plausible).toBe(false);
    // a GB18030 line that happens to be valid UTF-8: read as GB18030 whatever the prior
    const gb = iconv.encode('头痛', 'gb18030');
    expect(decodeLine(gb, 'utf-8')).toBe('头痛');
    expect(decodeLine(Buffer.from('头痛', 'utf8'), 'gb18030')).toBe('头痛');
  });
});

describe('ids from the relative source path', () => {
  it('normalises the path it puts into ids', () => {
    expect(idPath('./a//b/c.txt')).toBe('a/b/c.txt');
    expect(idPath('a/../a/c.txt')).toBe('a/c.txt');
  });

  it('gives two same-named files in different folders different dialogue ids', async () => {
    const text = block(1, '头痛两天', '建议测血压');
    const a = await importText(importMedDialog, text, 'one/dump.txt');
    const b = await importText(importMedDialog, text, 'two/dump.txt');
    expect(a.dialogues[0].id).not.toBe(b.dialogues[0].id);
    expect((await importText(importMedDialog, text, 'one/dump.txt')).dialogues[0].id).toBe(a.dialogues[0].id);
  });
});

describe('deeply nested JSON', () => {
  const deep = (levels: number) => '['.repeat(levels) + ']'.repeat(levels);

  it.each<[string, Importer]>([
    ['cmtmedqa', importCmtMedQa],
    ['huatuo', importHuatuo],
    ['mie', importMie],
  ])('%s: an element nested ~3,000 levels deep (6 KB) is an import.schema reject holding capped raw text, and the next element is read', async (format, importer) => {
    const good =
      format === 'mie'
        ? JSON.stringify([{ utterances: ['', '', '', '', '患者:头痛'], label: [] }])
        : format === 'huatuo'
          ? JSON.stringify({ id: '', instruction: ['头痛'], input: '', output: ['休息'] })
          : JSON.stringify({ instruct: '头痛', output: '休息' });
    const text = `[\n${deep(3000)},\n{"x": ${deep(3000)}},\n${good}\n]`;
    expect(Buffer.byteLength(text)).toBeGreaterThan(6000);
    const { items, rejects } = await importText(importer, text, `deep.${format}.json`);
    expect(kinds(items)).toEqual(['import.schema', 'import.schema', 'dialogue']);
    for (const r of rejects) {
      expect(typeof r.input).toBe('string');
      expect((r.input as string).length).toBeLessThan(MAX_REJECT_INPUT_CHARS + 100);
      expect(r.detail).toContain(`at most ${MAX_JSON_DEPTH}`);
    }
  });

  it('reads an element exactly at the depth limit as a value (then the format decides)', async () => {
    const { rejects } = await importText(importCmtMedQa, `[${deep(MAX_JSON_DEPTH)}]`, 'limit.json');
    expect(rejects).toHaveLength(1);
    expect(rejects[0].detail).toContain('matches neither CMtMedQA shape');
  });
});
