import { describe, it, expect, afterAll } from '@jest/globals';
import { readFileSync } from 'node:fs';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { REJECT_REASONS } from '../../schemas/reject.js';
import { silentLogger } from '../../src/core/logger.js';
import { ADAPTERS, ask120Adapter, chunyuAdapter, haodfAdapter, xywyAdapter, type SiteAdapter } from '../../src/scrape/adapters/index.js';
import { decodeHtml } from '../../src/scrape/charset.js';
import { RawStore } from '../../src/scrape/raw-store.js';
import { parsePage } from '../../src/scrape/source.js';
import { scrapeCounts } from '../../src/pipeline/process.js';
import type { ImportItem } from '../../src/sources/types.js';
import { sharedData } from '../support/services.js';

// Layout variants of every era in ../shared/notes/scraping-layouts.md that the first fixtures did not
// show, with pages written here (no page text is copied): several xywy answers with 追问/追答
// threads, chunyu platform notices, soft 404 pages.
const page = (f: string) => {
  const d = decodeHtml(readFileSync(`fixtures/html/${f}`));
  if (!d.ok) throw new Error(d.detail);
  return d.text;
};
const turnsOf = (r: ReturnType<SiteAdapter['parse']>) => ('turns' in r ? r.turns : r);

const storeDir = mkdtempSync(path.join(os.tmpdir(), 'cmt-era-'));
afterAll(() => rmSync(storeDir, { recursive: true, force: true }));

/** The items the scrape source makes of one fetched page (raw store, parse cache, ids). */
async function itemsOf(adapter: SiteAdapter, body: Buffer, url: string, status = 200, finalUrl = url): Promise<ImportItem[]> {
  const store = new RawStore(storeDir);
  const { sha256, key } = await store.putBody(body);
  const meta = { url, finalUrl, status, headers: { 'content-type': 'text/html' }, fetchedAt: '2026-12-01T00:00:00.000Z', sha256, key, bytes: body.length };
  return parsePage({ logger: silentLogger, store }, adapter, meta, body, 1);
}
const dialogues = (items: ImportItem[]) => items.map((i) => (i.kind === 'dialogue' ? i.dialogue : i.reject));

