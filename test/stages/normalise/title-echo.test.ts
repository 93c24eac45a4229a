import { describe, expect, it } from '@jest/globals';
import { normaliseOne } from '../../../src/stages/normalise/index.js';
import { ECHO_MIN_CHARS, withoutTitleEcho } from '../../../src/stages/normalise/title-echo.js';
import { raw, testContext } from '../../support/context.js';

describe('title echo', () => {
  it('keeps the body when the title (cut mid-sentence, a question mark appended) precedes it', () => {
    const body = '膝盖疼了两个多星期，爬楼梯更疼，是怎么回事？需要拍片吗？';
    expect(withoutTitleEcho(`膝盖疼了两个多星期，爬楼梯更疼，是？${body}`)).toBe(body);
  });

  it('keeps the body when the title precedes it without any separator', () => {
    expect(withoutTitleEcho('孩子咳嗽吃什么药好孩子咳嗽吃什么药好呢，已经三天了')).toBe('孩子咳嗽吃什么药好呢，已经三天了');
  });

  it('drops a copy of the opening that ends the text after a sentence end or a colon, not one inside a sentence', () => {
    // after a sentence end (which stays) or a form label's colon
    expect(withoutTitleEcho('背上长了一个硬包不痛不痒。要紧吗？背上长了一个硬包')).toBe('背上长了一个硬包不痛不痒。要紧吗？');
    expect(withoutTitleEcho('背上长了一个硬包不痛不痒，要紧吗：，背上长了一个硬包不痛')).toBe('背上长了一个硬包不痛不痒，要紧吗'); // the colon goes with the copy
    // a question asked again inside a sentence stays: cutting it would leave "…请问医生"
    expect(withoutTitleEcho('背上长了一个硬包怎么办，不痛不痒，请问医生，背上长了一个硬包怎么办')).toBeUndefined();
    expect(withoutTitleEcho('背上长了一个硬包怎么办，不痛不痒，医生请问背上长了一个硬包怎么办')).toBeUndefined();
  });

  it('removes both copies of a title that leads and ends the text, and one of a text given twice', () => {
    expect(withoutTitleEcho('胃胀打嗝需要做胃镜吗胃胀打嗝需要做胃镜吗，最近一个月一直这样？胃胀打嗝需要做胃镜吗')).toBe('胃胀打嗝需要做胃镜吗，最近一个月一直这样？');
    expect(withoutTitleEcho('晚上睡不着觉白天头晕怎么办\n晚上睡不着觉白天头晕怎么办')).toBe('晚上睡不着觉白天头晕怎么办');
  });

  it('leaves texts alone that only repeat a short greeting, repeat something later on, or hold no repeat', () => {
    expect(withoutTitleEcho('医生你好，医生你好，我头疼三天了')).toBeUndefined(); // shorter than ECHO_MIN_CHARS
    expect('医生你好，'.length).toBeLessThan(ECHO_MIN_CHARS);
    expect(withoutTitleEcho('我今年三十五岁了，最近总是失眠，我今年三十五岁了还能调理好吗')).toBeUndefined(); // the repeat is not the whole opening
    expect(withoutTitleEcho('血压150/90，心率80，吃了降压药之后血压150/90，没有变化')).toBeUndefined();
    expect(withoutTitleEcho('头疼')).toBeUndefined();
    expect(withoutTitleEcho('')).toBeUndefined();
  });

  it('is applied by normalise to the opening patient turn only, counted, and can be switched off', () => {
    const echo = '小腿抽筋是缺钙吗？小腿抽筋是缺钙吗，晚上经常抽';
    const d = raw([['患者', echo], ['医生', '小腿抽筋是缺钙吗？不一定，也可能是受凉，小腿抽筋是缺钙吗']]);
    const counts: Record<string, number> = {};
    const on = normaliseOne(d, testContext(), counts);
    if (!('turns' in on)) throw new Error('rejected');
    expect(on.turns[0].text).toBe('小腿抽筋是缺钙吗，晚上经常抽');
    expect(on.turns[1].text).toBe('小腿抽筋是缺钙吗？不一定，也可能是受凉，小腿抽筋是缺钙吗'); // a doctor turn is never touched
    expect(counts.title_echoes_removed).toBe(1);
    const off = normaliseOne(d, testContext({ normalise: { dropTitleEcho: false } }));
    if (!('turns' in off)) throw new Error('rejected');
    expect(off.turns[0].text).toBe(echo);
  });

  it('stays linear on hostile periodic text', () => {
    const periodic = '（'.repeat(32_768); // every position is a candidate, and every copy a prefix
    const t0 = process.hrtime.bigint();
    const out = withoutTitleEcho(periodic);
    const ms = Number(process.hrtime.bigint() - t0) / 1e6;
    expect(out === undefined ? -1 : out.length).toBeLessThan(periodic.length); // a repeat goes (lengths only: no 30 K-character diff)
    expect(periodic.endsWith(out ?? '')).toBe(true);
    expect(ms).toBeLessThan(1000); // quadratic scanning took 2.7 s here, now a few ms
  });
});
