import { describe, expect, it } from '@jest/globals';
import { csvRows } from '../../src/sources/csv.js';
import { MAX_UNIT_CHARS } from '../../src/sources/lines.js';
import { importToyhom } from '../../src/sources/toyhom.js';
import { collect } from './helpers.js';

/** 9 × 64 Mi characters (one string, repeated): over V8's longest string (2^29 - 24), with no line end. */
const CHUNK_CHARS = 64 << 20;
const CHUNKS = 9;

async function* repeated<T>(chunk: T, n: number): AsyncGenerator<T> {
  for (let k = 0; k < n; k++) yield chunk;
}

describe('CSV without any line end (a file of NUL bytes, a minified JSON dump named as Toyhom)', () => {
  it('csvRows reads it as one record over MAX_UNIT_CHARS, holding no more than that: the header search kept the whole input in one string', async () => {
    const events = [];
    // Before: `head += chunk` until a line end threw "Invalid string length" (and rescanned the
    // growing head once per chunk: a 1 GB file of NULs did not finish in 300 s).
    for await (const ev of csvRows(repeated('a'.repeat(CHUNK_CHARS), CHUNKS))) events.push({ ...ev, fields: ev.fields.map((f) => f.length) });
    expect(events).toEqual([{ kind: 'row', record: 1, fields: [MAX_UNIT_CHARS], unterminated: true, tooLong: true }]);
  });

  it('the Toyhom importer makes it one import.schema reject (no header), and the run goes on', async () => {
    const bytes = repeated(Buffer.alloc(CHUNK_CHARS, 0), CHUNKS);
    const { dialogues, rejects } = await collect(importToyhom, { file: 'nul.csv', bytes, encoding: 'auto' });
    expect(dialogues).toEqual([]);
    expect(rejects.map((r) => [r.reason, r.origin.sourceId])).toEqual([['import.schema', 'header']]);
  });
});