describe('xywy: every doctor answer is read, one dialogue per answering doctor', () => {
  const url = 'http://club.xywy.com/question/20190302/fx8123456.htm';
  const question = { speaker: '患者', text: '两岁女儿每晚入睡后头上出很多汗，枕头都湿了，吃饭睡觉都正常。' };

  it('an image-only first answer gives way to the next doctor; 追问/追答 are that doctor\'s thread; a third doctor is his own thread; related questions are not read', () => {
    const r = xywyAdapter.parse(page('xywy/question_20190302_fx8123456.htm'), url);
    expect(r).toEqual({
      sourceId: 'fx8123456',
      turns: [
        question,
        { speaker: '医生', text: '小孩新陈代谢快，入睡后头部出汗多数是生理性的。\n注意室温别太高，被子不要盖太厚。' },
        { speaker: '患者', text: '需要补钙吗？' },
        { speaker: '医生', text: '如果没有枕秃、夜惊，一般不用额外补钙。' },
      ],
      layout: 'xywy/club-2016',
      placeholders: 1,
      title: '孩子晚上睡觉出汗多正常吗',
      department: '儿科',
      subcategory: '小儿内科',
      shared: 1,
      threads: [{ turns: [{ speaker: '医生', text: '可以查一下血清维生素D水平。' }], placeholders: 0, singleTurn: true }],
    });
    expect(JSON.stringify(r)).not.toContain('相关问题');
  });

  it('the scrape source makes each thread a dialogue of its own: the question first, visits 0 and 1, ids from content and origin (the same on a re-parse), one page in the layout counts', async () => {
    const body = readFileSync('fixtures/html/xywy/question_20190302_fx8123456.htm');
    const items = await itemsOf(xywyAdapter, body, url);
    expect(items.map((i) => i.kind)).toEqual(['dialogue', 'dialogue']);
    const [a, b] = items.map((i) => (i.kind === 'dialogue' ? i.dialogue : undefined)!);
    expect([a.origin.visit, b.origin.visit]).toEqual([0, 1]);
    expect([a.origin.sourceId, b.origin.sourceId]).toEqual(['fx8123456', 'fx8123456']);
    expect(b.turns).toEqual([question, { speaker: '医生', text: '可以查一下血清维生素D水平。' }]);
    expect(a.turns[0]).toEqual(question);
    expect([a.singleTurn, b.singleTurn]).toEqual([undefined, true]);
    expect([a.department, b.department, b.title]).toEqual(['儿科', '儿科', '孩子晚上睡觉出汗多正常吗']);
    expect([a.origin.placeholders, b.origin.placeholders]).toEqual([1, undefined]);
    expect(a.id).not.toBe(b.id);
    const again = await itemsOf(xywyAdapter, body, url); // from the parse cache
    expect(again).toEqual(items);
    expect(scrapeCounts({ dialogues: [a, b], rejects: [] })).toEqual({ scrape: { layouts: { 'xywy/club-2016': 1 }, placeholders: 1 } });
  });

  it('the existing fixture\'s second doctor is no longer lost: two dialogues, the first unchanged', async () => {
    const r = xywyAdapter.parse(page('xywy/question_20180712_fx7654321.htm'), 'http://club.xywy.com/question/20180712/fx7654321.htm');
    if (!('turns' in r)) throw new Error(r.unrecognised);
    expect(r.turns.map((t) => t.speaker)).toEqual(['患者', '医生', '患者', '医生']);
    expect(r.threads).toEqual([{ turns: [{ speaker: '医生', text: '可以先吃点护胃的药观察。' }], placeholders: 0, singleTurn: true }]);
  });

  it('a page with one answer stays one dialogue without a visit number; a question nobody answered in words is the question alone (split rejects it, nothing vanishes)', async () => {
    const one = `<html><body><div id="qdetailc">手指被门夹了，指甲发紫。</div>
      <div class="docall"><div class="qsdetail"><div class="Doc_dochf"><div class="pt15 f14 graydeep pl20 pr20">冷敷，甲下积血多要去医院引流。</div></div></div></div></body></html>`;
    const items = await itemsOf(xywyAdapter, Buffer.from(one), 'http://club.xywy.com/question/fxOne1.htm');
    expect(items).toHaveLength(1);
    const d = items[0].kind === 'dialogue' ? items[0].dialogue : undefined;
    expect(d?.origin.visit).toBeUndefined();
    expect(d?.turns.map((t) => t.speaker)).toEqual(['患者', '医生']);
    const none = one.replace('冷敷，甲下积血多要去医院引流。', '<img src="x.jpg">');
    expect(xywyAdapter.parse(none, 'http://club.xywy.com/question/fxOne2.htm')).toMatchObject({ turns: [{ speaker: '患者', text: '手指被门夹了，指甲发紫。' }], placeholders: 1 });
  });

  it('a follow-up block placed after its answer\'s div.docall (not inside it) is that doctor\'s thread; a related question\'s thread is not read', () => {
    const answer = (t: string) => `<div class="docall"><div class="qsdetail"><div class="Doc_dochf"><div class="pt15">${t}</div></div></div></div>`;
    const html = `<html><body><div id="qdetailc">脚踝扭了，肿得厉害。</div>
      ${answer('先冰敷，抬高患肢。')}<div class="appdoc"><div class="usezw">追问：要拍片吗？</div><div class="usezw">回复：不能走路就拍。</div></div>
      ${answer('四十八小时后再热敷。')}
      <div class="docall relate-con"><div class="appdoc"><div class="usezw">追问：别人的问题</div></div></div></body></html>`;
    expect(xywyAdapter.parse(html, 'http://club.xywy.com/question/fxAfter.htm')).toMatchObject({
      turns: [
        { speaker: '患者', text: '脚踝扭了，肿得厉害。' },
        { speaker: '医生', text: '先冰敷，抬高患肢。' },
        { speaker: '患者', text: '要拍片吗？' },
        { speaker: '医生', text: '不能走路就拍。' },
      ],
      shared: 1,
      threads: [{ turns: [{ speaker: '医生', text: '四十八小时后再热敷。' }], placeholders: 0, singleTurn: true }],
    });
  });

  it('more answer threads than threads.max is an unrecognised page, not hundreds of copies of the question', () => {
    const answers = Array.from({ length: 70 }, (_, i) => `<div class="docall"><div class="qsdetail"><div class="Doc_dochf"><div class="pt15">回答${i}</div></div></div></div>`).join('');
    const r = xywyAdapter.parse(`<html><body><div id="qdetailc">问题</div>${answers}</body></html>`, 'http://club.xywy.com/question/fxMany.htm');
    expect(r).toEqual({ unrecognised: 'xywy/club-2016: more than threads.max 64 answer threads (div.docall:not(.relate-con)): not a page this layout reads', kind: 'layout' });
  });
});

