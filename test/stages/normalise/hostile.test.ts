/**
 * Issue 9 reproductions for text cleaning: inputs that made the old patterns quadratic finish in
 * time proportional to their length, the length limit comes before cleaning, and control, bidi
 * and tag characters never reach a turn.
 */
import { describe, expect, it } from '@jest/globals';
import { normaliseOne, MAX_RAW_CHARS_FACTOR } from '../../../src/stages/normalise/index.js';
import { cleanText, decodeHtml, normalisePunctuation, parenCjk, scrubPii } from '../../../src/stages/normalise/text.js';
import { raw, testContext } from '../../support/context.js';
import { templatesFor } from '../../../src/stages/normalise/boilerplate.js';

const opts = { toSimplified: true, scrubPii: true };

/**
 * A hang detector, not a performance measurement (that is bench's job): the inputs are the issue's
 * reproductions at full size, which took from 2 s to well over 150 s with the old patterns; linear
 * code needs milliseconds, so a budget of seconds tells the two apart on any machine.
 */
const BUDGET_MS = 5000;
function expectFast(f: () => unknown): void {
  const t = performance.now();
  f();
  expect(performance.now() - t).toBeLessThan(BUDGET_MS);
}

describe('cleaning runs in linear time on the reproductions', () => {
  it('a 300 KB utterance of "1(" + CJK (no closing parenthesis): 115 s before', () => {
    const s = '1(' + '头'.repeat(300_000);
    expectFast(() => expect(normalisePunctuation(s)).toBe(s));
    expectFast(() => cleanText(s, { toSimplified: false, scrubPii: true }));
    const units = '1(头'.repeat(100_000);
    expectFast(() => cleanText(units, { toSimplified: false, scrubPii: true }));
  });

  it('"1" + "a." × 150k (an e-mail local part with no @): did not finish in 150 s before', () => {
    const s = '1' + 'a.'.repeat(150_000);
    expectFast(() => expect(scrubPii(s)).toBe(s));
    expectFast(() => cleanText(s, opts));
  });

  it('a run of place-name units before a house number ("大镇" × 50k + "1号"): the address prefix stays linear', () => {
    // A first try of the place-name prefix (a lazy unit repeated without bound) did not finish 20 KB in a minute.
    const s = '大镇'.repeat(50_000) + '1号';
    expectFast(() => expect(scrubPii(s)).toBe(s));
    // at most four one-character units and six characters of street name go with the number
    expectFast(() => expect(scrubPii('镇'.repeat(100_000) + '路1号') === '镇'.repeat(100_000 - 4 - 6) + '<ADDRESS>').toBe(true));
  });

  it('a long run of wide spaces before a trailing "undefined" stays linear (common.js_undefined)', () => {
    const t = (n: number) => '建议多喝水' + '\u3000'.repeat(n) + 'undefined。注意休息';
    expectFast(() => cleanText(t(100_000), { toSimplified: false, scrubPii: false, templates: templatesFor('huatuo') }));
  });

  it('"<b " × 130k (400 KB of unclosed tags): 40 KB took 2.1 s before', () => {
    const s = '<b '.repeat(130_000);
    expectFast(() => expect(decodeHtml(s)).toBe(s));
    expectFast(() => cleanText(s, opts));
    expect(decodeHtml('<b '.repeat(20_000) + '>x')).toBe('<b '.repeat(19_999) + 'x');
  });

  it('QQ / WeChat labels before 300k non-ASCII spaces (the old \\s*[:：]?\\s* overlap)', () => {
    expectFast(() => scrubPii('QQ' + '\u2003'.repeat(300_000) + 'x'));
    expectFast(() => scrubPii('微信' + '\u2003'.repeat(300_000) + '!'));
  });

  it.each<[string, string]>([
    ['spaces', ' '.repeat(300_000) + 'x'],
    ['CJK and spaces', '头 '.repeat(150_000)],
    ['CJK and commas', '头,'.repeat(150_000)],
    ['open parentheses', '(头'.repeat(150_000)],
    ['an entity that never ends', '&' + 'a'.repeat(300_000)],
    ['www. and letters', 'www.' + 'a'.repeat(300_000)],
    ['a@ repeated', 'a@'.repeat(150_000)],
    ['a domain of digits', 'x@' + '1.'.repeat(150_000)],
    ['boilerplate prefix repeated', '本回答仅供参考'.repeat(40_000)],
    ['surname before title', '王医生'.repeat(100_000)],
    ['phone-like digits', '1'.repeat(300_000)],
  ])('%s (300 KB)', (_name, s) => {
    expectFast(() => cleanText(s, opts));
  });
});

