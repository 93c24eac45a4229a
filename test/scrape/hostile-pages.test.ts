import { describe, expect, it } from '@jest/globals';
import { readdirSync, readFileSync } from 'node:fs';
import { decodeHtml } from '../../src/scrape/charset.js';
import { sharedData } from '../support/services.js';
import { ADAPTERS, ask120Adapter, chunyuAdapter, haodfAdapter, xywyAdapter } from '../../src/scrape/adapters/index.js';
import { blockText, detach, findIn, loadHtml, MarkupRefused, MAX_ATTRIBUTES, MAX_DEPTH, MAX_SELF_NESTING } from '../../src/scrape/adapters/types.js';
import { discoverLinks } from '../../src/scrape/discover.js';
import { MAX_TURN_ELEMENTS } from '../../src/scrape/layout-engine.js';

/**
 * Hang detectors, not performance measurements (bench does those): wide elements that made reading a
 * page quadratic in cheerio (find() de-duplicates the scope's children, add() the merged turn set,
 * a <br> replaced at a time splices its parent) finish in time proportional to their size; a budget
 * of seconds tells the two apart on any machine.
 */
const BUDGET_MS = 5000;
const turnsOf = (r: ReturnType<typeof xywyAdapter.parse>) => ('turns' in r ? r.turns : r);
function timed<T>(f: () => T): T {
  const t = performance.now();
  const r = f();
  expect(performance.now() - t).toBeLessThan(BUDGET_MS);
  return r;
}

describe('reading hostile pages takes time linear in their size', () => {
  it('a question of 80,000 lines (<br>) is read whole: 16 s for 40,000 before', () => {
    const html = `<html><body><div id="qdetailc">${'头晕<br>'.repeat(80_000)}</div><div class="docall"><div class="qsdetail"><div class="Doc_dochf"><div class="pt15">量血压。</div></div></div></div></body></html>`;
    const r = timed(() => xywyAdapter.parse(html, 'http://club.xywy.com/question/fxWide.htm'));
    if (!('turns' in r)) throw new Error(r.unrecognised);
    expect(r.turns[0].text.split('\n')).toHaveLength(80_000);
    expect(r.turns[1]).toEqual({ speaker: '医生', text: '量血压。' });
  });

  it('a page of 20,000 answer threads is refused before it is read (more turn elements than a consultation has), not read to the end', () => {
    const answers = Array.from({ length: 20_000 }, (_, i) => `<div class="docall"><div class="qsdetail"><div class="Doc_dochf"><div class="pt15">答${i}</div></div></div><div class="appdoc"><div class="usezw">追问：问${i}</div></div></div>`).join('');
    const r = timed(() => xywyAdapter.parse(`<html><body><div id="qdetailc">问题</div>${answers}</body></html>`, 'http://club.xywy.com/question/fxMany.htm'));
    expect(r).toMatchObject({ kind: 'layout', unrecognised: expect.stringContaining(`more than ${MAX_TURN_ELEMENTS} turn elements (40001)`) });
  });

  it('a bubble of 50,000 audio placeholders and 50,000 paragraphs is read once: 14 s before', () => {
    const html = `<html><body><main class="content"><section class="problem-detail-wrap"><div class="block-line"><div class="block-right"><h6>患者</h6>${'<audio src="a.mp3"></audio><p>咳</p>'.repeat(50_000)}</div></div></section></main></body></html>`;
    const r = timed(() => chunyuAdapter.parse(html, 'https://www.chunyuyisheng.com/pc/qa/fxAudio/'));
    if (!('turns' in r)) throw new Error(r.unrecognised);
    expect(r.placeholders).toBe(50_000);
    expect(r.turns[0].text.split('\n')).toHaveLength(50_000);
  });

  it('findIn, detach and blockText give what cheerio find, remove and a <br>-by-<br> rewrite give, on narrow and wide private copies', () => {
    const row = '<p>甲<br>乙<span>丙</span></p><script>x</script><div>丁<noscript>戊</noscript></div>己<hr>庚<audio>听</audio>';
    for (const n of [1, 600]) {
      const $ = loadHtml(`<html><body><div id="x">${row.repeat(n)}</div></body></html>`);
      const el = $('#x').clone();
      for (const sel of ['p, span', 'div span', 'p span', 'div > *', 'p:has(span)']) expect(findIn(el, sel).toArray()).toEqual(el.find(sel).toArray());
      expect(blockText(el)).toBe(Array.from({ length: n }, () => '甲\n乙丙\n丁\n己\n庚听').join('\n'));
      const a = el.clone();
      const b = el.clone();
      detach(findIn(a, 'audio, noscript'));
      b.find('audio, noscript').remove();
      expect(a.html()).toBe(b.html());
      expect(blockText(a)).toBe(Array.from({ length: n }, () => '甲\n乙丙\n丁\n己\n庚').join('\n'));
    }
  });
});

