/**
 * Sign-off and acknowledgement templates in doctors' answers (session-16 audit: 88 accepted records
 * kept 希望我的回答能帮助到你 / 感谢您的信任，我是一名…医生 / 我已经仔细研读了您的资料…), the
 * solicitations the audit found (a personal-website advert, 加我粉丝, 送心意, feedback requests), and
 * the Huatuo answer form's 医生询问： label. Only whole template clauses go; the advice stays.
 */
import { describe, expect, it } from '@jest/globals';
import { templatesFor } from '../../../src/stages/normalise/boilerplate.js';
import { cleanText } from '../../../src/stages/normalise/text.js';

const clean = (s: string, source = 'huatuo', speaker: 'doctor' | 'patient' = 'doctor') => {
  const templateHits: Record<string, number> = {};
  const text = cleanText(s, { toSimplified: true, scrubPii: false, templates: templatesFor(source, speaker), templateHits });
  return { text, templateHits };
};

describe('sign-off templates in doctors\' answers', () => {
  it('removes a sentence of template clauses only, with the thanks and the good wish pasted after it', () => {
    expect(clean('多喝温水，按时吃药。希望我的回答能帮助到你，谢谢。').text).toBe('多喝温水，按时吃药。');
    expect(clean('建议查血常规。希望对你有帮助，祝你健康').text).toBe('建议查血常规。');
    expect(clean('先观察两天。\n希望我的回答对你有所帮助。两天后不好再来复诊。').text).toBe('先观察两天。两天后不好再来复诊。');
    const r = clean('您好，我已经仔细研读了您的资料，很高兴为您提供医学指导帮助！\n发烧几天了', 'meddialog');
    expect(r).toEqual({ text: '发烧几天了', templateHits: { 'signoff.sentence': 1 } });
    expect(clean('病因要先查清。感谢您的信任，我是一名皮肤科医生，以上建议是从诊断的基本要求出发而提出来的，希望对您有帮助。查清再治。').text)
      .toBe('病因要先查清。查清再治。');
    expect(clean('可以适量运动。您好，以上所述希望对您有所帮助。您的问题解答完毕！').text).toBe('可以适量运动。');
    // 很高兴为您解答 alone stays (the pleasantry rule reads it; review-templates.test)
    expect(clean('不要喝酒。很高兴为您解答。').text).toBe('不要喝酒。很高兴为您解答。');
  });

  it('removes template clauses that end a sentence from the comma before them, keeping the sentence\'s advice', () => {
    const r = clean('可以口服抗过敏药，严重时需要输液，希望对你有所帮助。');
    expect(r).toEqual({ text: '可以口服抗过敏药，严重时需要输液。', templateHits: { 'signoff.tail': 1 } });
    expect(clean('一般一到四周缓解，希望对您有所帮助', 'meddialog').text).toBe('一般一到四周缓解');
    expect(clean('下面是一些建议，希望能帮到您。首先多喝水。', 'cmtmedqa').text).toBe('下面是一些建议。首先多喝水。');
    expect(clean('好的，也感谢您的信任', 'meddialog').text).toBe('好的');
  });

  it('removes an opening thanks or acknowledgement before the answer, and a hope-it-helps glued to the last words', () => {
    expect(clean('您好，非常感谢您的信任，我已认真了解您的相关病历，我再问几个问题！', 'meddialog').text).toBe('我再问几个问题！');
    expect(clean('感谢您的信任，希望你传来好消息。', 'meddialog').text).toBe('希望你传来好消息。');
    expect(clean('感谢您的信任，我是某某医院心内科李四大夫。心电图看不清', 'mie').text).toBe('心电图看不清');
    expect(clean('必要时可以手术切除希望我的回答能帮助到您祝您健康').text).toBe('必要时可以手术切除');
    expect(clean('在专科医生指导下配合治疗希望能帮到您').templateHits).toEqual({ 'signoff.glued': 1 });
  });

  it('keeps a hope that says more than a sign-off, and medical text with the same words', () => {
    for (const s of [
      '希望药物治疗能对您的便秘有所帮助。',
      '希望这些建议可以帮助您缓解症状。',
      '这个药希望能帮到孩子。',
      '我希望对您有帮助',
      '我是说这个医生开的药不对。',
      '是的，我是大内科医生！主攻心内科。',
      '我是消化科医生。',
      '血脂高的问题咨询内科医生，我是眼科医生',
      '针灸对改善睡眠有帮助，可以试试。',
    ]) expect(clean(s, 'cmtmedqa').text).toBe(s);
  });

  it('leaves a reply to thanks that opens with 不客气 whole, for split to judge as a closing round', () => {
    const s = '不客气，希望我的建议对您有所帮助。如果加重请及时就医。祝您早日康复！';
    expect(clean(s, 'cmtmedqa')).toEqual({ text: s, templateHits: {} });
  });

  it('applies to doctors\' turns only: a patient\'s thanks and words stay', () => {
    expect(clean('谢谢医生，希望对您有帮助。', 'meddialog', 'patient').text).toBe('谢谢医生，希望对您有帮助。');
    expect(clean('我是一名护士，感谢您的信任。', 'huatuo', 'patient').text).toBe('我是一名护士，感谢您的信任。');
  });

  it('stays linear on a long run of template clauses', () => {
    const t0 = Date.now();
    clean('，希望对你有帮助'.repeat(20000) + '吗');
    clean('希望有帮助'.repeat(20000) + '吗');
    expect(Date.now() - t0).toBeLessThan(5000);
  });
});