describe('the rewritten patterns keep their meaning', () => {
  it('full-width parentheses only around parenthesis-free text holding Chinese', () => {
    expect(parenCjk('吃药(一天两次)就好')).toBe('吃药（一天两次）就好');
    expect(parenCjk('(a(中)b)')).toBe('(a（中）b)');
    expect(parenCjk('(abc) (中) (x')).toBe('(abc) （中） (x');
    expect(parenCjk('((中文))')).toBe('(（中文）)');
  });

  it('e-mail addresses (pii.ts), and no address survives beside its placeholder', () => {
    expect(scrubPii('发到a.b@example.com或')).toBe('发到<EMAIL>或');
    expect(scrubPii('x@y a@b.cn c@d.org')).toBe('x@y <EMAIL> <EMAIL>');
    expect(scrubPii('..foo@bar.com')).not.toContain('foo');
    expect(scrubPii('@@@')).toBe('@@@');
    expect(scrubPii('a@1.2')).toBe('a@1.2');
  });

  it('QQ and WeChat with or without a colon', () => {
    expect(scrubPii('QQ 12345678')).toBe('<QQ>');
    expect(scrubPii('QQ： 12345678')).toBe('<QQ>');
    expect(scrubPii('微信 ：doc_wang2020')).toBe('<WECHAT>');
  });

  it('an allow-listed tag with attributes is still removed, a stray "<" is kept', () => {
    expect(decodeHtml('头痛<span class="x">三天</span>')).toBe('头痛三天');
    expect(decodeHtml('a < b <br/>c')).toBe('a < b \nc');
  });

  it('text whose HTML was escaped once or twice ends as clean as raw markup; script and style go with their content', () => {
    // Before: entities were decoded after tags were removed, so `&lt;b&gt;` reached shards as <b>.
    expect(cleanText('您好&lt;br&gt;建议您&lt;b&gt;尽快&lt;/b&gt;复查&amp;nbsp;血常规', opts)).toBe('您好\n建议您尽快复查血常规');
    expect(cleanText('多喝水&lt;img src=x onerror=alert(1)&gt;', opts)).toBe('多喝水');
    expect(cleanText('休息&lt;script&gt;alert(1)&lt;/script&gt;为主<style>p{color:red}</style>', opts)).toBe('休息为主');
    expect(cleanText('&amp;lt;p&amp;gt;注意饮食&amp;lt;/p&amp;gt;', opts)).toBe('注意饮食');
    // what is not markup stays: comparisons and an escaped bare '<'
    expect(cleanText('血糖&lt;6.1，血压<140/90', opts)).toBe('血糖<6.1，血压<140/90');
  });

  it('an entity whose "&" the dump lost or turned into ";" is decoded (Huatuo #xFF05;, Toyhom ;lt;)', () => {
    // Before: 高达60#xFF05；， and 参考值；lt；20 reached shards.
    expect(decodeHtml('几率可高达60#xFF05;；如果')).toBe('几率可高达60％；如果');
    expect(decodeHtml('病毒;lt;1000，参照;amp;lt;1000')).toBe('病毒<1000，参照<1000');
    expect(decodeHtml('引号#34;好#34;与#65292;')).toBe('引号"好"与，');
    expect(cleanText('有效率为95#xFF05;，表面抗原;gt;0.05', opts)).toBe('有效率为95％，表面抗原>0.05');
    // what is not an entity stays: a decimal code outside the escaped set, a name without its ';' pair
    expect(decodeHtml('第#12;床，a;ltb，#xD800;')).toBe('第#12;床，a;ltb，#xD800;');
    expect(decodeHtml('&#xFF05;')).toBe('％');
    expect(decodeHtml('1.2;lt;3，&amp;nbsp;x')).toBe('1.2<3， x');
    // escaped twice, the number is decoded by the rounds, not repaired into a stray '&' (review)
    expect(decodeHtml('高达60&amp;#xFF05;，小于&amp;#60;5')).toBe('高达60％，小于<5');
  });
});

