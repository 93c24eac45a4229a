import { describe, it, expect, afterAll } from '@jest/globals';
import { readFileSync, mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import iconv from 'iconv-lite';
import { REJECT_REASONS } from '../../schemas/reject.js';
import { silentLogger } from '../../src/core/logger.js';
import { ask120Adapter, chunyuAdapter, haodfAdapter, xywyAdapter, type SiteAdapter } from '../../src/scrape/adapters/index.js';
import { decodeHtml } from '../../src/scrape/charset.js';
import { RawStore } from '../../src/scrape/raw-store.js';
import { parsePage } from '../../src/scrape/source.js';
import type { ImportItem } from '../../src/sources/types.js';

// Pages of every era in ../shared/notes/scraping-layouts.md written the way real pages vary and
// that nobody tuned the layouts for (all text invented here): intake cards whose labels stand
// straight in the card or alone in a paragraph, paid-consultation turns, privacy stand-ins,
// disclaimer and withdrawn-message lines inside turns, markup in <noscript>/<template>, captcha
// pages and list pages given as questions.
const page = (f: string) => {
  const d = decodeHtml(readFileSync(`fixtures/html/${f}`));
  if (!d.ok) throw new Error(d.detail);
  return d.text;
};
const turnsOf = (r: ReturnType<SiteAdapter['parse']>) => ('turns' in r ? r.turns : r);

const storeDir = mkdtempSync(path.join(os.tmpdir(), 'cmt-heldout-'));
afterAll(() => rmSync(storeDir, { recursive: true, force: true }));
async function itemsOf(adapter: SiteAdapter, body: Buffer, url: string, contentType = 'text/html'): Promise<ImportItem[]> {
  const store = new RawStore(storeDir);
  const { sha256, key } = await store.putBody(body);
  const meta = { url, finalUrl: url, status: 200, headers: { 'content-type': contentType }, fetchedAt: '2026-12-01T00:00:00.000Z', sha256, key, bytes: body.length };
  return parsePage({ logger: silentLogger, store }, adapter, meta, body, 1);
}
const outcomes = (items: ImportItem[]) => items.map((i) => (i.kind === 'dialogue' ? i.dialogue : i.reject));

describe('haodf 2015–19 zzx: the intake card however its labels stand, paid turns, privacy stand-ins', () => {
  it('reads a GBK card whose disease h2 the parser moves out of its label paragraph, a paid-consultation p.h_s_cons_main, and drops the privacy stand-in bubble and a disclaimer line', () => {
    const r = haodfAdapter.parse(page('haodf/wenda_fx_3002.htm'), 'https://www.haodf.com/wenda/fxdoc_g_3002.htm');
    expect(r).toEqual({
      sourceId: 'fxdoc_g_3002',
      turns: [
        { speaker: '患者', text: '疾病：胃炎\n病情描述：饭后胃疼三天，有时反酸。\n希望提供的帮助：吃什么药能缓解？\n所就诊医院科室：未就诊' },
        { speaker: '医生', text: '可以先吃两周抑酸药，饭后别马上躺下。' },
        { speaker: '患者', text: '吃了两天还是疼，需要做胃镜吗？' },
        { speaker: '医生', text: '疼了两周以上建议做胃镜。' },
      ],
      layout: 'haodf/zzx-2015',
      placeholders: 2,
      title: '胃疼三天',
      disease: '胃炎',
      description: '饭后胃疼三天，有时反酸。',
    });
  });

  it('reads labels set straight in the card with their values as bare text after them (the whole patient turn was lost)', () => {
    const html = `<html><head><meta charset="utf-8"></head><body>
      <div class="zzx_yh_stream clearfix"><div class="yh_l_huan fl"></div>
        <div class="h_s_cons_info"><h3 class="h_s_cons_info_title">咳嗽两周</h3>
          <strong class="cblues1">疾病：</strong>咳嗽<br/>
          <strong class="cblues1">病情描述：</strong>干咳两周，&nbsp;夜里重。<br/>
          <strong class="cblues1">患病多久：</strong>两周</div></div>
      <div class="zzx_yh_stream"><div class="yh_l_doctor"></div><div class="h_s_cons_docs"><h3 class="h_s_cons_title">先听诊，必要时拍胸片。</h3></div></div></body></html>`;
    const r = haodfAdapter.parse(html, 'https://www.haodf.com/wenda/fxdoc_g_3003.htm');
    expect(r).toMatchObject({
      turns: [
        { speaker: '患者', text: '疾病：咳嗽\n病情描述：干咳两周， 夜里重。\n患病多久：两周' },
        { speaker: '医生', text: '先听诊，必要时拍胸片。' },
      ],
      disease: '咳嗽',
      description: '干咳两周， 夜里重。',
      title: '咳嗽两周',
    });
  });
});

describe('a disclaimer line is dropped only when the whole line is the disclaimer', () => {
  it('advice written after 以上建议仅供参考 on the same line stays (the notice took up to 80 more characters of anything: a drug and its dose vanished)', () => {
    const line = (h6: string, p: string) => `<div class="block-line"><div class="block-right"><h6>${h6}</h6>${p}</div></div>`;
    const html = (doctor: string) => `<html><body><main class="content"><section><section class="problem-detail-wrap"><section class="problem-detail-inner">
      ${line('患者', '<p>胃疼三天</p>')}${line('李华', doctor)}</section></section></section></main></body></html>`;
    const kept = '此建议仅供参考，可以先吃奥美拉唑，一天一次，饭前吃，两周后复查。';
    expect(turnsOf(chunyuAdapter.parse(html(`<p>${kept}</p>`), 'https://www.chunyuyisheng.com/pc/qa/fxD1/'))).toEqual([
      { speaker: '患者', text: '胃疼三天' },
      { speaker: '医生', text: kept },
    ]);
    const tip = '温馨提示：多喝水，少熬夜，以上仅供参考';
    expect(turnsOf(chunyuAdapter.parse(html(`<p>${tip}</p>`), 'https://www.chunyuyisheng.com/pc/qa/fxD2/'))).toEqual([
      { speaker: '患者', text: '胃疼三天' },
      { speaker: '医生', text: tip },
    ]);
    for (const disclaimer of ['以上建议仅供参考，不能代替面诊。', '以上内容仅供参考，具体请遵医嘱', '本回答仅供参考，不能作为诊断及治疗的依据。', '温馨提示：以上内容仅供参考，如有不适请及时就医。']) {
      expect(turnsOf(chunyuAdapter.parse(html(`<p>${disclaimer}</p><p>可以吃点抑酸药。</p>`), 'https://www.chunyuyisheng.com/pc/qa/fxD3/'))).toEqual([
        { speaker: '患者', text: '胃疼三天' },
        { speaker: '医生', text: '可以吃点抑酸药。' },
      ]);
    }
  });
});

describe('page text cannot forge the reader\'s own marks', () => {
  const card = (body: string) => `<html><head><meta charset="utf-8"></head><body>
      <div class="zzx_yh_stream clearfix"><div class="yh_l_huan fl"></div>
        <div class="h_s_cons_info"><h3 class="h_s_cons_info_title">咳嗽</h3>${body}</div></div>
      <div class="zzx_yh_stream"><div class="yh_l_doctor"></div><div class="h_s_cons_docs"><h3 class="h_s_cons_title">先听诊。</h3></div></div></body></html>`;

  it('label marks in the text are text, not labels: no forged field, and 64k of them parse at once (the split was quadratic: 6 s)', () => {
    const forged = haodfAdapter.parse(card('<strong class="cblues1">病情描述：</strong>干咳\uE002两周\uE001疾病\uE002肺癌'), 'https://www.haodf.com/wenda/fx_s1.htm');
    expect(forged).toMatchObject({ turns: [{ speaker: '患者', text: '病情描述：干咳两周疾病肺癌' }, { speaker: '医生', text: '先听诊。' }] });
    expect('disease' in forged && forged.disease).toBeFalsy();
    const t0 = performance.now();
    const many = haodfAdapter.parse(card(`<strong class="cblues1">病情描述：</strong>${'\uE001'.repeat(65_536)}咳嗽`), 'https://www.haodf.com/wenda/fx_s2.htm');
    expect(performance.now() - t0).toBeLessThan(1000);
    expect(many).toMatchObject({ turns: [{ speaker: '患者', text: '病情描述：咳嗽' }, { speaker: '医生', text: '先听诊。' }] });
  });
});

describe('markup no reader sees gives no turn, thread or field', () => {
  it('a turn element inside <template> or <noscript> is not a turn (both were read as doctor turns)', () => {
    const stream = (who: string, t: string) => `<div class="zzx_yh_stream"><div class="yh_l_${who}"></div>${who === 'doctor' ? `<div class="h_s_cons_docs"><h3 class="h_s_cons_title">${t}</h3></div>` : `<pre class="h_s_cons_main">${t}</pre>`}</div>`;
    const zzx = `<html><body>${stream('huan', '牙疼')}<template>${stream('doctor', '模板里的回复')}</template><noscript>${stream('doctor', 'noscript里的回复')}</noscript>${stream('doctor', '看牙科')}</body></html>`;
    expect(turnsOf(haodfAdapter.parse(zzx, 'https://www.haodf.com/wenda/fx_t1.htm'))).toEqual([
      { speaker: '患者', text: '牙疼' },
      { speaker: '医生', text: '看牙科' },
    ]);
    const line = (h6: string, p: string) => `<div class="block-line"><div class="block-right"><h6>${h6}</h6><p>${p}</p></div></div>`;
    const cy = `<html><body><main class="content"><section><section class="problem-detail-wrap"><section class="problem-detail-inner">${line('患者', '胃疼')}<noscript>${line('李华', '假回复')}</noscript>${line('李华', '真回复')}</section></section></section></main></body></html>`;
    expect(turnsOf(chunyuAdapter.parse(cy, 'https://www.chunyuyisheng.com/pc/qa/fxT2/'))).toEqual([
      { speaker: '患者', text: '胃疼' },
      { speaker: '医生', text: '真回复' },
    ]);
  });

  it('xywy: a question in <noscript> does not stand in for the real one, and an answer in <template> is no thread', () => {
    const answer = (t: string) => `<div class="docall"><div class="qsdetail"><div class="Doc_dochf"><div class="pt15">${t}</div></div></div></div>`;
    const html = `<html><head><title>假标题</title></head><body><noscript><div id="qdetailc">假问题</div></noscript><div id="qdetailc">真问题</div>${answer('答')}<template>${answer('模板答')}</template></body></html>`;
    const r = xywyAdapter.parse(html, 'http://club.xywy.com/question/fxT3.htm');
    expect(r).toMatchObject({ turns: [{ speaker: '患者', text: '真问题' }, { speaker: '医生', text: '答' }] });
    expect('threads' in r).toBe(false);
  });
});

describe('boilerplate lines inside turns are platform text, not what anybody said', () => {
  it('chunyu: a 以上内容仅供参考 disclaimer line is dropped, a withdrawn-message bubble is nobody\'s turn', () => {
    const line = (h6: string, p: string) => `<div class="block-line"><div class="block-right"><h6>${h6}</h6>${p}</div></div>`;
    const html = `<html><body><main class="content"><section><section class="problem-detail-wrap"><section class="problem-detail-inner">
      ${line('患者', '<p>胃疼三天</p>')}${line('李华', '<p>以上内容仅供参考，具体请遵医嘱</p><p>可以吃点抑酸药。</p>')}${line('患者', '<p>该消息已被撤回</p>')}${line('患者', '<p>饭前吃还是饭后？</p>')}
      </section></section></section></main></body></html>`;
    expect(chunyuAdapter.parse(html, 'https://www.chunyuyisheng.com/pc/qa/fxB1/')).toMatchObject({
      turns: [
        { speaker: '患者', text: '胃疼三天' },
        { speaker: '医生', text: '可以吃点抑酸药。' },
        { speaker: '患者', text: '饭前吃还是饭后？' },
      ],
      placeholders: 2,
    });
  });

  it('xywy: the 以上是对“…”这个问题的建议 closing line and 120ask\'s disclaimer paragraph are dropped; haodf: a "xx医生 回复：" header line and a 仅供参考 line in the advice', () => {
    const xy = `<html><body><div id="qdetailc">脸上反复长痘一年。</div><div class="docall"><div class="qsdetail"><div class="Doc_dochf"><div class="pt15 f14 graydeep pl20 pr20">病情分析：<br>痤疮与作息有关。<br>以上是对“脸上长痘”这个问题的建议，希望对您有帮助，祝您健康！</div></div></div></div></body></html>`;
    expect(turnsOf(xywyAdapter.parse(xy, 'http://club.xywy.com/question/fxB2.htm'))).toEqual([
      { speaker: '患者', text: '脸上反复长痘一年。' },
      { speaker: '医生', text: '病情分析：\n痤疮与作息有关。' },
    ]);
    const ask = `<html><body><div class="b_askdesc" id="d_msCon"><p>嗓子疼两天</p></div><div class="b_answerli"><div class="crazy_new"><p>意见建议：多喝水。</p><p>以上内容仅供参考，如有疑问请咨询医生。</p></div></div></body></html>`;
    expect(turnsOf(ask120Adapter.parse(ask, 'https://www.120ask.com/question/fxB3.htm'))).toEqual([
      { speaker: '患者', text: '嗓子疼两天' },
      { speaker: '医生', text: '意见建议：多喝水。' },
    ]);
    const card = (who: string, body: string) => `<div class="f-card"><div class="f-c-right"><img class="f-c-r-usertype" src="//i.example/${who}.png"><div class="f-c-r-wrap">${body}</div></div></div>`;
    const flow = `<html><body>${card('patient', '<p class="f-c-r-w-text">谢谢！</p>')}${card('doctor', '<p class="f-c-r-doctext">王五医生 回复：<br>不客气，按时复查。</p>')}</body></html>`;
    expect(turnsOf(haodfAdapter.parse(flow, 'https://www.haodf.com/flow/fx_b4.html'))).toEqual([
      { speaker: '患者', text: '谢谢！' },
      { speaker: '医生', text: '不客气，按时复查。' },
    ]);
    const bc = `<html><body><div class="item-right"><span class="content-com-text">孩子发烧一天</span></div><div class="suggestions-text">多喝水，物理降温。<p>以上建议仅供参考</p></div></body></html>`;
    expect(turnsOf(haodfAdapter.parse(bc, 'https://www.haodf.com/bingcheng/fxB5.html'))).toEqual([
      { speaker: '患者', text: '孩子发烧一天' },
      { speaker: '医生', text: '多喝水，物理降温。' },
    ]);
  });
});

describe('pages that are not consultations are rejects with their own reason', () => {
  const captcha = (title: string, body: string) => `<!DOCTYPE html><html><head><meta charset="utf-8"><title>${title}</title></head><body>${body}</body></html>`;

  it('a captcha or slider page is scrape.blocked on every site (it was parse.layout_unrecognised, a redesign to look at); the reason is in the closed set', async () => {
    expect(REJECT_REASONS['scrape.blocked']).toMatch(/anti-bot/);
    const cases: Array<[SiteAdapter, string, string]> = [
      [haodfAdapter, 'https://www.haodf.com/flow/fx_c1.html', captcha('好大夫在线', '<div class="verify"><p>访问过于频繁，请输入验证码</p><img src="/captcha.jpg?t=1"><input name="code"></div>')],
      [chunyuAdapter, 'https://www.chunyuyisheng.com/pc/qa/fxC2/', captcha('春雨医生', '<p>系统检测到您的访问异常，请完成验证后继续访问</p><div id="nc_1_wrapper"></div>')],
      [xywyAdapter, 'http://club.xywy.com/question/20190101/fxC3.htm', captcha('寻医问药', '<div class="geetest_holder"></div>')],
      [ask120Adapter, 'https://www.120ask.com/question/fxC4.htm', captcha('安全验证 - 有问必答', '<form action="/verify"><input name="code"></form>')],
    ];
    for (const [a, url, html] of cases) {
      const items = outcomes(await itemsOf(a, iconv.encode(html, 'utf-8'), url));
      expect(items).toHaveLength(1);
      expect(items[0]).toMatchObject({ stage: 'scrape', reason: 'scrape.blocked', evidence: { site: a.name, status: 200, reason: expect.stringContaining('anti-bot challenge') } });
    }
  });

  it('a list page given as a question URL is parse.not_a_consultation (it was parse.layout_unrecognised)', async () => {
    const list = '<html><head><meta charset="utf-8"><title>咨询列表</title></head><body><ul><li><a href="/q/1">问题一</a></li></ul></body></html>';
    const cases: Array<[SiteAdapter, string]> = [
      [haodfAdapter, 'https://fxdoc.haodf.com/zixun/list.htm'],
      [chunyuAdapter, 'https://www.chunyuyisheng.com/pc/qalist/?department=ek'],
      [xywyAdapter, 'http://club.xywy.com/list_3.htm'],
      [ask120Adapter, 'https://www.120ask.com/list/pfk/'],
    ];
    for (const [a, url] of cases) {
      const items = outcomes(await itemsOf(a, Buffer.from(list), url));
      expect(items[0]).toMatchObject({ stage: 'parse', reason: 'parse.not_a_consultation', detail: expect.stringContaining('a list page') });
    }
  });

  it('a script-only page that sets a cookie and reloads (a JavaScript challenge) is scrape.blocked; an empty page without one is not', async () => {
    const challenge = '<html><head><meta charset="utf-8"></head><body><script>document.cookie="__clr="+(1+2)+";path=/";location.href=location.pathname+location.search;</script></body></html>';
    for (const [a, url] of [[haodfAdapter, 'https://www.haodf.com/flow/fx_c6.html'], [xywyAdapter, 'http://club.xywy.com/question/20190101/fxC7.htm']] as Array<[SiteAdapter, string]>) {
      const items = outcomes(await itemsOf(a, Buffer.from(challenge), url));
      expect(items[0]).toMatchObject({ stage: 'scrape', reason: 'scrape.blocked', evidence: { reason: expect.stringContaining('JavaScript challenge') } });
    }
    // Not a challenge: a page rendered by script whose analytics sets a cookie and only reads location,
    // a titled 404 page with such a script (gone), a text-less page without any.
    const analytics = '<script>document.cookie="_ga=1";var ref=location.href;</script>';
    const notChallenges: Array<[SiteAdapter, string, string]> = [
      [haodfAdapter, `<html><head><meta charset="utf-8"></head><body><div id="app"></div>${analytics}</body></html>`, 'parse.layout_unrecognised'],
      [chunyuAdapter, `<html><head><meta charset="utf-8"><title>404</title></head><body>${analytics.replace('var ref=location.href', 'location.href="/"')}</body></html>`, 'parse.page_gone'],
      [haodfAdapter, '<html><head><meta charset="utf-8"></head><body><script>var a = 1;</script></body></html>', 'parse.layout_unrecognised'],
    ];
    for (const [a, html, reason] of notChallenges) {
      const items = outcomes(await itemsOf(a, Buffer.from(html), a === haodfAdapter ? 'https://www.haodf.com/flow/fx_c8.html' : 'https://www.chunyuyisheng.com/pc/qa/fxC9/'));
      expect(items[0]).toMatchObject({ reason });
    }
  });

  it('a login page that carries a captcha is a login wall (scrape.login_required), not an anti-bot challenge', async () => {
    const html = '<html><head><meta charset="utf-8"><title>登录</title></head><body><form action="/login"><input name="username"><input type="password" name="password"><img src="/captcha.jpg"><input name="captcha"><p>请输入验证码</p></form></body></html>';
    const items = outcomes(await itemsOf(haodfAdapter, Buffer.from(html), 'https://www.haodf.com/flow/fx_c10.html'));
    expect(items[0]).toMatchObject({ reason: 'scrape.login_required' });
  });

  it('a GBK captcha page whose charset only the HTTP header declares is scrape.blocked too', async () => {
    const html = '<html><head><title>访问验证</title></head><body><p>您的请求过于频繁，请稍后再试。</p></body></html>';
    const items = outcomes(await itemsOf(xywyAdapter, iconv.encode(html, 'gbk'), 'http://club.xywy.com/question/fxC5.htm', 'text/html; charset=GBK'));
    expect(items[0]).toMatchObject({ reason: 'scrape.blocked' });
  });
});