describe('chunyu: platform notices are not turns', () => {
  it('a system-notice bubble with no speaker is skipped (it made the whole page unrecognised); notice lines (医生已接诊, 评价, 问题已关闭, 温馨提示 disclaimers, 医生更新了总结建议) are dropped and counted', () => {
    const r = chunyuAdapter.parse(page('chunyu/qa_fxNotice21q.html'), 'https://www.chunyuyisheng.com/pc/qa/fxNotice21q/');
    expect(r).toEqual({
      sourceId: 'fxNotice21q',
      turns: [
        { speaker: '患者', text: '嗓子疼了三天，咽口水都疼，体温三十七度六。（男，28岁）' },
        { speaker: '医生', text: '你好，扁桃体有没有肿大或者白点？' },
        { speaker: '患者', text: '照镜子看右边有几个白点。' },
        // The doctor's own summary stays; the notice before it is removed in normalise (chunyu.summary_updated).
        { speaker: '医生', text: '针对本次问诊，医生更新了总结建议：考虑急性化脓性扁桃体炎，建议到医院查血常规。' },
      ],
      layout: 'chunyu/block-right',
      placeholders: 5,
      title: '嗓子疼三天还有点低烧',
      department: '耳鼻喉科',
      doctorTitle: '主治医师',
    });
  });

  it('the 2019 / 2022–23 context-left layout skips a notice bubble with no h6 too, and still refuses a bubble of real text with no speaker', () => {
    const line = (inner: string) => `<div class="block-line"><div class="context-left">${inner}</div></div>`;
    const html = (extra: string) => `<html><body><div class="js-info" data-problem="fxN2"></div>
      ${line('<h6 class="doctor-name">患者</h6><p>牙龈出血一个月。</p>')}${line(extra)}${line('<h6 class="doctor-name">陈刚</h6><p>先洗牙，再看是否还出血。</p>')}</body></html>`;
    const u = 'https://www.chunyuyisheng.com/pc/qa/fxN2/';
    expect(turnsOf(chunyuAdapter.parse(html('<p>陈刚医生已接诊</p>'), u))).toEqual([
      { speaker: '患者', text: '牙龈出血一个月。' },
      { speaker: '医生', text: '先洗牙，再看是否还出血。' },
    ]);
    expect(chunyuAdapter.parse(html('<p>刷牙的时候最明显。</p>'), u)).toEqual({ unrecognised: 'chunyu/context-left: turn 2 (div.block-line:has(div.context-left)) matches no speaker rule', kind: 'layout' });
  });

  it('a notice word inside a sentence is text: only a whole line that is a notice goes', () => {
    const html = `<html><body><div class="js-info" data-problem="fxN3"></div><main class="content"><section><section class="problem-detail-wrap"><section class="problem-detail-inner">
      <div class="block-line"><div class="block-right"><h6>患者</h6><p>上次问题已关闭了，我想再问一下复查的事。</p><p>咨询已结束了吗？</p><p>李医生已接诊了吗</p></div></div>
      <div class="block-line"><div class="block-right"><h6>王医生</h6><p>温馨提示：复查前一天不要喝酒。</p></div></div>
      </section></section></section></main></body></html>`;
    expect(turnsOf(chunyuAdapter.parse(html, 'https://www.chunyuyisheng.com/pc/qa/fxN3/'))).toEqual([
      { speaker: '患者', text: '上次问题已关闭了，我想再问一下复查的事。\n咨询已结束了吗？\n李医生已接诊了吗' },
      { speaker: '医生', text: '温馨提示：复查前一天不要喝酒。' },
    ]);
  });
});

