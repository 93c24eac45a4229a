import { readFileSync } from 'node:fs';
import { describe, expect, it } from '@jest/globals';
import { importers } from '../../src/sources/index.js';
import type { FileFormat, ImportItem, Importer } from '../../src/sources/types.js';
import { sharedData } from '../support/services.js';
import { chunked, collect, fixture } from './helpers.js';

const fixtures: Array<[FileFormat, string]> = [
  ['meddialog', fixture('meddialog', 'consultations.txt')],
  ['hetmc', fixture('hetmc', 'sample.dialog')],
  ['mie', fixture('mie', 'sample.json')],
  ['cmtmedqa', fixture('cmtmedqa', 'sample.json')],
  ['toyhom', fixture('toyhom', 'sample.csv')],
  ['huatuo', fixture('huatuo', 'sample.json')],
  ['huatuo', fixture('malformed', 'truncated-array.json')],
  ['cmtmedqa', fixture('malformed', 'broken-element.json')],
  ['meddialog', fixture('malformed', 'truncated.txt')],
  ['hetmc', fixture('malformed', 'invalid-utf8.dialog')],
  ['toyhom', fixture('malformed', 'bad-rows.csv')],
  ['mie', fixture('malformed', 'mie-gap.json')],
];

async function inChunks(importer: Importer, file: string, size: number): Promise<ImportItem[]> {
  const buf = readFileSync(file);
  return (await collect(importer, { file, bytes: chunked(buf, size || buf.length), encoding: 'auto' })).items;
}

describe('streaming', () => {
  it.each(fixtures)('gives the same %s items from %s in 1-, 2-, 3- and 7-byte chunks as in one chunk', async (format, file) => {
    const whole = await inChunks(importers[format], file, 0);
    expect(whole.length).toBeGreaterThan(0);
    for (const size of [1, 2, 3, 7]) expect(await inChunks(importers[format], file, size)).toEqual(whole);
  });

  it.each<[FileFormat, string[]]>([
    ['toyhom', ['toyhom_cmd', '样例_内科5000-6000.csv']],
    ['meddialog', ['meddialog_covid_zh', 'COVID-Dialogue-Dataset-Chinese.txt']],
    ['cmtmedqa', ['cmtmedqa', 'CMtMedQA_test.json']],
  ])('gives the same %s items from the real file in 7-byte chunks (splitting GBK pairs and UTF-8 characters) as in 64 KiB chunks', async (format, parts) => {
    const file = sharedData('dialogues', ...parts);
    const big = await inChunks(importers[format], file, 64 * 1024);
    const tiny = await inChunks(importers[format], file, 7);
    expect(tiny.length).toBe(big.length);
    expect(tiny).toEqual(big);
  });

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

  it.each<[FileFormat, string, (n: number) => string]>([
    ['meddialog', '', (n) => `id=${n}\nhttps://x.example/${n}\n\nDescription\n疾病： 咳嗽\n\nDialogue\n病人：\n咳嗽${n}天\n医生：\n多喝水\n\n`],
    ['hetmc', '', (n) => `id\t${n}\tdepartment\t内科\tdisease\t咳嗽\nP\t咳嗽${n}天\t1\nD\t多喝水\t2\nSUM1\t咳嗽\nSUM2.0\t多喝水\n\n`],
    ['mie', '[', (n) => `${n ? ',' : ''}[{"utterances":["","","","","患者:心慌${n}天"],"label":[]}]`],
    ['cmtmedqa', '[', (n) => `${n ? ',' : ''}{"instruct":"头痛${n}天","output":"建议就医"}`],
    ['toyhom', 'department,title,ask,answer\n', (n) => `内科,头痛,"头痛${n}天,怎么办",建议就医\n`],
    ['huatuo', '[', (n) => `${n ? ',' : ''}{"id":"","instruction":["头痛${n}天"],"input":"","output":["建议就医"]}`],
  ])('yields the first %s dialogues before the input ends (memory does not grow with the file)', async (format, head, unit) => {
    const { state, bytes } = endless(head, unit);
    const got: ImportItem[] = [];
    for await (const item of importers[format]({ file: `endless.${format}`, bytes, encoding: 'utf-8' })) {
      got.push(item);
      if (got.length === 3) break;
    }
    expect(got.map((i) => i.kind)).toEqual(['dialogue', 'dialogue', 'dialogue']);
    expect(state.pulled).toBeLessThan(10);
  });
});
