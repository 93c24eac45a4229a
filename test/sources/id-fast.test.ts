import path from 'node:path';
import { describe, expect, it } from '@jest/globals';
import { contentId, sha256Hex } from '../../src/core/ids.js';
import { createHash } from 'node:crypto';
import { idPath, rawDialogueId } from '../../src/sources/id.js';
import { recordId } from '../../src/stages/split/index.js';
import type { SourceFormat } from '../../schemas/dialogue.js';

/** What the ids were defined by: contentId over the object, keys sorted by canonicalJson. */
function byCanonical(a: Parameters<typeof rawDialogueId>[0]): string {
  return contentId({ format: a.format, file: idPath(a.file), sourceId: a.sourceId, position: a.position, visit: a.visit, turns: a.turns.map((t) => ({ speaker: t.speaker, text: t.text })) });
}

describe('fixed-order ids', () => {
  const texts = ['', '头痛三天了', '病人："发烧"\\n\t', '\ud83d\ude00 emoji', '\ud800 lone', '\u2028\u2029', '</script>', '\u0000\u001f', 'a'.repeat(5000)];
  const numbers = [0, 1, 7, -0, 1.5, 1e21, 2 ** 53, NaN, Infinity, -Infinity];

  it('gives every dialogue id canonicalJson + sha256 gave (strings, odd numbers, visit or none)', () => {
    let n = 0;
    for (const format of ['huatuo', 'cmtmedqa', 'toyhom'] as SourceFormat[])
      for (const file of ['a.json', './x//y.csv', path.join(process.cwd(), 'z', 'w.txt'), '../up/f.json', ''])
        for (const position of numbers)
          for (const visit of [undefined, 0, 3, NaN]) {
            const turns = [{ speaker: '病人', text: texts[n % texts.length] }, { speaker: '医生"', text: texts[(n * 7 + 3) % texts.length] }];
            const a = { format, file, sourceId: `s-${texts[n % texts.length]}`, position, visit, turns };
            expect(rawDialogueId(a)).toBe(byCanonical(a));
            n++;
          }
    expect(rawDialogueId({ format: 'huatuo', file: 'a.json', sourceId: 's', position: 1, turns: [] })).toBe(byCanonical({ format: 'huatuo', file: 'a.json', sourceId: 's', position: 1, turns: [] }));
  });

  it('falls back to the canonical writer for values that are not plain strings and numbers', () => {
    const odd = { format: 'huatuo' as SourceFormat, file: 'a.json', sourceId: 7 as unknown as string, position: 1, turns: [{ speaker: '病人', text: undefined as unknown as string }] };
    expect(rawDialogueId(odd)).toBe(byCanonical(odd));
  });

  it('gives every record id the contentId of { dialogue, window, start, end }', () => {
    for (const d of ['', 'abc123', '"quoted"\\', '\ud800'])
      for (const [w, s, e] of [[0, 0, 1], [3, 2, 5], [1e21, -0, NaN]]) expect(recordId(d, w, s, e)).toBe(contentId({ dialogue: d, window: w, start: s, end: e }, 20));
  });

  it('hashes one-shot to the digest a Hash object gives', () => {
    for (const t of texts) expect(sha256Hex(t)).toBe(createHash('sha256').update(t).digest('hex'));
    expect(sha256Hex(Buffer.from([0, 255, 10]))).toBe(createHash('sha256').update(Buffer.from([0, 255, 10])).digest('hex'));
  });
});
