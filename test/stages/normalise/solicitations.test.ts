import { describe, expect, it } from '@jest/globals';
import { normaliseOne } from '../../../src/stages/normalise/index.js';
import { raw, testContext } from '../../support/context.js';
import { templatesFor } from '../../../src/stages/normalise/boilerplate.js';
import { cleanText } from '../../../src/stages/normalise/text.js';

const clean = (s: string, source = 'huatuo') => {
  const templateHits: Record<string, number> = {};
  const text = cleanText(s, { toSimplified: true, scrubPii: true, templates: templatesFor(source), templateHits });
  return { text, templateHits };
};

describe('platform solicitations in doctors\' answers (every source)', () => {
  it('removes rating requests with the clause that sets them up and the thanks after them, keeping the advice', () => {
    expect(clean('多喝温水，少说话，如果您对我的解答满意，请评价，谢谢。').text).toBe('多喝温水，少说话。');
    expect(clean('按时吃药。请对我的回复做出评价，谢谢！').text).toBe('按时吃药。');
    expect(clean('不客气，方便的话请给个好评。').text).toBe('不客气。');
    expect(clean('注意休息，不要熬夜如果我的回答对您有帮助的话请点评价，多谢。', 'mie').text).toBe('注意休息，不要熬夜。');
    const r = clean('记得复查。如果觉得有帮助，请给予“满意”的评价（评价入口在页面右上角，点开即可），满意评价后，会赠送您一张优惠券！祝您健康。', 'hetmc');
    expect(r.text).toBe('记得复查。祝您健康。');
    expect(r.templateHits).toEqual({ 'solicit.rating': 1 });
  });

  it('removes requests to adopt the answer, to follow the doctor, and calls to click the site', () => {
    expect(clean('可以热敷。如果满意请及时采纳为答案。').templateHits).toEqual({ 'solicit.adopt': 1 });
    expect(clean('可以热敷。如果满意请及时采纳为答案。').text).toBe('可以热敷。');
    expect(clean('先去查个血常规，你也可以关注我，有问题随时问我。', 'meddialog').text).toBe('先去查个血常规。');
    expect(clean('效果明显如果你还有疑问，可以点击在线咨询！').text).toBe('效果明显！');
    expect(clean('早点就医。感谢您对有问必答的支持！').text).toBe('早点就医。');
  });

  it('finds a request after a sentence the site ended with an ASCII full stop (…休息.请及时采纳…)', () => {
    const r = clean('多喝水,注意休息.如果满意请及时点击采纳为答案,谢谢!');
    expect(r.text).toBe('多喝水，注意休息。');
    expect(r.templateHits).toEqual({ 'solicit.adopt': 1 });
    expect(clean('按时吃药.这里的医生都是用业余时间回答问题的!').text).toBe('按时吃药。');
  });

  it('leaves medical uses of 评价, 好评 and 关注 alone', () => {
    for (const s of [
      '治疗期间要定期做疗效评价。',
      '肌酐可以用来评价肾功能。',
      '可以看看其他患者的评价和经验。',
      '要密切关注血压变化，也要关注医生的建议。',
      '费用因人而异，不好评估。',
      '这个药我不好评价，问开药的医生。',
      '网上说这个医院好评很多，我想去看看。',
    ]) expect(clean(s, 'cmtmedqa').text).toBe(s);
  });
});

describe('haodf voice-answer notice', () => {
  it('drops the notice that stands where the answer is audio, in the description and as a turn', () => {
    expect(clean('医生已经通过语音回答了您的问题，请及时收听。', 'meddialog').text).toBe('');
    const r = clean('既往病史：无\n医生已经通过语音回答了您的问题，请及时收听。：', 'meddialog');
    expect(r.text).toBe('既往病史：无');
    expect(r.templateHits).toEqual({ 'haodf.voice_answer': 1 });
    expect(clean('我通过电话回答了他的问题，你也可以来门诊', 'meddialog').text).toBe('我通过电话回答了他的问题，你也可以来门诊');
  });
});

describe('haodf busy auto-reply and phone-call lines', () => {
  it('removes the auto-reply and the call notices, keeping what the doctor wrote after them', () => {
    const r = clean('您好！我现在正忙，会尽快答复您的问题，请等候！还有一些细节需要问你你只要注意回答就可以啦！或你注意接听010开头的电话。好大夫在线电话）医生给患者打电话患者未接听：\n打电话没接通，先吃点止咳药', 'meddialog');
    expect(r.text).toBe('打电话没接通，先吃点止咳药');
    expect(r.templateHits).toEqual({ 'haodf.busy_autoreply': 1, 'haodf.phone_notice': 1 });
    expect(clean('医生使用隐私电话功能与患者通话：', 'meddialog').text).toBe('');
    expect(clean('我现在正忙着上班，晚点再说', 'meddialog').text).toBe('我现在正忙着上班，晚点再说');
  });
});

describe('review findings: what the solicitation rules must leave', () => {
  it('keeps 关注我们 / 关注我提到的, a doctor\'s own judgement, an unquoted sentence before a footer, and patients\' words', () => {
    expect(clean('另外，请关注我提到的血压变化。', 'meddialog').text).toBe('另外，请关注我提到的血压变化。');
    expect(clean('仅凭描述，还很难做出评价，建议面诊。', 'meddialog').text).toBe('仅凭描述，还很难做出评价，建议面诊。');
    expect(clean('建议复查肝功能，进行评价。').text).toBe('建议复查肝功能，进行评价。');
    expect(clean('如果满意，请对本次咨询进行评价，谢谢！', 'mie').text).toBe('');
    expect(clean('记得采纳哦').text).toBe('');
    expect(clean('以上是对症治疗的方法，平时多喝水。关于这个问题的建议是尽早就医。').text).toBe('以上是对症治疗的方法，平时多喝水。关于这个问题的建议是尽早就医。');
  });

  it('runs in doctors\' turns only: normalise keeps a patient\'s 请您评价一下', () => {
    const d = raw([['患者', '医生，请您评价一下这个治疗方案，谢谢'], ['医生', '方案可以。如果您对我的解答满意，请评价，谢谢。']]);
    const n = normaliseOne(d, testContext());
    if (!('turns' in n)) throw new Error('rejected');
    expect(n.turns.map((t) => t.text)).toEqual(['医生，请您评价一下这个治疗方案，谢谢', '方案可以。']);
  });
});

describe('review findings: what the solicitation rules still remove', () => {
  it('removes 给我的回答作出评价 and an unquoted footer whose question holds a question mark', () => {
    expect(clean('可以热敷，方便的话给我的回答作出评价，谢谢').text).toBe('可以热敷');
    expect(clean('按时换药。以上是对伤口红肿怎么办？这个问题的建议，希望对您有帮助。').text).toBe('按时换药。');
  });
});
