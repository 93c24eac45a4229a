import { describe, expect, it } from '@jest/globals';
import { templatesFor } from '../../../src/stages/normalise/boilerplate.js';
import { cleanText } from '../../../src/stages/normalise/text.js';

const clean = (s: string, source = 'huatuo') => {
  const templateHits: Record<string, number> = {};
  const text = cleanText(s, { toSimplified: true, scrubPii: true, templates: templatesFor(source), templateHits });
  return { text, templateHits };
};

describe('ask-form prompts of the Q&A sites behind Huatuo and Toyhom', () => {
  it('turns the help and describe prompts into line breaks, so the fields stay apart', () => {
    const r = clean('膝盖疼了三天曾经的治疗情况和效果：贴过膏药想得到怎样的帮助：还要拍片吗');
    expect(r.text).toBe('膝盖疼了三天曾经的治疗情况和效果：贴过膏药\n还要拍片吗');
    expect(r.templateHits).toEqual({ 'askform.help_prompt': 1 });
    expect(clean('病情描述（发病时间、主要症状等）：咳嗽两周，夜里重').text).toBe('咳嗽两周，夜里重');
    expect(clean('病情描述发病时间、主要症状、症状变化等）:低烧三天').text).toBe('低烧三天'); // the opening bracket lost by the site
    expect(clean('耳朵里总有风声：需要医生帮助提供远程诊断：怎么回事').text).toBe('耳朵里总有风声：\n怎么回事');
    expect(clean('宝宝便便很硬拉得费劲想得到怎样的帮助').text).toBe('宝宝便便很硬拉得费劲');
  });

  it('removes a prompt the dump cut at its length limit, only at the very end of the question', () => {
    const r = clean('两个月的宝宝肚子老是咕噜咕噜叫怎么回事想得到怎样的帮');
    expect(r.text).toBe('两个月的宝宝肚子老是咕噜咕噜叫怎么回事');
    expect(r.templateHits).toEqual({ 'askform.cut_prompt': 1 });
    expect(clean('喝酒后第二天就拉肚子是怎么回事？想得到').text).toBe('喝酒后第二天就拉肚子是怎么回事？');
    expect(clean('孕期用这个阴道栓对胎儿有影响吗想得').text).toBe('孕期用这个阴道栓对胎儿有影响吗'); // cut after two characters (helper-b record review)
    expect(clean('这个结果我真没想得').text).toBe('这个结果我真没想得');
    // the guard is for the patient's own 我想得 / 没想得: after 谢谢你, 大夫们, 也 the longer cuts are the prompt
    expect(clean('孩子一直咳嗽怎么办谢谢你想得到怎样的帮').text).toBe('孩子一直咳嗽怎么办谢谢你');
    expect(clean('请问各位大夫们想得到').text).toBe('请问各位大夫们');
    expect(clean('这正是我想得到').text).toBe('这正是我想得到');
    expect(clean('白细胞偏高病情描述（发病时间、主要症状等').text).toBe('白细胞偏高');
    expect(clean('左肺小结节，随诊观察。：需要医生帮助提').text).toBe('左肺小结节，随诊观察。：');
    // elsewhere the same words are the patient's own
    expect(clean('我想得到怎样的治疗效果，要多久').text).toBe('我想得到怎样的治疗效果，要多久');
    expect(clean('想得到医生的建议，孩子咳嗽一周').text).toBe('想得到医生的建议，孩子咳嗽一周');
  });

  it('removes the answer footer that repeats the question', () => {
    const r = clean('多喝水，按时吃药。以上是对“嗓子疼吃什么药好？”这个问题的建议，希望对您有帮助，祝您健康！');
    expect(r.text).toBe('多喝水，按时吃药。');
    expect(r.templateHits).toEqual({ 'askform.answer_footer': 1 });
    expect(clean('以上是对嗓子疼吃什么药这个问题的建议，希望对您有帮助').text).toBe('');
  });

  it('keeps field labels that name their data, and natural sentences that mention help', () => {
    // kept, each on its own line (askform.field_break: they were glued, 两个月化验检查结果)
    expect(clean('发病时间：两个月化验检查结果：无').text).toBe('发病时间：两个月\n化验检查结果：无');
    expect(clean('我希望得到您的帮助，谢谢').text).toBe('我希望得到您的帮助，谢谢');
    expect(clean('这就是我想得到的帮助了').text).toBe('这就是我想得到的帮助了'); // no colon: not the form's prompt
  });

  it('applies to the Huatuo and Toyhom dumps only (MedDialog intake labels are structure)', () => {
    expect(clean('病情描述：咳嗽两周', 'meddialog').text).toBe('病情描述：咳嗽两周');
    expect(clean('病情描述：咳嗽两周', 'toyhom').text).toBe('咳嗽两周');
  });

  it('puts a filled form field glued to the text before it on its own line and drops an empty one', () => {
    const o = { toSimplified: true, scrubPii: true, templates: templatesFor('huatuo') };
    expect(cleanText('全部症状：水肿发病时间及原因：2010年，脑膜瘤治疗情况：伽马刀', o)).toBe('全部症状：水肿\n发病时间及原因：2010年，脑膜瘤\n治疗情况：伽马刀');
    expect(cleanText('一般不都是出两颗吗？发病时间及原因：治疗情况：', o)).toBe('一般不都是出两颗吗？');
    // a field named inside a sentence stays where it is
    expect(cleanText('我的治疗情况：很好', o)).toBe('我的治疗情况：很好');
    expect(cleanText('肿外无其他症状，曾经治疗情况和效果：没治疗过', o)).toBe('肿外无其他症状，曾经治疗情况和效果：没治疗过');
  });
});
