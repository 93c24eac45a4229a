import { describe, expect, it } from '@jest/globals';
import { normalise, normaliseOne } from '../../../src/stages/normalise/index.js';
import { cleanText, hasText, normalisePunctuation, scrubPii } from '../../../src/stages/normalise/text.js';
import { templatesFor } from '../../../src/stages/normalise/boilerplate.js';
import { roleOf } from '../../../src/stages/normalise/roles.js';
import { raw, testContext } from '../../support/context.js';

const opts = { toSimplified: true, scrubPii: true };

describe('normalise text', () => {
  it('converts traditional characters to simplified', () => {
    expect(cleanText('醫生您好，我最近頭痛發燒', opts)).toBe('医生您好，我最近头痛发烧');
  });

  it('ends a text that stops on a clause separator with 。 (…可能有一定疗效， → …可能有一定疗效。), and leaves other endings alone', () => {
    expect(cleanText('可以用中医的方法治疗，可能有一定疗效，', opts)).toBe('可以用中医的方法治疗，可能有一定疗效。');
    expect(cleanText('少吃辛辣；多饮水；', opts)).toBe('少吃辛辣；多饮水。');
    expect(cleanText('建议泌尿外科就诊、', opts)).toBe('建议泌尿外科就诊。');
    expect(cleanText('多喝水,休息,', opts)).toBe('多喝水，休息。');
    // a question, an ellipsis, a bracket or a colon before a list stays as it is
    expect(cleanText('要紧吗？', opts)).toBe('要紧吗？');
    expect(cleanText('生活调理：', opts)).toBe('生活调理：');
    expect(cleanText('（见附图），', opts)).toBe('（见附图），');
    expect(cleanText('，', opts)).toBe('');
  });

  it('makes a run of question or exclamation marks one mark (能去掉吗？?? → 能去掉吗？, 急！！！ → 急！), and leaves ？！ and a lone mark alone', () => {
    expect(cleanText('能去掉吗？??', opts)).toBe('能去掉吗？');
    expect(cleanText('现在可以做种植牙了吗？？？？？？？？？', opts)).toBe('现在可以做种植牙了吗？');
    expect(cleanText('急！！！希望获得帮助', opts)).toBe('急！希望获得帮助');
    expect(cleanText('万分感谢！!！北大', opts)).toBe('万分感谢！北大');
    expect(cleanText('真的吗？！还要手术？', opts)).toBe('真的吗？！还要手术？');
    expect(cleanText('要紧吗？。好的', opts)).toBe('要紧吗？好的');
  });

  it('makes half-width punctuation full-width inside Chinese text but leaves numbers alone', () => {
    expect(normalisePunctuation('发烧38.5度,怎么办?')).toBe('发烧38.5度，怎么办？');
    expect(normalisePunctuation('吃药(一天两次)就好.')).toBe('吃药（一天两次）就好。');
    // doubled marks become one, three full stops an ellipsis, the full-width full stop 。 (record review)
    expect(normalisePunctuation('多喝水。。注意休息，，按时吃药，。复查。，好的！。')).toBe('多喝水。注意休息，按时吃药。复查。好的！');
    expect(normalisePunctuation('你好。。。先查血常规....再说')).toBe('你好……先查血常规……再说');
    expect(normalisePunctuation('建议中药调理．少吃辛辣．1．多喝水 2．5毫克')).toBe('建议中药调理。少吃辛辣。1.多喝水 2.5毫克');
    expect(normalisePunctuation('疾病：：咳嗽，比例1：：2')).toBe('疾病：咳嗽，比例1：2');
    expect(normalisePunctuation('一切正常。没问题，好的：明天复查！')).toBe('一切正常。没问题，好的：明天复查！');
  });

  it('turns full-width letters and digits into half-width', () => {
    expect(cleanText('血压１５０／９０，ＣＴ正常', opts)).toBe('血压150／90，CT正常');
  });

  it('strips HTML remnants and entities and collapses whitespace', () => {
    expect(cleanText('头痛&nbsp;三天<br/>  伴有 发热&amp;咳嗽', opts)).toBe('头痛三天\n伴有发热&咳嗽');
    // a run of spaces between hanzi is where a patient broke a clause (they were glued: 心里就紧张身体就发热)
    expect(cleanText('心里就紧张  身体就发热', opts)).toBe('心里就紧张，身体就发热');
  });

  it('replaces phone numbers, ID-card numbers, e-mail, URLs, QQ and WeChat ids with stable placeholders', () => {
    expect(scrubPii('电话13812345678或者0571-87654321')).toBe('电话<PHONE>或者<PHONE>');
    expect(scrubPii('身份证11010519491231002X')).toBe('身份证<ID>');
    expect(scrubPii('发到a.b@example.com或看https://example.com/x?y=1')).toBe('发到<EMAIL>或看<URL>');
    expect(scrubPii('加我QQ：12345678，微信：doc_wang2020')).toBe('加我<QQ>，<WECHAT>');
    expect(scrubPii('姓名：王小明，我是李医生')).toBe('姓名：<NAME>，我是<NAME>医生');
    expect(scrubPii('谢谢马医生，王大夫说的对')).toBe('谢谢<NAME>医生，<NAME>大夫说的对');
    expect(scrubPii('任何医生都会这么说，明白医生的意思')).toBe('任何医生都会这么说，明白医生的意思');
  });

  it('removes platform boilerplate and media markers of the source, counting hits per template', () => {
    const hits: Record<string, number> = {};
    const chunyu = { ...opts, templates: templatesFor('hetmc'), templateHits: hits };
    expect(cleanText('[图片]您的问题我已收到，您还有其它的图片或检查报告吗，有的话请发给我，这样能更好的帮助您解决问题', chunyu)).toBe('');
    expect(cleanText('问题分析：多喝水。意见建议：休息', chunyu)).toBe('多喝水。休息');
    expect(hits).toEqual({ 'common.media': 1, 'chunyu.received': 1, 'common.section_label': 2 });
    const haodf = { ...opts, templates: templatesFor('meddialog') };
    expect(cleanText('感谢您的信任，病情资料我已详细阅读。根据您现有的资料，建议：多休息/::)👌', haodf)).toBe('多休息');
    expect(cleanText('如果您对我的回复认可，请给予好评，谢谢。医生给您发来一个提醒：记得复查', haodf)).toBe('记得复查');
    // haodf templates do not apply to other sources
    expect(cleanText('医生给您发来一个提醒：记得复查', { ...opts, templates: templatesFor('toyhom') })).toBe('医生给您发来一个提醒：记得复查');
  });

  it('removes the haodf booking form\'s doctor (a full name) and its fill-in dates, and nothing around them', () => {
    const hits: Record<string, number> = {};
    const haodf = { ...opts, templates: templatesFor('meddialog'), templateHits: hits };
    expect(cleanText('预约医生： 王某某\n疾病： 咳嗽\n过敏史： 无（2020-03-23填写）\n既往病史： 高血压（2020-3-3 填写）', haodf)).toBe('疾病：咳嗽\n过敏史：无\n既往病史：高血压');
    expect(cleanText('多通风。\n预约医生：\n李某\n疾病：发热', haodf)).toBe('多通风。\n疾病：发热');
    expect(cleanText('预约医生：\n疾病：发热', haodf)).toBe('疾病：发热');
    expect(hits).toEqual({ 'haodf.booked_doctor': 3, 'haodf.filled_on': 2 });
    // a doctor advising to book, and a date not in the form's brackets, stay
    expect(cleanText('最好尽早预约医生，进行面诊。2020-03-23填写的表格收到了', haodf)).toBe('最好尽早预约医生，进行面诊。2020-03-23填写的表格收到了');
  });

  it('removes what the generating LLM left in CMtMedQA dialogues', () => {
    const cmt = { ...opts, templates: templatesFor('cmtmedqa') };
    expect(cleanText('及时联系医生。\n通过以上对话，我们可以得到以下多轮对话数据：\n"', cmt)).toBe('及时联系医生。');
    expect(cleanText('应避免艾灸，以免加重病情。\n...（继续对话）', cmt)).toBe('应避免艾灸，以免加重病情。');
    expect(cleanText('我们继续对话的内容是复查', cmt)).toBe('我们继续对话的内容是复查');
  });

  it('drops a turn that only a template filled, and counts it', () => {
    const d = normalise([raw([['病人', '咳嗽三天怎么办'], ['医生', '感谢您的信任，病情资料我已详细阅读。'], ['医生', '多喝水']], { origin: { format: 'meddialog', file: 'x.txt', sourceId: '1', position: 1 } })], testContext());
    expect(d.out[0].turns).toEqual([{ role: 'patient', text: '咳嗽三天怎么办' }, { role: 'doctor', text: '多喝水' }]);
    expect(d.counts).toEqual({ 'template.haodf.acknowledgement': 1, dialogues_with_template: 1, turns_emptied_by_template: 1 });
  });

  it('scrubs cate1/cate2, department, title and the rejects it makes', () => {
    const d = normalise([raw([['病人', '头痛'], ['医生', '休息']], { cate1: '内科13812345678', cate2: '任医生', title: '王建国医生你好', department: '内科 0755-8234567' })], testContext());
    expect(d.out[0]).toMatchObject({ cate1: '内科<PHONE>', cate2: '<NAME>医生', title: '<NAME>医生你好', department: '内科 <PHONE>' });
    const r = normalise([raw([['病人', '我叫张小明，电话13812345678'], ['护工', '好']], { id: 'd-probe' })], testContext());
    expect(r.rejects[0].reason).toBe('normalise.unknown_speaker');
    expect(JSON.stringify(r.rejects[0].input)).not.toMatch(/张小明|13812345678/);
  });

  it('knows that punctuation and placeholders alone are not text', () => {
    expect(hasText('？？。。')).toBe(false);
    expect(hasText('<PHONE>')).toBe(false);
    expect(hasText('好的')).toBe(true);
  });
});

