/**
 * HET-MC: a blank line inside a block (before its first D turn, before its SUM lines) does not
 * split it; blocks start only at an id header, and real garbage after a blank line is still a
 * block of its own (import.parse_error).
 */
import { describe, expect, it } from '@jest/globals';
import { importHetmc } from '../../src/sources/hetmc.js';
import { importText, turnsOf } from './helpers.js';

const kinds = (items: Awaited<ReturnType<typeof importText>>['items']) => items.map((i) => (i.kind === 'reject' ? i.reject.reason : 'dialogue'));
const head = (id: number) => `id\t${id}\tdepartment\t内科\tdisease\t感冒`;
const sums = 'SUM1\t感冒\nSUM2.0\t多喝水';

describe('HET-MC: blank lines inside a block', () => {
  it('reads a block with a blank line before its first D turn as one dialogue', async () => {
    const text = `${head(1)}\nP\t咳嗽三天了\t0\nP\t还有点发烧\t1\n\nD\t多喝水\t2\nP\t好的\t0\n${sums}\n\n${head(2)}\nP\t头痛\t0\n\n\nD\t量血压\t1\n${sums}\n`;
    for (const chunk of [5, 1 << 16]) {
      const { items, dialogues } = await importText(importHetmc, text, 'blank.dialog', chunk);
      expect(kinds(items)).toEqual(['dialogue', 'dialogue']);
      expect(dialogues.map((d) => [d.origin.sourceId, d.origin.position])).toEqual([['1', 1], ['2', 2]]);
      expect(turnsOf(dialogues[0])).toEqual([['P', '咳嗽三天了'], ['P', '还有点发烧'], ['D', '多喝水'], ['P', '好的']]);
      expect(turnsOf(dialogues[1])).toEqual([['P', '头痛'], ['D', '量血压']]);
    }
  });

  it('keeps SUM lines after a blank line in their block', async () => {
    const { items, dialogues } = await importText(importHetmc, `${head(3)}\nP\t胃疼\t0\nD\t吃点药\t1\n\n${sums}\n\n${head(4)}\nP\t失眠\t0\nD\t早点睡\t1\n${sums}\n`, 'sum.dialog');
    expect(kinds(items)).toEqual(['dialogue', 'dialogue']);
    expect(turnsOf(dialogues[0])).toEqual([['P', '胃疼'], ['D', '吃点药']]);
  });

  it('keeps real garbage after a blank line a block of its own (import.parse_error), and the block before it whole', async () => {
    const { items, dialogues, rejects } = await importText(importHetmc, `${head(5)}\nP\t胃疼\t0\nD\t吃点药\t1\n${sums}\n\nnot a dialogue line\nP\t头痛\t0\n\n${head(6)}\nP\t失眠\t0\nD\t早点睡\t1\n${sums}\n`, 'junk.dialog');
    expect(kinds(items)).toEqual(['dialogue', 'import.parse_error', 'dialogue']);
    expect(turnsOf(dialogues[0])).toEqual([['P', '胃疼'], ['D', '吃点药']]);
    expect(rejects[0].detail).toMatch(/does not start with an "id/);
  });

  it('starts no turn of a closed block after its SUM lines: P/D lines after a blank line there are a block without header', async () => {
    const { items, dialogues } = await importText(importHetmc, `${head(7)}\nP\t胃疼\t0\nD\t吃点药\t1\n${sums}\n\nP\t头痛\t0\nD\t量血压\t1\n${sums}\n`, 'lost-header.dialog');
    expect(kinds(items)).toEqual(['dialogue', 'import.parse_error']);
    expect(turnsOf(dialogues[0])).toEqual([['P', '胃疼'], ['D', '吃点药']]);
  });

  it('still reads a last block that a blank line closes without SUM lines as before', async () => {
    const { items } = await importText(importHetmc, `${head(8)}\nP\t胃疼\t0\nD\t吃点药\t1\n${sums}\n\n${head(9)}\nP\t头痛\t0\nD\t量血压\t1\n\n`, 'last.dialog');
    expect(kinds(items)).toEqual(['dialogue', 'dialogue']);
  });
});