const URLS: Record<string, string> = {
  haodf: 'https://www.haodf.com/flow/fx_h1.html',
  chunyu: 'https://www.chunyuyisheng.com/pc/qa/fxH1/',
  xywy: 'http://club.xywy.com/question/20190302/fxH1.htm',
  '120ask': 'https://www.120ask.com/question/fxH1.htm',
};
const answer = (t: string) => `<div class="docall"><div class="qsdetail"><div class="Doc_dochf"><div class="pt15">${t}</div></div></div></div>`;

describe('hostile pages end in bounded time with a reject, never a crash', () => {
  it('100,000 nested elements (divs, unclosed cards, spans, tables, formatting tags) are refused at depth 512 on every site: 90 s and a stack overflow before', () => {
    const bodies = [
      `<div id="qdetailc">${'<div>'.repeat(100_000)}头晕${'</div>'.repeat(100_000)}</div>${answer('量血压')}`,
      '<div class="f-card">'.repeat(100_000),
      `<div class="block-line"><div class="context-left"><h6>患者</h6><p>${'<span>'.repeat(100_000)}咳</p></div></div>`,
      `${'<table><tr><td>'.repeat(30_000)}<div class="zzx_yh_stream"><div class="yh_l_huan"></div><pre class="h_s_cons_main">牙疼</pre></div>`,
      `<div id="d_msCon">${Array.from({ length: 20_000 }, (_, i) => `<b id="b${i}">`).join('')}腰疼</div>`,
      `${'<template>'.repeat(100_000)}x`,
    ];
    for (const body of bodies) {
      for (const a of ADAPTERS) {
        const r = timed(() => a.parse(`<html><body>${body}</body></html>`, URLS[a.name]));
        expect(r).toEqual({ unrecognised: `markup nested deeper than ${MAX_DEPTH} elements (browsers stop nesting there): not a page a layout reads`, kind: 'layout' });
      }
    }
  });

  it('a page nested 500 deep is read as before (no stack overflow in any DOM walk); one element deeper than the limit is refused', () => {
    const page = (d: number) => `<html><body>${'<div>'.repeat(d)}<div id="qdetailc"><p>${'<span>'.repeat(20)}头晕${'</span>'.repeat(20)}</p></div>${answer('量血压')}${'</div>'.repeat(d)}</body></html>`;
    // The document is depth 0; html, body, the d divs, #qdetailc, p and 20 spans: the innermost span is at depth d + 24.
    const ok = xywyAdapter.parse(page(MAX_DEPTH - 24), URLS.xywy);
    expect('turns' in ok && ok.turns).toEqual([{ speaker: '患者', text: '头晕' }, { speaker: '医生', text: '量血压' }]);
    expect(xywyAdapter.parse(page(MAX_DEPTH - 23), URLS.xywy)).toMatchObject({ kind: 'layout', unrecognised: expect.stringContaining('nested deeper') });
    const deepTurn = `<html><body><main class="content"><section class="problem-detail-wrap"><div class="block-line"><div class="block-right"><h6>患者</h6><p>${'<span>'.repeat(490)}咳${'</span>'.repeat(490)}</p></div></div></section></main></body></html>`;
    expect(turnsOf(chunyuAdapter.parse(deepTurn, URLS.chunyu))).toEqual([{ speaker: '患者', text: '咳' }]);
  });

  it(`a tag with more than ${MAX_ATTRIBUTES} attributes is refused before parsing (50,000 took 6 s in parse5); the same text inside a script or a comment is not markup`, () => {
    const attrs = Array.from({ length: 50_000 }, (_, i) => `a${i}="1"`).join(' ');
    for (const a of ADAPTERS) {
      const r = timed(() => a.parse(`<html><body><div id="qdetailc" ${attrs}>头晕</div>${answer('量')}</body></html>`, URLS[a.name]));
      expect(r).toEqual({ unrecognised: `a <div> tag with more than ${MAX_ATTRIBUTES} attributes: not a page a layout reads`, kind: 'layout' });
    }
    const few = Array.from({ length: 300 }, (_, i) => `a${i}`).join(' ');
    for (const hidden of [`<script>if (x <y ${few}) z = 1;</script>`, `<!-- <y ${few}> -->`, `<style>a<y ${few}{}</style>`, `<div title='<y ${few}>'></div>`]) {
      expect(turnsOf(xywyAdapter.parse(`<html><body>${hidden}<div id="qdetailc">头晕</div>${answer('量')}</body></html>`, URLS.xywy))).toEqual([{ speaker: '患者', text: '头晕' }, { speaker: '医生', text: '量' }]);
    }
  });

  it(`more than ${MAX_TURN_ELEMENTS} turn elements is not a consultation we know: refused without reading them (a 10,000-turn dialogue before)`, () => {
    const pages: Array<[typeof haodfAdapter, string]> = [
      [haodfAdapter, '<div class="f-card"><img class="f-c-r-usertype" src="patient.png"><p class="f-c-r-w-text">咳</p></div>'.repeat(10_000)],
      [haodfAdapter, '<div class="zzx_yh_stream"><div class="yh_l_huan"></div><pre class="h_s_cons_main">咳</pre></div>'.repeat(10_000)],
      [chunyuAdapter, '<div class="block-line"><div class="context-left"><h6>患者</h6><p>咳</p></div></div>'.repeat(10_000)],
      [ask120Adapter, `<div id="d_msCon">腰疼</div>${'<div class="b_answerli"><div class="crazy_new">休息</div></div>'.repeat(10_000)}`],
    ];
    for (const [a, body] of pages) {
      expect(timed(() => a.parse(`<html><body>${body}</body></html>`, URLS[a.name]))).toMatchObject({ kind: 'layout', unrecognised: expect.stringMatching(new RegExp(`more than ${MAX_TURN_ELEMENTS} turn elements \\(1000[01]\\)`)) });
    }
    // At the limit the page is still read.
    const at = haodfAdapter.parse(`<html><body>${'<div class="f-card"><img class="f-c-r-usertype" src="patient.png"><p class="f-c-r-w-text">咳</p></div>'.repeat(MAX_TURN_ELEMENTS)}</body></html>`, URLS.haodf);
    expect('turns' in at && at.turns.length).toBe(MAX_TURN_ELEMENTS);
  });

  it('a breadcrumb of 30,000 links gives its last link as the department without reading the others', () => {
    const html = `<html><body><div class="b_route">${'<a>首页</a>'.repeat(30_000)}<a>骨科</a></div><div id="d_msCon">腰疼</div><div class="b_answerli"><div class="crazy_new">休息</div></div></body></html>`;
    expect(timed(() => ask120Adapter.parse(html, URLS['120ask']))).toMatchObject({ department: '骨科', turns: [{ speaker: '患者', text: '腰疼' }, { speaker: '医生', text: '休息' }] });
  });

  it('a page of nothing but scripts (markup only a script would write) is an unrecognised layout on every site', () => {
    const html = `<html><head>${'<script>document.write("<div class=\\"f-card\\"><div id=\\"qdetailc\\">x</div></div>");</script>'.repeat(5_000)}</head><body><script>var a = "<div id=d_msCon>";</script></body></html>`;
    for (const a of ADAPTERS) expect(timed(() => a.parse(html, URLS[a.name]))).toMatchObject({ kind: 'layout', unrecognised: expect.stringMatching(/^no \S+ layout matches/) });
  });

  it('a list page nested too deep gives no links and says why (discovery does not crash or hang)', () => {
    const html = `<html><body>${'<div>'.repeat(100_000)}<a href="/flow/a.html">a</a></body></html>`;
    expect(() => timed(() => discoverLinks(html, 'https://www.haodf.com/zixun/list.html', ADAPTERS))).toThrow(MarkupRefused);
  });

  it('a page of another site\'s layout under a site\'s own URL is a reject, never a dialogue: every fixture under every other site, and the real haodf page', () => {
    const files = readdirSync('fixtures/html', { withFileTypes: true }).filter((d) => d.isDirectory() && d.name !== 'unknown').flatMap((d) => readdirSync(`fixtures/html/${d.name}`).map((f) => [d.name, `fixtures/html/${d.name}/${f}`]));
    files.push(['haodf', sharedData('html', 'haodf', 'haodf_flow_page_2020.html')]);
    expect(files.length).toBeGreaterThanOrEqual(14);
    for (const [site, file] of files) {
      const d = decodeHtml(readFileSync(file));
      if (!d.ok) throw new Error(d.detail);
      for (const a of ADAPTERS.filter((x) => x.name !== site)) expect([file, a.name, a.parse(d.text, URLS[a.name])]).toEqual([file, a.name, expect.objectContaining({ kind: expect.any(String) })]);
    }
  });

  it(`one class nested in itself more than ${MAX_SELF_NESTING} times is refused before any layout's :has() looks through every level (500 nested div.crazy_doctor over 300,000 spans took 220 s)`, () => {
    const spans = '<span>x</span>'.repeat(100_000);
    for (const [cls, a] of [['crazy_doctor', ask120Adapter], ['block-line', chunyuAdapter], ['f-card', haodfAdapter], ['docall', xywyAdapter]] as const) {
      const r = timed(() => a.parse(`<html><body><div id="d_msCon"><p>腰疼</p></div>${`<div class="${cls} x">`.repeat(500)}${spans}</body></html>`, URLS[a.name]));
      expect(r).toEqual({ unrecognised: `more than ${MAX_SELF_NESTING} elements of .${cls} nested in each other: not a page a layout reads`, kind: 'layout' });
    }
  });

  it('turn elements of one rule nested in each other (each would be read again with all the others inside) are refused; a same-class wrapper of a turn kept once per thread is read once', () => {
    const spans = '<span>x</span>'.repeat(20_000);
    const nested = `<html><body>${'<div class="block-line"><div class="context-left"><h6>患者</h6><p>咳</p>'.repeat(MAX_SELF_NESTING)}${spans}</body></html>`;
    expect(timed(() => chunyuAdapter.parse(nested, URLS.chunyu))).toEqual({ unrecognised: 'chunyu/context-left: turn elements (div.block-line:has(div.context-left)) nested in each other: not a page this layout reads', kind: 'layout' });
    const answers = `<html><body><div id="d_msCon"><p>腰疼</p></div>${'<div class="crazy_doctor">休息'.repeat(MAX_SELF_NESTING)}${spans}</body></html>`;
    expect(timed(() => ask120Adapter.parse(answers, URLS['120ask']))).toMatchObject({ kind: 'layout', unrecognised: expect.stringContaining('nested in each other') });
    // xywy's answer text div.pt15 (a padding class) holding another div.pt15: one answer, read once.
    const pt = `<html><body><div id="qdetailc">头晕</div><div class="docall"><div class="qsdetail"><div class="Doc_dochf"><div class="pt15 f14">先量血压。<div class="pt15">再查血常规。</div></div></div></div></div></body></html>`;
    expect(turnsOf(xywyAdapter.parse(pt, URLS.xywy))).toEqual([{ speaker: '患者', text: '头晕' }, { speaker: '医生', text: '先量血压。\n再查血常规。' }]);
    const wrapped = `<html><body><div class="f-q-main"><div class="b_askdesc" id="d_msCon"><p>腰疼一周。</p></div></div><div class="b_answerli"><div class="crazy_new">先休息。</div></div></body></html>`;
    expect(turnsOf(ask120Adapter.parse(wrapped, URLS['120ask']))).toEqual([{ speaker: '患者', text: '腰疼一周。' }, { speaker: '医生', text: '先休息。' }]);
  });
});
