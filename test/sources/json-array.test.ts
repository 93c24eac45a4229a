import { describe, expect, it } from '@jest/globals';
import { jsonArrayBatches, jsonArrayElements, type JsonArrayEvent } from '../../src/sources/json-array.js';

async function scan(text: string, chunkSize = 1 << 16): Promise<JsonArrayEvent[]> {
  async function* chunks() {
    for (let i = 0; i < text.length; i += chunkSize) yield text.slice(i, i + chunkSize);
  }
  const out: JsonArrayEvent[] = [];
  for await (const ev of jsonArrayElements(chunks())) out.push(ev);
  return out;
}

describe('JSON array scanner', () => {
  it('finds elements of every JSON type, with brackets and escaped quotes inside strings', async () => {
    const text = ' [ {"a": "x]}\\"{["}, [1, [2, 3]], "s,t\\\\", 42, -1.5e3, true, null, {} ] \n';
    const values = (await scan(text)).map((e) => (e.kind === 'element' ? e.value : e));
    expect(values).toEqual([{ a: 'x]}"{[' }, [1, [2, 3]], 's,t\\', 42, -1500, true, null, {}]);
  });

  it('finds the same elements when the text arrives one character at a time', async () => {
    const text = '[{"q": "咳嗽\\"三天\\"", "a": ["多喝水", "休息"]}, "末尾", 7]';
    expect(await scan(text, 1)).toEqual(await scan(text));
    expect((await scan(text, 1)).map((e) => e.kind)).toEqual(['element', 'element', 'element']);
  });

  it('numbers elements from 0 and reports an empty array as no elements', async () => {
    expect(await scan('[]')).toEqual([]);
    expect((await scan('[{"a":1},{"a":2}]')).map((e) => e.index)).toEqual([0, 1]);
  });

  it('reports a broken element as invalid with its raw text and carries on', async () => {
    const events = await scan('[{"a": 1}, {"a": 2 "b": 3}, {"a": 4}]');
    expect(events.map((e) => e.kind)).toEqual(['element', 'invalid', 'element']);
    expect(events[1]).toMatchObject({ index: 1, raw: '{"a": 2 "b": 3}' });
    expect(events[2]).toEqual({ kind: 'element', index: 2, value: { a: 4 } });
  });

  it('reports an input cut inside an element, or before the closing bracket, as truncated', async () => {
    expect((await scan('[{"a": 1}, {"a": "tw')).slice(1)).toEqual([{ kind: 'truncated', index: 1, raw: '{"a": "tw', detail: 'the input ends inside element 1' }]);
    expect((await scan('[{"a": 1},')).slice(1)).toMatchObject([{ kind: 'truncated', index: 1, raw: '' }]);
    expect(await scan('')).toMatchObject([{ kind: 'truncated', index: 0 }]);
  });

  it('reports an input that is not an array, or has content other than another array after it, as invalid', async () => {
    expect(await scan('a,b\n1,2')).toMatchObject([{ kind: 'invalid', index: 0, raw: 'a,b\n1,2' }]);
    expect(await scan('[1] x2')).toMatchObject([{ kind: 'element', value: 1 }, { kind: 'invalid', index: 1, raw: 'x2' }]);
  });

  it('reads arrays written one after the other (concatenated files) as one, numbering on', async () => {
    expect(await scan('[1] [2]')).toMatchObject([{ kind: 'element', index: 0, value: 1 }, { kind: 'element', index: 1, value: 2 }]);
  });
});

describe('JSON Lines input', () => {
  it('reads objects one per line (no enclosing array) as elements, a broken line as invalid, and ends cleanly', async () => {
    const { jsonArrayElements } = await import('../../src/sources/json-array.js');
    async function* text() {
      yield '{"a":1}\n{"a":2 "b":2}\n';
      yield '{"a":3}\n';
    }
    const events = [];
    for await (const e of jsonArrayElements(text())) events.push(e.kind === 'element' ? e.value : e.kind);
    expect(events).toEqual([{ a: 1 }, 'invalid', { a: 3 }]);
  });

  it('gives in batches, one per text chunk that completes an element, exactly the events it gives one by one', async () => {
    const text = `[${Array.from({ length: 300 }, (_, i) => (i % 50 === 7 ? '{"broken": }' : JSON.stringify({ i, s: `第${i}条 "引号" \\ 反斜杠` }))).join(',\n')}\n`; // no closing bracket: truncated
    for (const size of [text.length, 1000, 37]) {
      async function* chunks() {
        for (let i = 0; i < text.length; i += size) yield text.slice(i, i + size);
      }
      const batches: JsonArrayEvent[][] = [];
      for await (const b of jsonArrayBatches(chunks())) batches.push(b);
      expect(batches.flat()).toEqual(await scan(text, size));
      expect(batches.every((b) => b.length > 0)).toBe(true);
      expect(batches.length).toBeLessThanOrEqual(Math.ceil(text.length / size) + 1);
      expect(batches.flat().map((e) => e.kind).filter((k) => k !== 'element')).toEqual([...Array(6).fill('invalid'), 'truncated']);
    }
  });
});