describe('speaker roles', () => {
  it.each([
    ['病人', 'patient'], ['患者:', 'patient'], ['P', 'patient'], ['Patients', 'patient'],
    ['医生：', 'doctor'], ['D', 'doctor'], ['Doctor', 'doctor'],
  ])('maps %s to %s', (label, role) => {
    expect(roleOf(label)).toBe(role);
  });

  it('does not guess unknown labels', () => {
    expect(roleOf('护士长')).toBeUndefined();
  });
});

describe('normalise stage', () => {
  const ctx = testContext();

  it('merges consecutive turns of one speaker and drops empty ones', () => {
    const d = normaliseOne(raw([['P', '你好'], ['P', '我头疼'], ['D', '[图片]'], ['D', '多久了？'], ['P', '三天']]), ctx);
    expect('turns' in d && d.turns).toEqual([
      { role: 'patient', text: '你好\n我头疼' },
      { role: 'doctor', text: '多久了？' },
      { role: 'patient', text: '三天' },
    ]);
  });

  it('uses the case description as the opening patient turn when the doctor speaks first', () => {
    const d = normaliseOne(raw([['医生', '咳嗽多久了？'], ['病人', '一周']], { description: '咳嗽一周，有痰' }), ctx);
    expect('turns' in d && d.turns.map((t) => t.role)).toEqual(['patient', 'doctor', 'patient']);
    expect('turns' in d && d.turns[0].text).toBe('咳嗽一周，有痰');
  });

  it('puts the case description before the opening patient turn when the patient speaks first, without the form value the page repeated as a turn', () => {
    const desc = '疾病：咳嗽\n病情描述：咳嗽一周，有痰\n过敏史：无（2020-03-01填写）';
    const d = normaliseOne(raw([['病人', '无（2020-03-01填写）'], ['病人', '医生你好'], ['医生', '发烧吗？']], { description: desc }), ctx);
    expect('turns' in d && d.turns).toEqual([
      { role: 'patient', text: `${desc}\n医生你好` },
      { role: 'doctor', text: '发烧吗？' },
    ]);
    const follow = normaliseOne(raw([['病人', '上次开的药吃完了'], ['医生', '再开一周']], { description: desc }), ctx);
    expect('turns' in follow && follow.turns[0].text).toBe(`${desc}\n上次开的药吃完了`);
    // a turn that already holds the description is left as it is; a short line the description happens to contain stays
    const held = normaliseOne(raw([['病人', `${desc}\n谢谢`], ['医生', '好']], { description: desc }), ctx);
    expect('turns' in held && held.turns[0].text).toBe(`${desc}\n谢谢`);
    const short = normaliseOne(raw([['病人', '咳嗽'], ['医生', '多久了']], { description: desc }), ctx);
    expect('turns' in short && short.turns[0].text).toBe(`${desc}\n咳嗽`);
    // a later visit keeps the patient's own opening alone (the description may be an earlier visit's), but loses a repeated form value
    const visit = (turns: Array<[string, string]>) => ({ ...raw(turns, { description: desc }), origin: { ...raw(turns).origin, visit: 2 } });
    const later = normaliseOne(visit([['病人', '这次是胃不舒服'], ['医生', '多久了']]), ctx);
    expect('turns' in later && later.turns[0].text).toBe('这次是胃不舒服');
    const leakedLater = normaliseOne(visit([['病人', '无（2020-03-01填写）'], ['病人', '又咳嗽了'], ['医生', '多久了']]), ctx);
    expect('turns' in leakedLater && leakedLater.turns[0].text).toBe(`${desc}\n又咳嗽了`);
  });

  it('rejects a dialogue with an unknown speaker label and names the label', () => {
    const { out, rejects } = normalise([raw([['P', '你好'], ['X', '嗯']])], ctx);
    expect(out).toHaveLength(0);
    expect(rejects[0].reason).toBe('normalise.unknown_speaker');
    expect(rejects[0].evidence).toEqual({ turn: 1, speaker: 'X' });
  });

  it('rejects a dialogue with no text left as normalise.empty and keeps going', () => {
    const { out, rejects } = normalise([raw([['P', '[图片]'], ['D', '。。']]), raw([['P', '头晕'], ['D', '量过血压吗？']])], ctx);
    expect(rejects.map((r) => r.reason)).toEqual(['normalise.empty']);
    expect(out).toHaveLength(1);
  });

  it('gives identical rejects the same id on every run', () => {
    const a = normalise([raw([['P', '[图片]']])], ctx).rejects[0];
    const b = normalise([raw([['P', '[图片]']])], ctx).rejects[0];
    expect(a.id).toBe(b.id);
  });
});