describe('soft 404: an error page served with 200 is parse.page_gone, not an unknown layout', () => {
  const urls: Array<[SiteAdapter, string]> = [
    [haodfAdapter, 'https://www.haodf.com/wenda/fx_gone.htm'],
    [chunyuAdapter, 'https://www.chunyuyisheng.com/pc/qa/fxGone/'],
    [xywyAdapter, 'http://club.xywy.com/question/20190302/fxGone.htm'],
    [ask120Adapter, 'https://www.120ask.com/question/fxGone.htm'],
  ];

  it('on every site, by the page text and by a 404 title', () => {
    for (const [a, u] of urls) {
      expect(a.parse(page('unknown/soft_404.html'), u)).toEqual({ unrecognised: 'an error page is served with a success status (soft 404): the page says "页面不存在"', kind: 'gone' });
      expect(a.parse('<html><head><title>404 - 春雨医生</title></head><body><p>出了点问题</p></body></html>', u)).toMatchObject({ kind: 'gone' });
    }
    expect(ADAPTERS).toHaveLength(urls.length);
  });

  it('the scrape source rejects it as parse.page_gone with the status and the sign it found; the reason is in the closed set', async () => {
    expect(REJECT_REASONS['parse.page_gone']).toMatch(/soft 404/);
    const items = dialogues(await itemsOf(chunyuAdapter, readFileSync('fixtures/html/unknown/soft_404.html'), 'https://www.chunyuyisheng.com/pc/qa/fxGone/'));
    expect(items).toHaveLength(1);
    expect(items[0]).toMatchObject({ stage: 'parse', reason: 'parse.page_gone', evidence: { site: 'chunyu', status: 200, reason: expect.stringContaining('页面不存在') } });
  });

  it('a question that redirects to the home or a list page is gone; a redirect to another question page that no layout reads stays unrecognised', async () => {
    const home = Buffer.from('<html><head><title>春雨医生</title></head><body><div class="index-banner">在线问诊</div></body></html>');
    const gone = dialogues(await itemsOf(chunyuAdapter, home, 'https://www.chunyuyisheng.com/pc/qa/fxMoved/', 200, 'https://www.chunyuyisheng.com/pc/qalist/'));
    expect(gone[0]).toMatchObject({ reason: 'parse.page_gone', detail: expect.stringContaining('redirects to https://www.chunyuyisheng.com/pc/qalist/, which is not a question page') });
    const other = dialogues(await itemsOf(chunyuAdapter, home, 'https://www.chunyuyisheng.com/pc/qa/fxMoved/', 200, 'https://www.chunyuyisheng.com/pc/qa/fxMoved2/'));
    expect(other[0]).toMatchObject({ reason: 'parse.layout_unrecognised' });
  });

  it('a page in the usual frame whose question was deleted (an empty #qdetailc) is gone too; without the notice it stays an unrecognised layout', () => {
    const frame = (msg: string) => `<html><head><title>寻医问药网</title></head><body><div class="User_askcon"><div class="graydeep User_quecol" id="qdetailc"></div>${msg}</div></body></html>`;
    expect(xywyAdapter.parse(frame('<p class="tips">该问题已被删除</p>'), 'http://club.xywy.com/question/fxDel.htm')).toEqual({
      unrecognised: 'xywy/club-2016: the turns hold no text and the page says it is gone (soft 404): the page says "该问题已被删除"',
      kind: 'gone',
    });
    expect(xywyAdapter.parse(frame(''), 'http://club.xywy.com/question/fxDel.htm')).toEqual({ unrecognised: 'xywy/club-2016: the turns hold no text', kind: 'layout' });
  });

  it('a consultation that mentions 页面不存在 or 404 in its text is still the consultation; the real haodf page is not gone', () => {
    const html = `<html><head><title>404病房</title></head><body><div id="qdetailc">打开医院挂号网站一直显示页面不存在，304和404是什么意思？</div>
      <div class="docall"><div class="qsdetail"><div class="Doc_dochf"><div class="pt15">那是网站的问题，换个浏览器试试。</div></div></div></div></body></html>`;
    expect(turnsOf(xywyAdapter.parse(html, 'http://club.xywy.com/question/fx404.htm'))).toHaveLength(2);
    const real = decodeHtml(readFileSync(sharedData('html', 'haodf', 'haodf_flow_page_2020.html')));
    if (!real.ok) throw new Error(real.detail);
    expect(haodfAdapter.parse(real.text, 'https://www.haodf.com/flow/menzhen_pr_6481987203_8888362349.html')).toMatchObject({ layout: 'haodf/flow-2020' });
  });
});

