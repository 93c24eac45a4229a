import { describe, it, expect } from '@jest/globals';
import { CMtMedQARecord, isCMtMedQARecord } from '../../../schemas/record.js';

const valid = { id: 'r1', cate1: '内科', cate2: '消化内科', instruction: '胃痛三天', input: '', output: '吃过什么？', history: [['你好', '你好，请讲']] };

/** Variants of a record: each differs from a valid one in one way the schema may or may not accept. */
function variants(): unknown[] {
  const out: unknown[] = [valid, { ...valid, history: [] }, { ...valid, input: '补充' }];
  const keys = Object.keys(valid) as Array<keyof typeof valid>;
  const values: unknown[] = ['', 'x', 0, 1, null, undefined, true, [], {}, [['a', 'b']], [['a']], [['a', 'b', 'c']], [['a', 1]], [[null, 'b']], ['ab'], [new String('a')], new String('s')];
  for (const k of keys) {
    const { [k]: _drop, ...rest } = valid;
    out.push(rest); // missing key
    for (const v of values) out.push({ ...valid, [k]: v });
  }
  out.push({ ...valid, extra: 1 }, { ...valid, extra: undefined });
  out.push(Object.assign(Object.create(null), valid), Object.assign(Object.create({ inherited: 1 }), valid));
  const sparse = { ...valid, history: [['a', 'b'], ['c', 'd']] };
  delete (sparse.history as unknown[])[0];
  out.push(sparse, [valid], null, 'record', 42);
  class Rec { id = 'r'; cate1 = ''; cate2 = ''; instruction = 'a'; input = ''; output = 'b'; history = []; }
  out.push(new Rec());
  return out;
}

describe('isCMtMedQARecord (the validate stage skips zod for records it accepts)', () => {
  it('accepts only what the schema accepts, and accepts plain valid records', () => {
    const vs = variants();
    let accepted = 0;
    for (const v of vs) {
      if (isCMtMedQARecord(v)) {
        accepted++;
        expect(CMtMedQARecord.safeParse(v).success).toBe(true);
      }
    }
    expect(isCMtMedQARecord(valid)).toBe(true);
    expect(isCMtMedQARecord(JSON.parse(JSON.stringify(valid)))).toBe(true);
    // Valid variants: history [], the value pairs of history/input/cate*, … — well over a handful.
    expect(accepted).toBeGreaterThan(10);
    // And it says false for the kinds of bad value the schema rejects.
    for (const bad of [{ ...valid, output: '' }, { ...valid, extra: 1 }, { ...valid, history: [['a']] }, null]) {
      expect(isCMtMedQARecord(bad)).toBe(false);
      expect(CMtMedQARecord.safeParse(bad).success).toBe(false);
    }
  });
});
