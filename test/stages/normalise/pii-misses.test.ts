import { describe, expect, it } from '@jest/globals';
import { scrubPii } from '../../../src/stages/normalise/pii.js';

describe('PII the scrubber used to miss (audit)', () => {
  it('scrubs 18 digits after a 身份证 label whatever the check digit', () => {
    expect(scrubPii('身份证号110101199003071234，请核对')).toBe('身份证号<ID>，请核对');
    expect(scrubPii('我的身份证是110101199003071230')).toBe('我的身份证是<ID>');
    expect(scrubPii('身份证：11010119900307123X。')).toBe('身份证：<ID>。');
    expect(scrubPii('身份证号码: 110101199003071234')).toBe('身份证号码: <ID>');
  });

  it('keeps 18 digits with a wrong check digit when no label says they are an ID', () => {
    expect(scrubPii('编号110101199003071234')).toBe('编号110101199003071234');
  });

  it('scrubs mobiles spelt with spaces, in Chinese digits, and with the prefix in brackets', () => {
    expect(scrubPii('电话1 3 8 1 2 3 4 5 6 7 8，')).toBe('电话<PHONE>，');
    expect(scrubPii('打一三八一二三四五六七八找我')).toBe('打<PHONE>找我');
    expect(scrubPii('号码幺三八幺二三四五六七八')).toBe('号码<PHONE>');
    expect(scrubPii('电话(138)1234-5678。')).toBe('电话<PHONE>。');
    expect(scrubPii('电话（139）12345678')).toBe('电话<PHONE>');
  });

  it('keeps digit lists and Chinese numbers that are not 11-digit mobiles', () => {
    expect(scrubPii('服药1 3 5天')).toBe('服药1 3 5天');
    expect(scrubPii('一三五吃药，二四六休息')).toBe('一三五吃药，二四六休息');
  });

  it('scrubs a name right after 联系人, 联系人是, 收件人', () => {
    expect(scrubPii('联系人王小明')).toBe('联系人<NAME>');
    expect(scrubPii('联系人是李华，电话13812345678')).toBe('联系人是<NAME>，电话<PHONE>');
    expect(scrubPii('收件人张伟电话13812345678')).toBe('收件人<NAME>电话<PHONE>');
    expect(scrubPii('联系人：赵丽，电话')).toBe('联系人：<NAME>，电话');
    expect(scrubPii('联系人都不在，收件人地址写错了')).toBe('联系人都不在，收件人地址写错了');
  });
});
