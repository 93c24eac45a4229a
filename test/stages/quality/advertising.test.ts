/**
 * quality.advertising: answers that market a hospital or product, or solicit contact, are rejected
 * (or flagged, or not scored); a real doctor's follow-up invitation, a patient's own question and
 * everyday words that contain a cue (打包好, 一包治感冒的冲剂) are not. Texts written for these tests.
 */
import { describe, expect, it } from '@jest/globals';
import type { RecordEnvelope } from '../../../schemas/record.js';
import { scoreAdvertising } from '../../../src/stages/quality/advertising.js';
import { answerText, quality } from '../../../src/stages/quality/index.js';
import { origin, testContext } from '../../support/context.js';

function env(output: string, instruction = '最近总是腰疼怎么办？', history: Array<[string, string]> = []): RecordEnvelope {
  return {
    record: { id: `r-${output.length}-${instruction.length}`, cate1: '外科', cate2: '骨科', instruction, input: '', output, history },
    dialogueId: 'd-1', origin: origin('1', { format: 'huatuo' }), annotations: { inquiryTurns: [], outputIsInquiry: false },
  };
}

const ADS = [
  '这种情况建议直接拨打咨询电话：<PHONE>，专家会为您详细解答。',
  '想了解的宝妈加我<QQ>，在家也能赚钱。',
  '我们的膏药无需手术，无需吃药，轻轻一贴就能治好腰疼。',
  '建议到我院的骨科诊疗中心就诊，配合先进的仪器设备检查，明确病因。',
  '采用微创疗法，疗效好、见效快、疗程短，治愈后不易复发。',
  '如果想尽快怀孕可以来我们医院，医疗费用大包干，包怀孕。',
];
const NOT_ADS = [
  '考虑腰肌劳损，一周后到我院门诊复查，带上片子找我。',
  '建议先去医院拍个腰椎片子，注意休息，避免久坐。',
  '腰椎间盘突出目前没有特效药能根治，以保守治疗为主。',
  '可以用纱布袋包好药材热敷，每天一次。',
  '早期乳腺癌治愈率高达90%以上，要按时复查。',
  '有问题欢迎随时向我咨询。',
  // a warning against a promise is not the promise (review)
  '这种病目前没有任何方法能保证治愈，要长期随访。',
  '手术也不能保证根治，术后仍要复查。',
  '不要相信所谓包生男的偏方。',
  '如果症状加重请及时拨打急救电话<PHONE>。',
];

describe('the advertising score', () => {
  it('reaches the default threshold (3) on marketing and contact solicitation', () => {
    for (const t of ADS) expect([t, scoreAdvertising(t).score >= 3]).toEqual([t, true]);
  });

  it('stays under it on ordinary medical answers, including a follow-up at the doctor\'s own hospital', () => {
    for (const t of NOT_ADS) expect([t, scoreAdvertising(t).score < 3]).toEqual([t, true]);
  });

  it('names what it matched, each family once however often its phrase recurs', () => {
    const a = scoreAdvertising('拨打咨询电话<PHONE>。再说一遍，拨打咨询电话<PHONE>。');
    expect(a.score).toBe(3);
    expect(a.hits).toEqual({ contact: '拨打咨询电话<PHONE>' });
  });

  it('counts 医院/中心 with a success rate only after a name of two ideographs, and 我院引进 anywhere', () => {
    const own = (t: string) => scoreAdvertising(t).hits.own_institution;
    expect(own('北京某某医院治疗有效率很高')).toBe('医院治疗有效率');
    expect(own('这家康复中心成功率不错')).toBe('中心成功率');
    // at the start, or after a digit or Latin letter, there is no name before it
    expect(own('医院治愈率高')).toBeUndefined();
    expect(own('A医院治愈率，3中心成功率')).toBeUndefined();
    // a first occurrence without a name does not hide a later one with a name
    expect(own('医院治愈率，某某医院治愈率')).toBe('医院治愈率');
    expect(own('去年我院引进了新设备')).toBe('我院引进');
  });

  it('scores the doctor\'s side only: a patient asking 如何保证治愈 is no advertiser', () => {
    const e = env('这个病需要规范抗病毒治疗，定期复查。', '这个病如何保证治愈不再复发？加我<QQ>聊');
    expect(answerText(e)).toBe('这个病需要规范抗病毒治疗，定期复查。');
    const h = env('注意休息。', '还要注意什么？', [['腰疼怎么办？', '轻轻一贴，包怀孕，拨打咨询电话<PHONE>']]);
    expect(scoreAdvertising(answerText(h)).score).toBeGreaterThanOrEqual(3);
  });
});

describe('the quality stage', () => {
  it('rejects an advertising record as quality.advertising with its score and hits, and keeps the rest', () => {
    const ctx = testContext();
    const res = quality([env(ADS[0]!), env(NOT_ADS[1]!)], ctx);
    expect(res.out.map((e) => e.record.output)).toEqual([NOT_ADS[1]]);
    expect(res.rejects).toHaveLength(1);
    expect(res.rejects[0]!.reason).toBe('quality.advertising');
    expect(res.rejects[0]!.detail).toContain('contact 拨打咨询电话：<PHONE>');
  });

  it('flags instead under policy flag, and does not score under off', () => {
    const flag = testContext({ quality: { advertising: { policy: 'flag' } } });
    const f = quality([env(ADS[2]!)], flag);
    expect(f.rejects).toEqual([]);
    expect(f.out[0]!.annotations.flags).toContain('quality.advertising');
    const off = testContext({ quality: { advertising: { policy: 'off' } } });
    const o = quality([env(ADS[2]!)], off);
    expect(o.rejects).toEqual([]);
    expect(o.out[0]!.annotations.flags ?? []).not.toContain('quality.advertising');
  });

  it('a higher threshold lets a weaker pitch through', () => {
    const ctx = testContext({ quality: { advertising: { threshold: 5 } } });
    expect(quality([env(ADS[4]!)], ctx).rejects).toEqual([]);
    expect(quality([env(ADS[4]!)], testContext()).rejects).toHaveLength(1);
  });
});