describe('variants of every era the fixtures do not show', () => {
  it('haodf 2015–19 zzx: speakers by the yi.png / huan.png icons alone, doctor text in a pre, a system stream (医生已接诊, 该患者已付费) skipped', () => {
    const stream = (inner: string) => `<div class="zzx_yh_stream">${inner}</div>`;
    const html = `<html><body><div class="zzx_yh_con">
      ${stream('<img src="//i1.hdfimg.com/zixun/images/huan.png"><div class="h_s_cons_info"><h3 class="h_s_cons_info_title">牙疼</h3><p><strong class="cblues1">病情描述：</strong>左下牙疼两天。</p></div>')}
      ${stream('<div class="h_s_cons_sys">系统提示：医生已接诊</div>')}
      ${stream('<img src="//i1.hdfimg.com/zixun/images/yi.png"><div class="h_s_cons_docs"><pre class="h_s_cons_main">先拍个牙片。</pre></div>')}
      ${stream('<div class="h_s_cons_sys">该患者已付费</div>')}
      ${stream('<img src="//i1.hdfimg.com/zixun/images/huan.png"><pre class="h_s_cons_main">挂哪个科？</pre>')}
      </div></body></html>`;
    expect(haodfAdapter.parse(html, 'https://www.haodf.com/wenda/fx_v8.htm')).toEqual({
      sourceId: 'fx_v8',
      turns: [
        { speaker: '患者', text: '病情描述：左下牙疼两天。' },
        { speaker: '医生', text: '先拍个牙片。' },
        { speaker: '患者', text: '挂哪个科？' },
      ],
      layout: 'haodf/zzx-2015',
      placeholders: 2,
      title: '牙疼',
      description: '左下牙疼两天。',
    });
  });

  it('haodf 2020–21 flow: a card with no user icon that holds only a platform disclaimer is skipped, not a reason to refuse the page', () => {
    const card = (who: string, body: string) => `<div class="f-card"><div class="f-c-right">${who ? `<img class="f-c-r-doctor f-c-r-usertype" src="//i.example/${who}.png">` : ''}<div class="f-c-r-content"><div class="f-c-r-wrap">${body}</div></div></div></div>`;
    const html = `<html><body>${card('patient', '<p class="f-c-r-w-text">头疼三天。</p>')}${card('', '<p class="f-c-r-w-text">温馨提示：医生回复仅供参考，不能代替面诊</p>')}${card('doctor', '<p class="f-c-r-doctext">先量血压。</p>')}</body></html>`;
    expect(haodfAdapter.parse(html, 'https://www.haodf.com/flow/fx_v9.html')).toMatchObject({ turns: [{ speaker: '患者', text: '头疼三天。' }, { speaker: '医生', text: '先量血压。' }], placeholders: 1 });
  });

  it('haodf 2022+ bingcheng: a voice-only doctor message and a 医生已接诊 notice are not turns; the written message after them is the doctor\'s', () => {
    const html = `<html><body><p class="diseaseinfo"><span class="info3-title">病情描述：</span><span class="info3-value">咳嗽一周。</span></p>
      <div class="item-left"><div class="msg-time">2022-06-01 20:15</div><span class="content-audio-text">语音 10″</span></div>
      <div class="item-left"><div class="msg-time">2022-06-01 20:16</div><span class="content-com-text">医生已接诊</span></div>
      <div class="item-left"><div class="msg-time">2022-06-01 20:17</div><span class="content-himcontent-text">多喝温水，观察三天。</span></div></body></html>`;
    expect(haodfAdapter.parse(html, 'https://www.haodf.com/bingcheng/fx_v10.html')).toMatchObject({
      turns: [{ speaker: '患者', text: '病情描述：咳嗽一周。' }, { speaker: '医生', text: '多喝温水，观察三天。' }],
      placeholders: 2,
    });
  });

  it('chunyu: a bubble headed 系统消息 is the platform\'s, not the doctor\'s (it was read as a doctor turn); a doctor h6 with a title span is still the doctor', () => {
    const line = (h6: string, p: string) => `<div class="block-line"><div class="block-right"><h6>${h6}</h6><p>${p}</p></div></div>`;
    const html = `<html><body><main class="content"><section class="problem-detail-wrap">${line('患者', '发烧两天。')}${line('系统消息', '医生正在赶来，请稍候')}${line('李医生<span class="title">主治医师</span>', '最高多少度？')}</section></main></body></html>`;
    expect(chunyuAdapter.parse(html, 'https://www.chunyuyisheng.com/pc/qa/fxV11/')).toMatchObject({
      turns: [{ speaker: '患者', text: '发烧两天。' }, { speaker: '医生', text: '最高多少度？' }],
      placeholders: 1,
    });
    const ctx = html.replace(/block-right/g, 'context-left').replace(/<h6>/g, '<h6 class="doctor-name">');
    expect(turnsOf(chunyuAdapter.parse(ctx, 'https://www.chunyuyisheng.com/pc/qa/fxV11/'))).toEqual([{ speaker: '患者', text: '发烧两天。' }, { speaker: '医生', text: '最高多少度？' }]);
  });

  it('xywy: 患者追问 / 医生回复 markers and paragraphs in the answer; 120ask 2017+: the question in div.f-q-main paragraphs, the first answer kept', () => {
    const xywy = `<html><body><div id="qdetailc"><p>眼睛干涩。</p><p>问题补充：每天看电脑十小时。</p></div>
      <div class="docall"><div class="qsdetail"><div class="Doc_dochf"><div class="pt15"><p>可以滴人工泪液。</p></div></div></div>
      <div class="appdoc"><div class="usezw"><span>患者追问：</span>哪种好？</div><div class="usezw"><span>医生回复：</span>不含防腐剂的。</div></div></div></body></html>`;
    expect(turnsOf(xywyAdapter.parse(xywy, 'http://club.xywy.com/question/fxV12.htm'))).toEqual([
      { speaker: '患者', text: '眼睛干涩。\n问题补充：每天看电脑十小时。' },
      { speaker: '医生', text: '可以滴人工泪液。' },
      { speaker: '患者', text: '哪种好？' },
      { speaker: '医生', text: '不含防腐剂的。' },
    ]);
    const ask = `<html><head><title>腰疼_有问必答</title></head><body><div class="b_route"><a>首页</a><a>骨科</a></div><div class="f-q-main"><p>腰疼一周。</p><p>弯腰更疼。</p></div>
      <div class="b_answerli"><div class="b_answertl"><span class="b_sp1">主治医师</span></div><div class="crazy_doctor">先卧床休息。</div></div>
      <div class="b_answerli"><div class="crazy_doctor">可以做理疗。</div></div></body></html>`;
    expect(ask120Adapter.parse(ask, 'https://www.120ask.com/question/fxV12.htm')).toMatchObject({
      turns: [{ speaker: '患者', text: '腰疼一周。\n弯腰更疼。' }, { speaker: '医生', text: '先卧床休息。' }],
      layout: '120ask/ask-2017', title: '腰疼', department: '骨科', doctorTitle: '主治医师', singleTurn: true,
    });
  });
});
