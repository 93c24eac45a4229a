/**
 * Toyhom CSV lines holding nothing but spaces or tabs are blank lines (as pandas' read_csv skips
 * them): a file of only such lines is empty (import.truncated, as for every format), one before the
 * header does not hide the header, and one between or after rows is no row (no parse_error reject
 * counted as a dialogue).
 */
import { describe, expect, it } from '@jest/globals';
import { importToyhom } from '../../src/sources/toyhom.js';
import { importText } from './helpers.js';

const kinds = (items: Awaited<ReturnType<typeof importText>>['items']) => items.map((i) => (i.kind === 'reject' ? i.reject.reason : 'dialogue'));
const head = 'department,title,ask,answer\n';
const row = (n: number) => `内科,标题${n},问题${n}是什么呢,回答${n}是这样的\n`;

describe('Toyhom: whitespace-only lines', () => {
  it('reads a file of only spaces, tabs and line ends as empty (import.truncated)', async () => {
    const { items, rejects } = await importText(importToyhom, '   \n\t\n  \r\n', 'ws.csv');
    // Before: import.schema "the header (record 1) does not name the columns".
    expect(kinds(items)).toEqual(['import.truncated']);
    expect(rejects[0].detail).toContain('empty');
  });

  it('finds the header after whitespace-only lines', async () => {
    const { items, dialogues } = await importText(importToyhom, `\n  \n\t\n${head}${row(1)}${row(2)}`, 'lead.csv');
    // Before: one import.schema reject and none of the rows read.
    expect(kinds(items)).toEqual(['dialogue', 'dialogue']);
    expect(dialogues.map((d) => d.origin.sourceId)).toEqual(['row-1', 'row-2']);
  });

  it('reads no row from whitespace-only lines between and after rows', async () => {
    const { items, dialogues } = await importText(importToyhom, `${head}${row(1)}   \n${row(2)}\t\n \n  `, 'trail.csv');
    // Before: dialogue, parse_error, dialogue, parse_error, parse_error, truncated.
    expect(kinds(items)).toEqual(['dialogue', 'dialogue']);
    expect(dialogues[1].turns[0].text).toBe('问题2是什么呢');
  });

  it('still rejects a row of several empty fields as a row of the wrong width', async () => {
    const { items } = await importText(importToyhom, `${head}${row(1)} , \n`, 'commas.csv');
    expect(kinds(items)).toEqual(['dialogue', 'import.parse_error']);
  });
});
