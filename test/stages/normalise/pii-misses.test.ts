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

  it('scrubs medical record, admission, clinic and insurance card numbers after their label', () => {
    expect(scrubPii('住院号：2023001234，出院')).toBe('住院号：<ID>，出院');
    expect(scrubPii('病历号 A12345，')).toBe('病历号 <ID>，');
    expect(scrubPii('医保卡号1234567890123')).toBe('医保卡号<ID>');
    expect(scrubPii('门诊号是88776655')).toBe('门诊号是<ID>');
    expect(scrubPii('就诊卡号：0012-3344。')).toBe('就诊卡号：<ID>。');
    expect(scrubPii('住院号码为ZY20230001')).toBe('住院号码为<ID>');
  });

  it('keeps the words of those labels when no number follows them', () => {
    for (const s of ['住院三天了', '门诊复查2次', '住院号还没给', '社保卡号是123', '就诊时间10点', '医保报销80%']) expect(scrubPii(s)).toBe(s);
  });

  it('scrubs the flat number after 单元 in a street address, with or without 室', () => {
    expect(scrubPii('住在朝阳区建国路88号3单元502，离医院近')).toBe('住在<ADDRESS>，离医院近');
    expect(scrubPii('建国路88号3单元502室')).toBe('<ADDRESS>');
    expect(scrubPii('建国路88号3单元')).toBe('<ADDRESS>');
    // the town and village before the street go with it (before: 居住里水镇岗联新庄<ADDRESS>)
    expect(scrubPii('居住大沙镇岗前新庄村新二街十六巷2号，目前咳嗽')).toBe('居住<ADDRESS>，目前咳嗽');
    expect(scrubPii('家在广东省佛山市南海区西樵镇人民路12号')).toBe('家在<ADDRESS>');
    expect(scrubPii('我们社区卫生院在和平路3号')).toBe('我们社区卫生院在<ADDRESS>');
  });

  it('scrubs a surname before the courtesy titles a doctor addresses the patient by', () => {
    expect(scrubPii('冯先生您好！很高兴为您服务')).toBe('<NAME>先生您好！很高兴为您服务');
    expect(scrubPii('李小姐，你好')).toBe('<NAME>小姐，你好');
    expect(scrubPii('谢谢王小明先生')).toBe('谢谢<NAME>先生');
    expect(scrubPii('欧阳女士请按时服药')).toBe('<NAME>女士请按时服药');
  });

  it('keeps 先生, 女士 and 小姐 after words that are no surname (我先生 = my husband)', () => {
    for (const s of ['我先生最近总咳嗽', '我家先生', '这位女士', '小姐姐', '各位女士', '她先生陪她来', '谢谢先生', '老先生', '您好女士', '一个小姐说']) expect(scrubPii(s)).toBe(s);
  });

  it('a two-character name that greets with its title at the opening of a text (outside record review, 2026-12-03)', () => {
    // Before: 曹敏主任好 kept the name, 李田医生您好 became 李<NAME>医生您好 (田 read as the surname).
    expect(scrubPii('曹敏主任好，泰能已经输了四天')).toBe('<NAME>主任好，泰能已经输了四天');
    expect(scrubPii('李田医生您好')).toBe('<NAME>医生您好');
    expect(scrubPii('李田医生，请问')).toBe('<NAME>医生，请问');
    expect(scrubPii('谢谢王医生')).toBe('谢谢<NAME>医生');
    // words before a greeted title are not names
    for (const s of ['麻烦医生您好', '辛苦医生，你好', '谢谢医生你好', '好的医生您好', '全科医生你好', '那个医生你好', '高烧医生你好']) expect(scrubPii(s)).toBe(s);
  });

  it('a local number without its area code after a phone label (outside record review: a hospital number left whole)', () => {
    expect(scrubPii('电话8276173')).toBe('电话<PHONE>');
    expect(scrubPii('联系电话：6512 3456，座机82761730')).toBe('联系电话：<PHONE>，座机<PHONE>');
    for (const s of ['打电话2次了', '电话费200元', '电话咨询3天后复查', '电话20次']) expect(scrubPii(s)).toBe(s);
  });
});

