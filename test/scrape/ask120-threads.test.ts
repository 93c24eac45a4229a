import { describe, it, expect, afterAll } from '@jest/globals';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { silentLogger } from '../../src/core/logger.js';
import { ask120Adapter } from '../../src/scrape/adapters/index.js';
import { decodeHtml } from '../../src/scrape/charset.js';
import { RawStore } from '../../src/scrape/raw-store.js';
import { parsePage } from '../../src/scrape/source.js';
import { scrapeCounts } from '../../src/pipeline/process.js';

// 120ask pages list several doctors' answers (div.b_answerli), some with the asker's 追问 and the
// doctor's replies (div.b_ansaddbox div.b_ansaddli). Every answer is read as xywy's are: one dialogue
// per answering doctor. Pages written here from the crawlers' class names; no page text is copied.
const page = (f: string) => {
  const d = decodeHtml(readFileSync(`fixtures/html/120ask/${f}`));
  if (!d.ok) throw new Error(d.detail);
  return { text: d.text, charset: d.charset };
};
const storeDir = mkdtempSync(path.join(os.tmpdir(), 'cmt-ask120-'));
afterAll(() => rmSync(storeDir, { recursive: true, force: true }));

describe('120ask: every doctor answer is read, one dialogue per answering doctor', () => {
  const question = { speaker: '患者', text: '健康咨询描述：吃完油腻的东西右上腹隐隐作痛，持续一两个小时，最近一个月有三次。\n想得到怎样的帮助：需要做什么检查？' };

  it('2017+ (UTF-8): the first doctor with his 追问/回答 thread, an advertisement answer not read, a voice-only answer no dialogue, a privacy placeholder dropped; the header, the asker line and times are not text', () => {
    const { text, charset } = page('question_fx90412.htm');
    expect(charset).toBe('utf-8');
    const r = ask120Adapter.parse(text, 'https://www.120ask.com/question/fx90412.htm');
    expect(r).toEqual({
      sourceId: 'fx90412',
      turns: [
        question,
        { speaker: '医生', text: '病情分析：进食油腻后右上腹痛，首先要排除胆囊结石或胆囊炎。\n指导意见：空腹做一个肝胆B超，饮食清淡。' },
        { speaker: '患者', text: 'B超要空腹多久？' },
        { speaker: '医生', text: '前一天晚饭后不再进食，第二天上午去做。' },
        { speaker: '患者', text: '好的，谢谢。' },
      ],
      layout: '120ask/ask-2017',
      placeholders: 1, // the voice answer's player, on the first dialogue
      title: '饭后右上腹隐痛是胆囊的问题吗',
      department: '肝胆外科',
      description: '吃完油腻的东西右上腹隐隐作痛，持续一两个小时，最近一个月有三次。',
      doctorTitle: '主治医师', // not the name in the same span
      shared: 1,
      threads: [{ turns: [{ speaker: '医生', text: '从描述看胆囊可能性大，也要注意胃的问题，必要时查胃镜。' }], placeholders: 1, doctorTitle: '医师', singleTurn: true }],
    });
    const all = JSON.stringify(r);
    for (const chrome of ['点击这里', '您的浏览器不支持', '图片涉及用户隐私', '41岁', '2019-04', '擅长', '韩立']) expect(all).not.toContain(chrome);
  });

  it('2015 (GBK bytes under a gb2312 meta): the 追问 and the doctor\'s 回答 inside the first answer are turns, the second doctor is a thread', () => {
    const raw = readFileSync('fixtures/html/120ask/question_fx61207.htm');
    expect(() => new TextDecoder('utf-8', { fatal: true }).decode(raw)).toThrow(); // really GBK bytes
    const { text, charset } = page('question_fx61207.htm');
    expect(charset).toBe('gb18030');
    expect(ask120Adapter.parse(text, 'http://www.120ask.com/question/fx61207.htm')).toEqual({
      sourceId: 'fx61207',
      turns: [
        { speaker: '患者', text: '健康咨询描述：手指缝里起了很多小水泡，特别痒，一到夏天就犯。\n想得到怎样的帮助：用什么药膏好？' },
        { speaker: '医生', text: '这是汗疱疹，和出汗多、接触洗涤剂有关。\n少接触洗衣粉，痒时可以外用炉甘石洗剂。' },
        { speaker: '患者', text: '破了以后还能用吗？' },
        { speaker: '医生', text: '破了就不要用了，保持干燥，可以涂一点抗生素软膏。' },
      ],
      layout: '120ask/ask-2015',
      placeholders: 0,
      title: '手上起小水泡很痒怎么办',
      department: '皮肤科',
      description: '手指缝里起了很多小水泡，特别痒，一到夏天就犯。',
      doctorTitle: '主治医师',
      shared: 1,
      threads: [{ turns: [{ speaker: '医生', text: '平时戴手套做家务，反复发作可以来门诊。' }], placeholders: 0, doctorTitle: '医师', singleTurn: true }],
    });
  });

  it('the scrape source makes each thread a dialogue: the question first, visits 0 and 1, distinct ids, the page counted once', async () => {
    const store = new RawStore(storeDir);
    const body = readFileSync('fixtures/html/120ask/question_fx90412.htm');
    const { sha256, key } = await store.putBody(body);
    const url = 'https://www.120ask.com/question/fx90412.htm';
    const meta = { url, finalUrl: url, status: 200, headers: { 'content-type': 'text/html' }, fetchedAt: '2026-12-01T00:00:00.000Z', sha256, key, bytes: body.length };
    const items = await parsePage({ logger: silentLogger, store }, ask120Adapter, meta, body, 1);
    const ds = items.map((i) => (i.kind === 'dialogue' ? i.dialogue : undefined)!);
    expect(ds.map((d) => [d.origin.visit, d.turns.length, d.singleTurn, d.department])).toEqual([[0, 5, undefined, '肝胆外科'], [1, 2, true, '肝胆外科']]);
    expect(ds[1].turns[0]).toEqual(question);
    expect(ds[0].id).not.toBe(ds[1].id);
    expect(scrapeCounts({ dialogues: ds, rejects: [] })).toEqual({ scrape: { layouts: { '120ask/ask-2017': 1 }, placeholders: 2 } });
  });

  it('answers listed as div.crazy_doctor blocks (no div.b_answerli): each is a thread, its header and time are not text; a voice-only answer with a written follow-up keeps the follow-up, not the voice', () => {
    const block = (inner: string) => `<div class="crazy_doctor"><div class="b_answertl"><span class="b_sp1"><a>甲医生</a> 主治医师</span><span>擅长：咽喉</span></div>${inner}<span class="b_anscont_time">2021-01-01 10:00</span></div>`;
    const add = (who: 'ans' | 'doc', t: string) => `<div class="b_ansaddli"><span class="b_${who}addti">${who === 'ans' ? '追问' : '回答'}<span>2021-01-01</span></span><p>${t}</p></div>`;
    const html = `<html><head><title>咽炎_有问必答</title></head><body><div class="b_route"><a>首页</a><a>耳鼻喉科</a></div>
      <div class="f-q-main"><h1 id="d_askH1">咽炎</h1><div class="b_askab1">男 | 30岁</div><p>嗓子有异物感半年。</p>
      ${block('<div class="crazy_new">慢性咽炎常见，少抽烟。</div>')}
      ${block(`多喝水，<br>少吃辣。<div class="b_ansaddbox">${add('ans', '要吃药吗？')}${add('doc', '不用。')}</div>`)}
      ${block(`<audio src="x.mp3">您的浏览器不支持 audio 元素</audio><div class="b_ansaddbox">${add('ans', '能打字说吗？')}${add('doc', '建议做个喉镜。')}</div>`)}
      </div></body></html>`;
    const r = ask120Adapter.parse(html, 'https://www.120ask.com/question/fxCd1.htm');
    expect(r).toMatchObject({
      // The question block wraps the answers here: they are not the question's text.
      turns: [{ speaker: '患者', text: '嗓子有异物感半年。' }, { speaker: '医生', text: '慢性咽炎常见，少抽烟。' }],
      layout: '120ask/ask-2017',
      shared: 1,
      threads: [
        { turns: [{ speaker: '医生', text: '多喝水，\n少吃辣。' }, { speaker: '患者', text: '要吃药吗？' }, { speaker: '医生', text: '不用。' }], placeholders: 0 },
        { turns: [{ speaker: '患者', text: '能打字说吗？' }, { speaker: '医生', text: '建议做个喉镜。' }], placeholders: 1 },
      ],
    });
    expect(JSON.stringify(r)).not.toMatch(/擅长|2021-01-01|甲医生|30岁/);
  });

  it('a page whose only answer is voice is the question alone (split rejects it; nothing vanishes), with the placeholder counted', () => {
    const html = `<html><body><div id="d_msCon"><p>耳朵里有回声。</p></div>
      <div class="b_answerli"><div class="crazy_doctor"><audio src="a.mp3">您的浏览器不支持 audio 元素</audio></div></div></body></html>`;
    expect(ask120Adapter.parse(html, 'https://www.120ask.com/question/fxVoice.htm')).toMatchObject({ turns: [{ speaker: '患者', text: '耳朵里有回声。' }], placeholders: 1 });
  });

  it('a page whose question is the 2015 markup (div.b_askcont p.crazy_new) but whose answers are in div.crazy_doctor or div.b_anscont_cont (no div.crazy_new) keeps its answers (the question alone before), without the time line', () => {
    const html = `<html><body><div class="b_askcont" id="d_msCon"><p class="crazy_new"><span>健康咨询描述：</span>脚后跟疼。</p></div>
      <div class="b_answerli"><div class="b_answertop"><div class="b_answertl"><span class="b_sp1"><a>甲</a> 医师</span></div></div><div class="crazy_doctor">可能是足底筋膜炎，<br>少站立。<span class="b_anscont_time">2018-01-01</span></div></div>
      <div class="b_answerli"><div class="b_anscontc"><div class="b_anscont_cont">穿软底鞋。</div><span class="b_anscont_time">2018-01-02</span></div></div></body></html>`;
    expect(ask120Adapter.parse(html, 'https://www.120ask.com/question/fxMix15.htm')).toMatchObject({
      turns: [{ speaker: '患者', text: '健康咨询描述：脚后跟疼。' }, { speaker: '医生', text: '可能是足底筋膜炎，\n少站立。' }],
      layout: '120ask/ask-2015',
      doctorTitle: '医师',
      threads: [{ turns: [{ speaker: '医生', text: '穿软底鞋。' }] }],
    });
  });

  it('a follow-up\'s speaker is its title class (b_docaddti the doctor, b_ansaddti the asker) before any marker word; an inline marker with a colon is stripped, a word that only starts the text is not', () => {
    const html = `<html><body><div id="d_msCon"><p>牙龈肿。</p></div><div class="b_answerli"><div class="crazy_new">先用漱口水。</div>
      <div class="b_ansaddbox"><div class="b_ansaddli"><span class="b_docaddti">追问<span>2020-01-01</span></span><p>有没有发烧？</p></div>
      <div class="b_ansaddli"><span class="b_ansaddti"><span>2020-01-01</span></span><p>回复医生：没有发烧。</p></div>
      <div class="b_ansaddli">回答：那就先观察。</div></div></div></body></html>`;
    expect(ask120Adapter.parse(html, 'https://www.120ask.com/question/fxAdd.htm')).toMatchObject({
      turns: [
        { speaker: '患者', text: '牙龈肿。' },
        { speaker: '医生', text: '先用漱口水。' },
        { speaker: '医生', text: '有没有发烧？' },
        { speaker: '患者', text: '回复医生：没有发烧。' },
        { speaker: '医生', text: '那就先观察。' },
      ],
    });
  });
});
