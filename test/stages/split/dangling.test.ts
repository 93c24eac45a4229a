import { describe, expect, it } from '@jest/globals';
import type { Dialogue } from '../../../schemas/dialogue.js';
import { withoutDanglingLabels } from '../../../src/stages/split/dangling.js';
import { split } from '../../../src/stages/split/index.js';
import { origin, testContext } from '../../support/context.js';

describe('labels and colons left dangling at the end of a record text', () => {
  it('drops a colon that ends a text with nothing after it', () => {
    expect(withoutDanglingLabels('建议先吃两天布洛芬，多喝温水：')).toBe('建议先吃两天布洛芬，多喝温水');
    expect(withoutDanglingLabels('孩子夜里总是咳醒是怎么回事：')).toBe('孩子夜里总是咳醒是怎么回事');
    expect(withoutDanglingLabels('先观察两天。：')).toBe('先观察两天。');
    expect(withoutDanglingLabels('尿酸偏高要紧吗: ')).toBe('尿酸偏高要紧吗');
  });

  it('drops an empty form label with its colon, glued or on its own, and every one of a row of them', () => {
    expect(withoutDanglingLabels('手腕酸痛一个月了，贴膏药没用辅助检查：')).toBe('手腕酸痛一个月了，贴膏药没用');
    expect(withoutDanglingLabels('膝盖响要紧吗？化验、检查结果：')).toBe('膝盖响要紧吗？');
    expect(withoutDanglingLabels('膝盖响要紧吗，检查结果：')).toBe('膝盖响要紧吗。');
    expect(withoutDanglingLabels('主要症状：腰酸发病时间：')).toBe('主要症状：腰酸');
    expect(withoutDanglingLabels('患者性别：患者年龄：')).toBe('');
    // a short label only after a boundary or a form value
    expect(withoutDanglingLabels('性别：女年龄：35病史：')).toBe('性别：女年龄：35');
    expect(withoutDanglingLabels('家里人都有高血压病史：')).toBe('家里人都有高血压病史');
  });

  it('keeps a label that a possessive makes part of the sentence, and colons inside the text', () => {
    expect(withoutDanglingLabels('我想知道我的检查结果：')).toBe('我想知道我的检查结果');
    expect(withoutDanglingLabels('注意以下几点：\n1、多喝水\n2、少熬夜')).toBe('注意以下几点：\n1、多喝水\n2、少熬夜');
    expect(withoutDanglingLabels('用药情况：\n布洛芬')).toBe('用药情况：\n布洛芬');
  });

  it('drops the colon or empty label before a removed ask-form prompt, in the ask-form sources only', () => {
    expect(withoutDanglingLabels('晚上总听见耳鸣：\n要紧吗', true)).toBe('晚上总听见耳鸣\n要紧吗');
    expect(withoutDanglingLabels('性别：女年龄：35病史：\n手腕酸痛一个月', true)).toBe('性别：女年龄：35\n手腕酸痛一个月');
    expect(withoutDanglingLabels('患者性别：患者年龄：\n手腕酸痛一个月', true)).toBe('手腕酸痛一个月');
    expect(withoutDanglingLabels('晚上总听见耳鸣：\n要紧吗')).toBe('晚上总听见耳鸣：\n要紧吗');
  });
});

describe('an empty heading at the end of an answer', () => {
  it('goes with its colon, glued to the last words or after a sentence', () => {
    expect(withoutDanglingLabels('一般不用吃药，多喝温水生活调理：')).toBe('一般不用吃药，多喝温水');
    expect(withoutDanglingLabels('先复查血常规。温馨提示：')).toBe('先复查血常规。');
    expect(withoutDanglingLabels('少吃辛辣，按时复诊……饮食注意：')).toBe('少吃辛辣，按时复诊……');
  });

  it('stays, without its colon, where the sentence names it (一些注意事项：)', () => {
    expect(withoutDanglingLabels('术后还有一些注意事项：')).toBe('术后还有一些注意事项');
    expect(withoutDanglingLabels('请记住以下几点注意事项：')).toBe('请记住以下几点注意事项');
    expect(withoutDanglingLabels('这是拔牙后的温馨提示：')).toBe('这是拔牙后的温馨提示');
  });
});

describe('split tidies the merged texts of each round', () => {
  const dialogue = (format: 'huatuo' | 'meddialog', turns: Array<['patient' | 'doctor', string]>, singleTurn = false): Dialogue => ({
    id: `dlg-${format}-${turns.length}`,
    origin: origin('7', { format }),
    turns: turns.map(([role, text]) => ({ role, text })),
    ...(singleTurn ? { singleTurn: true } : {}),
  });

  it('ends an output on its last words, not on a colon, and keeps a list colon a later turn of the doctor answers', () => {
    const { out } = split([dialogue('meddialog', [['patient', '发烧两天了，要去医院吗'], ['doctor', '先在家吃退烧药，注意以下两点：'], ['doctor', '1、多喝水\n2、体温过三十九度就去医院'], ['patient', '好的，还要吃别的药吗'], ['doctor', '暂时不用，多休息，观察两天：']])], testContext());
    expect(out).toHaveLength(1);
    expect(out[0].record.output).toBe('暂时不用，多休息，观察两天');
    expect(out[0].record.history).toEqual([['发烧两天了，要去医院吗', '先在家吃退烧药，注意以下两点：\n1、多喝水\n2、体温过三十九度就去医院']]);
  });

  it('rejects a question made of empty form labels only as split.thin_instruction', () => {
    const { out, rejects } = split([dialogue('huatuo', [['patient', '患者性别：患者年龄：主要症状：'], ['doctor', '腰肌劳损多与久坐有关，注意休息和热敷。']], true)], testContext());
    expect(out).toHaveLength(0);
    expect(rejects.map((r) => r.reason)).toEqual(['split.thin_instruction']);
    // the reject shows the question as written
    expect((rejects[0].input as { rounds: Array<{ patient: string }> }).rounds[0].patient).toBe('患者性别：患者年龄：主要症状：');
  });

  it('drops the colon before the removed prompt of a Huatuo question', () => {
    const { out } = split([dialogue('huatuo', [['patient', '手指关节晨起僵硬：\n是类风湿吗？'], ['doctor', '晨僵超过一小时要查类风湿因子和抗CCP抗体。']], true)], testContext());
    expect(out[0].record.instruction).toBe('手指关节晨起僵硬\n是类风湿吗？');
  });
});
