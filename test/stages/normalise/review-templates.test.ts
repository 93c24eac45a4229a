import { describe, expect, it } from '@jest/globals';
import { templatesFor } from '../../../src/stages/normalise/boilerplate.js';
import { cleanText } from '../../../src/stages/normalise/text.js';

// Templates found by the record review (test/eval/record-review); the texts are written for these tests.
const clean = (s: string, source: string) => {
  const templateHits: Record<string, number> = {};
  const text = cleanText(s, { toSimplified: true, scrubPii: true, templates: templatesFor(source), templateHits });
  return { text, templateHits };
};

describe('stock greetings and site texts found by the record review', () => {
  it('removes a stock opening greeting at the start of a turn and keeps the answer', () => {
    expect(clean('您好，很高兴为您解答。血压偏高，建议低盐饮食。', 'mie').text).toBe('血压偏高，建议低盐饮食。');
    expect(clean('你好，很高兴，为你服务，感到了你的问题，根据你的描述，先吃点止泻药。', 'hetmc').text).toBe('根据你的描述，先吃点止泻药。');
    expect(clean('您好！很高兴能为您解答疑问。湿疹要保湿。', 'huatuo').text).toBe('湿疹要保湿。');
    expect(clean('感谢您的咨询，我将竭诚为您解答。轻的吃药就行。', 'mie').templateHits).toEqual({ 'common.greeting_opening': 1 });
  });

  it('leaves the greeting where it is not the opening or runs into the sentence', () => {
    for (const s of ['多喝水。很高兴为您解答。', '很高兴为你解答的，孩子还小，不用担心。', '我很高兴为您服务过的病人都好了。'])
      expect(clean(s, 'mie').text).toBe(s);
  });

  it('removes the chunyu follow-button and age/sex prompts, the hospital advert and haodf\'s private-doctor welcome', () => {
    expect(clean('不用谢。左下角有“关注”的按钮，谢谢支持！如果是在春雨医生客户端提问，评价按钮在右上角。', 'mie').text).toBe('不用谢。');
    expect(clean('您好，请您告诉我您的年龄和性别，有什么不舒服的，如果有图片或检查报告的，一定要拍照传给我看下啊，这样我能尽快帮您咨询。', 'hetmc').text).toBe('');
    expect(clean('这里是中国医学科学院阜外医院 国家心血管病中心大夫为您解答。中国医学科学院阜外医院是中国最好的心脏病医院。专业可信赖。要看是哪种先心病。', 'mie').text).toBe('要看是哪种先心病。');
    expect(clean('（医生留言）您好，很高兴成为您的私人医生，有事请留言，我看到就回，还请理解哦。', 'meddialog').text).toBe('');
  });

  it('removes the 指导意见 heading glued to the next sentence without its colon, and only at a sentence or clause start', () => {
    expect(clean('考虑是胃炎。指导意见平时少吃辛辣，按时吃饭。', 'huatuo').text).toBe('考虑是胃炎。平时少吃辛辣，按时吃饭。');
    expect(clean('考虑是胃炎.指导意见指导意见少吃辛辣', 'huatuo').text).toBe('考虑是胃炎。少吃辛辣');
    expect(clean('请按医生的指导意见服药。', 'huatuo').text).toBe('请按医生的指导意见服药。');
    // after a clause too, and 意见建议 (outside record review, 2026-12-03); 意见 alone is a word
    expect(clean('胆红素高的原因很多，指导意见有可能是黄疸型肝炎。', 'huatuo').text).toBe('胆红素高的原因很多，有可能是黄疸型肝炎。');
    expect(clean('是皮肤过敏的问题。意见建议您的情况可考虑是荨麻疹', 'huatuo').text).toBe('是皮肤过敏的问题。您的情况可考虑是荨麻疹');
    expect(clean('是否手术，意见不一。', 'huatuo').text).toBe('是否手术，意见不一。');
    expect(clean('病例分析：您好，咳嗽多久了？健康指导：多喝水。', 'huatuo').text).toBe('您好，咳嗽多久了？多喝水。');
  });

  it('breaks the sentence where the heading was glued into the answer with no punctuation before it (session-18 audit), and leaves the noun in a sentence', () => {
    expect(clean('多为膀胱湿热引起指导意见我建议你最好注意休息', 'huatuo').text).toBe('多为膀胱湿热引起。我建议你最好注意休息');
    expect(clean('观察3天时间指导意见到时候依然流血，需要就诊', 'huatuo').text).toBe('观察3天时间。到时候依然流血，需要就诊');
    expect(clean('会引起先兆流产的指导意见你这个出血多的话要卧床', 'huatuo').text).toBe('会引起先兆流产的。你这个出血多的话要卧床');
    expect(clean('炎症引起的症状意见建议注意休息', 'huatuo').text).toBe('炎症引起的症状。注意休息');
    for (const s of ['请按医生的指导意见服药。', '遵医生指导意见用药', '您可以尝试以下指导意见来缓解症状：', '给你一些指导意见供参考', '根据专家指导意见调整剂量', '提供合理化指导意见，答非所问', '该遵循临床医生的指导意见。'])
      expect(clean(s, 'huatuo').text).toBe(s);
    // a patient asking for it keeps the words
    expect(cleanText('麻烦医生给出指导意见谢谢', { toSimplified: true, scrubPii: true, templates: templatesFor('huatuo', 'patient'), templateHits: {} })).toBe('麻烦医生给出指导意见谢谢');
  });

  it('removes the CMtMedQA generator\'s self-introduction as an assistant', () => {
    expect(clean('您好，我是仲景智能医学助手，很高兴为您解答问题。便秘要多吃蔬菜。', 'cmtmedqa').text).toBe('便秘要多吃蔬菜。');
    expect(clean('张仲景是医圣。', 'cmtmedqa').text).toBe('张仲景是医圣。');
  });
});

describe('what a template removal leaves', () => {
  it('tidies the punctuation a removed heading leaves doubled (。。 ，， 。，)', () => {
    expect(clean('目前无法预测,意见建议：,建议您定期产前检查.', 'huatuo').text).toBe('目前无法预测，建议您定期产前检查。');
    expect(clean('低烧不必用退烧药.。意见建议:。持续低烧应尽早就医.', 'huatuo').text).toBe('低烧不必用退烧药。持续低烧应尽早就医。');
  });
});
