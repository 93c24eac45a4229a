import { describe, expect, it } from '@jest/globals';
import { normaliseOne } from '../../../src/stages/normalise/index.js';
import { raw, testContext } from '../../support/context.js';

// haodf.com cards as MedDialog-CN keeps them: the text of a questionnaire, article or prescription
// card without its link, on a line of its own that the dump glues to whichever turn came before.
const haodf = { format: 'meddialog' as const, file: 'x.txt', sourceId: '7', position: 7 };

function turnsOf(turns: Array<[string, string]>): Array<{ role: string; text: string }> {
  const d = normaliseOne(raw(turns, { origin: haodf }), testContext());
  if (!('turns' in d)) throw new Error(d.detail);
  return d.turns;
}

describe('haodf cards in normalise', () => {
  it('a questionnaire card sent by the doctor goes with its notice (also without 请), and a completion glued to a doctor turn goes whole', () => {
    const t = turnsOf([
      ['病人', '最近总是睡不好，白天没精神。'],
      ['医生', '我先了解一下你的睡眠。尽快填表，我需要了解你的情况： 《睡眠质量自评表》： 请尽快填表，我需要了解你的情况： 《情绪自评表》： 我已完成了林小北医生下发的《睡眠质量自评表》： 得分：41分'],
    ]);
    expect(t[1]).toEqual({ role: 'doctor', text: '我先了解一下你的睡眠。' });
  });

  it('in a patient turn the completion keeps the questionnaire and its score, and a card glued before it goes', () => {
    const t = turnsOf([
      ['病人', '我填好了。\n《情绪自评表》：《情绪自评表》： 得分：23分'],
      ['医生', '分数不高，问题不大。'],
    ]);
    expect(t[0].text).toBe('我填好了。\n《情绪自评表》：得分：23分');
  });

  it('an article card (a title and a colon with nothing after it) at the end of a line goes; a title that introduces text stays', () => {
    const t = turnsOf([
      ['病人', '结节会长大吗？'],
      ['医生', '三个月后复查薄层CT。《结节随访须知》：《结节会不会癌变？》：\n可以参考《内科学》：第九版。'],
    ]);
    expect(t[1].text).toBe('三个月后复查薄层CT。\n可以参考《内科学》：第九版。');
  });

  it('the prescription-request card label (开药需求：) goes where nothing follows it, the words stay elsewhere', () => {
    const t = turnsOf([
      ['病人', '嗓子疼，家里没有药了开药需求：'],
      ['医生', '多喝水，清淡饮食开药需求\n你对什么药过敏吗？开药需求：开药需求：'],
      ['病人', '我的开药需求是两周的量。'],
      ['医生', '可以开两周。'],
    ]);
    expect(t.map((x) => x.text)).toEqual(['嗓子疼，家里没有药了', '多喝水，清淡饮食\n你对什么药过敏吗？', '我的开药需求是两周的量。', '可以开两周。']);
  });
});

describe('haodf rating request', () => {
  it('goes with the 与暖心推荐 the site split off it by a ！ (…给我一个好评！与暖心推荐！)', () => {
    const t = turnsOf([
      ['病人', '好的，谢谢医生。'],
      ['医生', '多喝温水。当然了，如果您觉得我有帮助到你，希望您给我一个好评！与暖心推荐！谢谢！'],
    ]);
    expect(t[1].text).toBe('多喝温水。谢谢！');
  });
});
