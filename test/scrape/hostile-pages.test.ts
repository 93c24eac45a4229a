import { describe, expect, it } from '@jest/globals';
import { chunyuAdapter, xywyAdapter } from '../../src/scrape/adapters/index.js';
import { blockText, detach, findIn, loadHtml } from '../../src/scrape/adapters/types.js';

/**
 * Hang detectors, not performance measurements (bench does those): wide elements that made reading a
 * page quadratic in cheerio (find() de-duplicates the scope's children, add() the merged turn set,
 * a <br> replaced at a time splices its parent) finish in time proportional to their size; a budget
 * of seconds tells the two apart on any machine.
 */
const BUDGET_MS = 5000;
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

  it('a page of 20,000 answer threads is refused as soon as threads.max is passed, not read to the end', () => {
    const answers = Array.from({ length: 20_000 }, (_, i) => `<div class="docall"><div class="qsdetail"><div class="Doc_dochf"><div class="pt15">答${i}</div></div></div><div class="appdoc"><div class="usezw">追问：问${i}</div></div></div>`).join('');
    const r = timed(() => xywyAdapter.parse(`<html><body><div id="qdetailc">问题</div>${answers}</body></html>`, 'http://club.xywy.com/question/fxMany.htm'));
    expect(r).toMatchObject({ kind: 'layout', unrecognised: expect.stringContaining('more than threads.max 64') });
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