describe('control, bidi and tag characters', () => {
  it('are stripped: NUL, ESC, C0 and C1 controls, bidi embeddings/isolates/marks, U+061C, tag characters', () => {
    const hostile = '头\u0000痛\u001b[31m三\u0085天\u009b\u202e反\u2066转\u2069\u061c了\u200e\u200f\u{E0041}\u{E007F}吗';
    // An ESC goes with the terminal escape it starts: `[31m` used to stay in the text.
    expect(cleanText(hostile, opts)).toBe('头痛三天反转了吗');
    expect(cleanText('\u001b[1;31m注意\u001b[0m：多喝水\u001b]0;title\u0007，\u001b[K休息', opts)).toBe('注意：多喝水，休息');
  });

  it('drops clause punctuation a removed label left at the start of a text, keeping a question mark, an ellipsis and a decimal point', () => {
    expect(cleanText('。若是有规律性生活，也可能是怀孕', opts)).toBe('若是有规律性生活，也可能是怀孕');
    expect(cleanText('：，一日三餐定时吃', opts)).toBe('一日三餐定时吃');
    expect(cleanText('？没有啊', opts)).toBe('？没有啊');
    expect(cleanText('……还是疼', opts)).toBe('……还是疼');
    expect(cleanText('：', opts)).toBe('');
  });

  it('makes U+2028/U+2029 line ends (raw in a shard line they split it for Python and JSONL readers)', () => {
    expect(cleanText('头痛三天\u2028还有点发烧\u2029怎么办', opts)).toBe('头痛三天\n还有点发烧\n怎么办');
    expect(cleanText('头痛&#x2028;三天', opts)).toBe('头痛\n三天');
  });

  it('strips lone surrogates (half an emoji, a \\ud83d escape without its pair) and keeps paired ones', () => {
    expect(cleanText('胃疼\ud800三天\udc00了😀', opts)).toBe('胃疼三天了😀');
    expect(cleanText('头痛\ud83d', opts)).toBe('头痛');
    expect(cleanText('\ude00头痛', opts)).toBe('头痛');
    const d = normaliseOne(raw([['P', '头\ud83d痛'], ['D', '休息\udc00']], { cate1: '内\ud800科' }), testContext());
    expect('turns' in d && [d.turns.map((t) => t.text), d.cate1]).toEqual([['头痛', '休息'], '内科']);
    // What a UTF-8 encoder (a trainer's tokenizer) needs: the text survives a round trip.
    if ('turns' in d) for (const t of d.turns) expect(Buffer.from(t.text, 'utf8').toString('utf8')).toBe(t.text);
  });

  it('cleans what an HTML entity decodes to like the raw text: no override, zero-width space, control, lone surrogate or tag character', () => {
    expect(cleanText('胃疼&#x202E;三天', opts)).toBe('胃疼三天');
    expect(cleanText('胃疼&#8203;三天&#xFEFF;', opts)).toBe('胃疼三天');
    expect(cleanText('胃&#xD800;疼&#1;了&#xE0041;', opts)).toBe('胃疼了');
    expect(cleanText('&#x1F600;好&#20320;', opts)).toBe('😀好你');
    // a decomposed é from an entity is composed (NFC), as a raw one is
    expect(cleanText('cafe&#x301;', opts)).toBe('caf\u00e9');
  });

  it('keeps line breaks and tabs as whitespace', () => {
    expect(cleanText('头痛\n三天\tx', opts)).toBe('头痛\n三天 x');
  });

  it('are stripped from cate1/cate2 copied from the source, which are otherwise kept as written (fuzz finding)', () => {
    const d = normaliseOne(raw([['P', '头痛'], ['D', '休息']], { cate1: '内\u2066科', cate2: '\u202e心血管\u0001' }), testContext());
    expect('turns' in d && [d.cate1, d.cate2]).toEqual(['内科', '心血管']);
  });

  it('never lets one through a normalised dialogue', () => {
    const ctx = testContext();
    const d = normaliseOne(raw([['P', '头\u2067痛\u0007'], ['D', '休\u{E0020}息\u001b']], { title: '标\u202a题', description: '描\u0000述' }), ctx);
    expect('turns' in d).toBe(true);
    if (!('turns' in d)) return;
    const text = JSON.stringify([d.turns, d.title]);
    // the patient speaks first: the description goes before the opening turn (withDescription)
    expect(d.turns.map((t) => t.text)).toEqual(['描述\n头痛', '休息']);
    expect(text).not.toMatch(/[\u0000-\u0008\u000b-\u001f\u007f-\u009f\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069]|\udb40[\udc00-\udc7f]/);
  });
});

describe('the length limit comes before cleaning', () => {
  it('rejects a dialogue with an over-long utterance as normalise.too_long, quickly', () => {
    const ctx = testContext();
    const limit = MAX_RAW_CHARS_FACTOR * ctx.config.split.maxChars;
    const huge = '1(' + '头'.repeat(300_000);
    const t = performance.now();
    const r = normaliseOne(raw([['P', huge], ['D', '休息']]), ctx);
    expect(performance.now() - t).toBeLessThan(1000);
    expect('reason' in r && r.reason).toBe('normalise.too_long');
    expect('reason' in r && r.evidence).toEqual({ field: 'turns[0].text', chars: huge.length, limit });
  });

  it('reads an utterance at the limit', () => {
    const ctx = testContext({ split: { maxChars: 100 } });
    const r = normaliseOne(raw([['P', '头'.repeat(MAX_RAW_CHARS_FACTOR * 100)], ['D', '休息']]), ctx);
    expect('turns' in r).toBe(true);
    const over = normaliseOne(raw([['P', '头痛'], ['D', '休息']], { description: 'x'.repeat(MAX_RAW_CHARS_FACTOR * 100 + 1) }), ctx);
    expect('reason' in over && over.reason).toBe('normalise.too_long');
  });
});
