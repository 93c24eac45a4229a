import { readFileSync } from 'node:fs';
import { describe, expect, it } from '@jest/globals';
import { jsonArrayElements, type JsonArrayEvent } from '../../src/sources/json-array.js';
import { sharedData } from '../support/services.js';

async function* pieces(s: string, size: number): AsyncGenerator<string> {
  for (let i = 0; i < s.length; i += size) yield s.slice(i, i + size);
}

async function events(s: string, size: number): Promise<JsonArrayEvent[]> {
  const out: JsonArrayEvent[] = [];
  for await (const e of jsonArrayElements(pieces(s, size))) out.push(e);
  return out;
}

describe('json-array scanner skipping through strings', () => {
  it('finds exactly the elements JSON.parse finds in the real array files, in any chunk size', async () => {
    for (const f of ['cmtmedqa/CMtMedQA_test.json', 'huatuo26m/huatuo26M_test.json', 'mie_chunyu/dev.json']) {
      const text = readFileSync(sharedData('dialogues', f), 'utf8');
      const want = (JSON.parse(text) as unknown[]).map((value, index) => ({ kind: 'element', index, value }));
      for (const size of [text.length, 65_536, 4099, 97]) expect(await events(text, size)).toEqual(want);
    }
  });

  it('keeps escapes, quotes and broken strings across chunk boundaries', async () => {
    const text = '[{"a":"x\\\\\\"y\\\\"},"s\\"t",{"b":"no end\n},{"c":"[{]}\\u005c"}, 3]';
    const whole = await events(text, text.length);
    expect(whole.map((e) => e.kind)).toEqual(['element', 'element', 'invalid', 'element', 'element']);
    expect(whole[0]).toEqual({ kind: 'element', index: 0, value: { a: 'x\\"y\\' } });
    for (let size = 1; size < 12; size++) expect(await events(text, size)).toEqual(whole);
  });
});
