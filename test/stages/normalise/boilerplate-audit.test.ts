import { describe, expect, it } from '@jest/globals';
import { templatesFor } from '../../../src/stages/normalise/boilerplate.js';
import { cleanText, decodeHtml } from '../../../src/stages/normalise/text.js';

const clean = (s: string, source = 'huatuo') => {
  const templateHits: Record<string, number> = {};
  const text = cleanText(s, { toSimplified: true, scrubPii: true, templates: templatesFor(source), templateHits });
  return { text, templateHits };
};

describe('platform boilerplate the audit found in doctors\' answers', () => {
  it('removes a rating request set up by 如果您对本次咨询/我的回答满意 with 评价 later in the sentence, keeping the advice', () => {
    const r = clean('多喝水。如果您对本次咨询满意，请您动动自己的手指，对话结束后点击"评价"对本次咨询进行评价，您的肯定，就是我努力的目标。谢谢！', 'meddialog');
    expect(r).toEqual({ text: '多喝水。', templateHits: { 'solicit.rating_sentence': 1 } });
    expect(clean('不客气！希望我的建议能够帮得到你，如果对我的回答满意，关闭后给个评价，支持一下，谢谢！祝健康！', 'mie').text).toBe('不客气！希望我的建议能够帮得到你！祝健康！');
    expect(clean('注意休息。如果对我的回答满意，关闭后给个评价，支持一下').text).toBe('注意休息。');
    expect(clean('可以坐浴，还有不懂的，可以继续咨询，对我的回答满意，那么请给予评价。').text).toBe('可以坐浴，还有不懂的，可以继续咨询。');
    expect(clean('及时复查。对我的回答满意，那么请给予评价。').text).toBe('及时复查。');
  });

  it('removes the follow request and the "your rating drives me" sentence after it', () => {
    expect(clean('按时服药。点击我的头像进入“我的主页”关注我，随时可以联系到我！您的评价是我前进的动力，谢谢！', 'mie').text).toBe('按时服药。');
    expect(clean('按时服药。您的评价是我前进的动力').text).toBe('按时服药。');
  });

  it('removes "more X questions: click me", the chat button with its tracking token, and the prescription button', () => {
    expect(clean('其中含量达16.2%。更多食道癌问题可以直接点击我咨询').text).toBe('其中含量达16.2%。');
    expect(clean('建议手术治疗。更多高血压问题可以直接点击我咨询。').text).toBe('建议手术治疗。');
    expect(clean('多休息。可点击左侧【咨询图标】与我进行在线交谈.LnjlmV').text).toBe('多休息。');
    expect(clean('多休息。可点击左侧【咨询图标】与我进行在线交谈。HBV DNA要复查').text).toBe('多休息。HBV DNA要复查');
    const r = clean('孟鲁司特钠10mg晚间服。点击处方，请按照我的方案治疗。', 'meddialog');
    expect(r).toEqual({ text: '孟鲁司特钠10mg晚间服。', templateHits: { 'solicit.prescription_button': 1 } });
    expect(clean('点击处方，按照我的方案治疗。', 'meddialog').text).toBe('');
  });

  it('removes reworded answer footers: 以上是对这个问题的建议，期望对您有帮助', () => {
    expect(clean('多喝水。以上是对这个问题的建议，期望对您有帮助').text).toBe('多喝水。');
    expect(clean('多喝水。以上是对您问题的建议，希望对您有所帮助。').text).toBe('多喝水。');
    expect(clean('多喝水。以上是对“咳嗽怎么办”这个问题的建议，希望对您有帮助，祝您健康！').text).toBe('多喝水。');
  });

  it('decodes named HTML entities generally (&ndash;, &plusmn;, &ge;, &sup2;), leaving unknown names as they are', () => {
    expect(decodeHtml('HBV&ndash;DNA')).toBe('HBV–DNA');
    expect(decodeHtml('5&plusmn;1mg，&ge;10，m&sup2;，&alpha;-干扰素，&Delta;，&foo;')).toBe('5±1mg，≥10，m²，α-干扰素，Δ，&foo;');
  });
});

describe('boilerplate the session-15 record review found (texts written for the test)', () => {
  it('removes the rating request without 评价, the welcome-back sign-off, 不要辜负了回答者, the service footer and the auto-close notice', () => {
    expect(clean('注意低盐饮食。您好！如果您对本次咨询满意，请您动动自己的手指，就是我努力的目标。谢谢！', 'meddialog').text).toBe('注意低盐饮食。');
    expect(clean('注意保暖。很高兴为您服务，欢迎再来咨询。').text).toBe('注意保暖。');
    expect(clean('可以做腹腔镜探查。不要辜负了回答者！').text).toBe('可以做腹腔镜探查。');
    expect(clean('定期复查肝功，感谢你的咨询，有什么不明白，请再次咨询，我们竭诚为您服务，祝你健康。').text).toBe('定期复查肝功。'); // the wish left after them goes too (signoffs-qa.json)
    expect(clean('定期复查肝功，感谢你的咨询，有什么不明白，请再次咨询，我们竭诚为您服务，祝你健康。', 'meddialog').text).toBe('定期复查肝功，祝你健康。');
    const r = clean('没有其他问题，系统将在随后关闭这个问题。', 'meddialog');
    expect(r).toEqual({ text: '', templateHits: { 'solicit.system_close': 1 } });
    // a doctor inviting questions in the middle of advice keeps it; a patient's own words stay
    expect(clean('欢迎再来咨询的朋友先挂号。').text).toBe('欢迎再来咨询的朋友先挂号。');
  });

  it('removes the ask form\'s attachment link and thanks line at the end of a question, a trailing JavaScript undefined, and the generator\'s rewrite note', () => {
    const patient = (s: string, source = 'huatuo') => cleanText(s, { toSimplified: true, scrubPii: true, templates: templatesFor(source, 'patient') });
    expect(patient('口水沾到伤口有没有事！附件：点击')).toBe('口水沾到伤口有没有事！');
    expect(patient('鼻子两侧总有小点点怎么回事感谢医生为我快速解答——点击')).toBe('鼻子两侧总有小点点怎么回事');
    expect(patient('点击鼠标手腕疼')).toBe('点击鼠标手腕疼');
    expect(clean('注意适当的加强营养，undefined').text).toBe('注意适当的加强营养');
    expect(clean('变量undefined是什么意思，平时注意休息').text).toBe('变量undefined是什么意思，平时注意休息');
    expect(clean('术后注意休息。\n...\n通过对原始对话的改写和扩充，将其转化为多轮对话的形式，更加贴近真实场景。', 'cmtmedqa').text).toBe('术后注意休息。');
  });
});