describe('the sign-off that ends an answer of the Q&A sites behind Huatuo and Toyhom', () => {
  it('removes a good wish that is the last sentence of the answer', () => {
    const r = clean('一般两周左右能好，注意别抓挠。祝你早日康复！');
    expect(r).toEqual({ text: '一般两周左右能好，注意别抓挠。', templateHits: { 'signoff_qa.sentence': 1 } });
    expect(clean('少吃辛辣，按时复查……祝宝宝健康成长！', 'toyhom').text).toBe('少吃辛辣，按时复查……');
    expect(clean('多喝水。祝好！').text).toBe('多喝水。');
    expect(clean('孕前先查甲功。祝您早日生下健康宝宝').text).toBe('孕前先查甲功。');
    expect(clean('外用药膏止痒。希望我的回答对您有一定的帮助。').text).toBe('外用药膏止痒。');
    expect(clean('可以先热敷。希望我的回答能给你带来一些帮助，祝你身体健康，生活愉快。').text).toBe('可以先热敷。');
  });

  it('removes it from the comma or semicolon before it, and where it is glued to the last words', () => {
    expect(clean('建议查个血常规，多休息，祝您健康。').text).toBe('建议查个血常规，多休息。');
    expect(clean('血压稳定就不用换药；祝你身体健康！').text).toBe('血压稳定就不用换药。');
    expect(clean('不用太担心，注意观察，祝健康').text).toBe('不用太担心，注意观察');
    expect(clean('多喝水，按时复诊希望我的提议能帮到您').text).toBe('多喝水，按时复诊');
    expect(clean('注意保暖不要受凉祝你的孩子早日康复').text).toBe('注意保暖不要受凉');
    expect(clean('饮食要清淡，多吃水果希望您早日康复！').text).toBe('饮食要清淡，多吃水果');
    // what the dump left after it: the answer form's label, a comma
    expect(clean('术后一般不会复发，祝你健康！医生询问：').text).toBe('术后一般不会复发。');
    expect(clean('尽量少去人多的地方，祝你好运，').text).toBe('尽量少去人多的地方。');
  });

  it('keeps an answer that is nothing but courtesy (split rejects it as pleasantry only), and wishes that say more', () => {
    for (const s of ['祝你早日康复！', '你好，祝你健康。', '术前预祝手术顺利', '祝你早日康复，记得按时换药。', '希望药物对宝宝的咳嗽有帮助。', '多晒太阳对宝宝的健康成长有帮助。'])
      expect(clean(s).text).toBe(s);
  });

  it('applies to the Q&A sources only: a dialogue\'s closing wish is split\'s to judge', () => {
    expect(clean('按时吃药。祝你早日康复！', 'meddialog').text).toBe('按时吃药。祝你早日康复！');
    expect(clean('按时吃药。祝你早日康复！', 'cmtmedqa').text).toBe('按时吃药。祝你早日康复！');
  });

  it('stays linear on a long run of wishes', () => {
    const t0 = Date.now();
    clean('多喝水' + '，祝你健康'.repeat(20000) + '吗');
    clean('多喝水' + '祝健康快乐'.repeat(20000) + '吗');
    expect(Date.now() - t0).toBeLessThan(5000);
  });
});

describe('solicitations the session-16 audit found', () => {
  it('removes a personal-website advert, a request to become a fan, a gift request and a feedback request', () => {
    expect(clean('结节多半是陈旧病灶。我网站是全国点击率第一的内科个人网站。建议戒烟。', 'meddialog').text).toBe('结节多半是陈旧病灶。建议戒烟。');
    expect(clean('药房能买到，你加我粉丝吧，应该就能找到', 'mie').text).toBe('药房能买到，应该就能找到');
    expect(clean('按时复查。你也可以对我送心意。', 'mie').text).toBe('按时复查。');
    expect(clean('按时复查。你也可以对我song心意。', 'mie').text).toBe('按时复查。');
    expect(clean('必要时再来。请您对我的服务提出宝贵的建议或意见！祝您健康！', 'meddialog').text).toBe('必要时再来。祝您健康！');
    expect(clean('注意作息。如有心脏问题可以点击我的头像进入“我的主页”关注我，随时可以联系到我！', 'mie').text).toBe('注意作息。');
  });

  it('keeps the words in a patient\'s turn and medical uses', () => {
    expect(clean('你加我粉丝吧', 'mie', 'patient').text).toBe('你加我粉丝吧');
    expect(clean('我的网站是做医疗器械的，这个仪器准吗？', 'mie').text).toBe('我的网站是做医疗器械的，这个仪器准吗？');
    expect(clean('医生说要关注血压变化。', 'mie').text).toBe('医生说要关注血压变化。');
  });
});

describe('Huatuo answer form: the 医生询问： label', () => {
  it('removes the label at the end of an answer and before the doctor\'s question, keeping the question', () => {
    expect(clean('注意保暖，多喝水。医生询问：')).toEqual({ text: '注意保暖，多喝水。', templateHits: { 'askform.doctor_asks_label': 1 } });
    expect(clean('可以配合针灸治疗医生询问：做过头颅CT吗？').text).toBe('可以配合针灸治疗\n做过头颅CT吗？');
    expect(clean('要坚持长期服药，不能自行停药医生询问').text).toBe('要坚持长期服药，不能自行停药');
    expect(clean('如果不确定，请参看说明书或向医生询问').text).toBe('如果不确定，请参看说明书或向医生询问');
  });

  it('keeps the words in a patient\'s question', () => {
    expect(clean('上次医生询问：有没有过敏，我说没有', 'huatuo', 'patient').text).toBe('上次医生询问：有没有过敏，我说没有');
  });
});
