/**
 * A character trigram language model with Witten–Bell interpolation, trained by the project on its
 * own clean real-dialogue sources (scripts/train-quality-lm.mjs) and shipped as a compact count
 * table (char-lm-model.ts): the perplexity feature of quality scoring, as CCNet and data-juicer
 * filter by perplexity, without downloading a model. Text is mapped to a small alphabet first
 * (Han kept, digits → 0, Latin → a, clause and sentence punctuation → ， / 。, other symbols → ·,
 * whitespace dropped, ^ and $ around), so the table stays small and markup does not dominate.
 * Pure: building and scoring do no I/O.
 */
const HAN = /\p{Script=Han}/u;

const CLAUSE = new Set([...'，,、；;：:']);
const SENTENCE = new Set([...'。.！!？?…～~']);

export function lmAlphabet(text: string): string[] {
  const out: string[] = ['^'];
  for (const ch of text) {
    const c = ch.codePointAt(0)!;
    if (c >= 0x4e00 && c <= 0x9fff) out.push(ch);
    else if (c >= 48 && c <= 57) out.push('0');
    else if ((c >= 65 && c <= 90) || (c >= 97 && c <= 122)) out.push('a');
    else if (c <= 32 || c === 0x3000 || c === 0xa0 || (c < 0x4e00 && /\s/.test(ch))) continue;
    else if (CLAUSE.has(ch)) out.push('，');
    else if (SENTENCE.has(ch)) out.push('。');
    else if (c > 0x2e80 && HAN.test(ch)) out.push(ch);
    else out.push('·');
  }
  out.push('$');
  return out;
}

/** Counts of one model: n-gram → count for n = 1..3, and per context (n-1 chars) total count and distinct continuations. */
export interface CharLmCounts {
  grams: Array<Map<string, number>>; // index n: n-grams
  ctxTotal: Array<Map<string, number>>; // index n: contexts of n-grams (length n-1)
  ctxTypes: Array<Map<string, number>>;
  tokens: number;
}

export function countCharLm(texts: Iterable<string>, order = 3): CharLmCounts {
  const grams = Array.from({ length: order + 1 }, () => new Map<string, number>());
  for (const t of texts) {
    const s = lmAlphabet(t);
    for (let n = 1; n <= order; n++) {
      const g = grams[n];
      for (let i = 0; i + n <= s.length; i++) {
        const k = s.slice(i, i + n).join('');
        g.set(k, (g.get(k) ?? 0) + 1);
      }
    }
  }
  return withContexts(grams);
}

function withContexts(grams: Array<Map<string, number>>): CharLmCounts {
  const ctxTotal = grams.map(() => new Map<string, number>());
  const ctxTypes = grams.map(() => new Map<string, number>());
  for (let n = 2; n < grams.length; n++) {
    for (const [g, c] of grams[n]) {
      const ctx = [...g].slice(0, -1).join('');
      ctxTotal[n].set(ctx, (ctxTotal[n].get(ctx) ?? 0) + c);
      ctxTypes[n].set(ctx, (ctxTypes[n].get(ctx) ?? 0) + 1);
    }
  }
  let tokens = 0;
  for (const c of grams[1]?.values() ?? []) tokens += c;
  return { grams, ctxTotal, ctxTypes, tokens };
}

/**
 * Serialises counts compactly: n-grams of order ≥ 2 seen fewer than `minCount` times are pruned,
 * but contexts keep their full totals and continuation types (so pruned mass goes to the lower
 * order, as Witten–Bell intends). Lines: `n<TAB>gram<TAB>count` and `c<n><TAB>ctx<TAB>total<TAB>types`, sorted.
 */
export function serialiseCharLm(m: CharLmCounts, minCount = 2): string {
  const lines: string[] = [];
  for (let n = 1; n < m.grams.length; n++) {
    for (const [g, c] of m.grams[n]) if (n === 1 || c >= minCount) lines.push(`${n}\t${g}\t${c}`);
    if (n >= 2) for (const [ctx, c] of m.ctxTotal[n]) if (c >= minCount) lines.push(`c${n}\t${ctx}\t${c}\t${m.ctxTypes[n].get(ctx)}`);
  }
  return lines.sort().join('\n');
}

export class CharLm {
  private readonly grams: Array<Map<string, number>>;
  private readonly ctxTotal: Array<Map<string, number>>;
  private readonly ctxTypes: Array<Map<string, number>>;
  private readonly tokens: number;
  private readonly vocab: number;
  readonly order: number;
  private fast?: TrigramIndex;

  constructor(m: CharLmCounts) {
    this.grams = m.grams;
    this.ctxTotal = m.ctxTotal;
    this.ctxTypes = m.ctxTypes;
    this.tokens = m.tokens;
    this.vocab = (m.grams[1]?.size ?? 0) + 1;
    this.order = m.grams.length - 1;
  }

  /** Reads serialiseCharLm's lines in one pass (fields found with indexOf, no per-line arrays). */
  static parse(text: string): CharLm {
    const grams: Array<Map<string, number>> = [];
    const ctxTotal: Array<Map<string, number>> = [];
    const ctxTypes: Array<Map<string, number>> = [];
    const order = (n: number) => {
      while (grams.length <= n) {
        grams.push(new Map());
        ctxTotal.push(new Map());
        ctxTypes.push(new Map());
      }
    };
    order(1);
    let tokens = 0;
    for (let start = 0; start < text.length;) {
      let end = text.indexOf('\n', start);
      if (end < 0) end = text.length;
      if (end > start) {
        const a = text.indexOf('\t', start);
        const b = text.indexOf('\t', a + 1);
        if (text.charCodeAt(start) === 99) {
          // c<n> ctx total types
          const n = Number(text.slice(start + 1, a));
          const c = text.indexOf('\t', b + 1);
          order(n);
          const ctx = text.slice(a + 1, b);
          ctxTotal[n].set(ctx, Number(text.slice(b + 1, c)));
          ctxTypes[n].set(ctx, Number(text.slice(c + 1, end)));
        } else {
          // <n> gram count
          const n = Number(text.slice(start, a));
          const count = Number(text.slice(b + 1, end));
          order(n);
          grams[n].set(text.slice(a + 1, b), count);
          if (n === 1) tokens += count;
        }
      }
      start = end + 1;
    }
    return new CharLm({ grams, ctxTotal, ctxTypes, tokens });
  }

  /** P(ch | history) by Witten–Bell interpolation from the unigram (add-one) up. */
  prob(history: string[], ch: string): number {
    let p = ((this.grams[1].get(ch) ?? 0) + 1) / (this.tokens + this.vocab);
    for (let n = 2; n <= this.order; n++) {
      if (history.length < n - 1) break;
      const ctx = history.slice(history.length - (n - 1)).join('');
      const total = this.ctxTotal[n].get(ctx);
      if (!total) continue;
      const types = this.ctxTypes[n].get(ctx) ?? 0;
      p = ((this.grams[n].get(ctx + ch) ?? 0) + types * p) / (total + types);
    }
    return p;
  }

  /** Cross-entropy of the text in bits per character (log2 perplexity); 0 for empty text. */
  crossEntropy(text: string): number {
    if (this.order === 3) return (this.fast ??= new TrigramIndex(this.grams, this.ctxTotal, this.ctxTypes, this.tokens + this.vocab)).crossEntropy(text);
    const s = lmAlphabet(text);
    if (s.length < 2) return 0;
    let bits = 0;
    for (let i = 1; i < s.length; i++) bits -= Math.log2(this.prob(s.slice(Math.max(0, i - this.order + 1), i), s[i]));
    return bits / (s.length - 1);
  }
}

/**
 * An open-addressing table from non-negative int32 keys to `width` numbers each, key and values
 * side by side in one Float64Array so a probe touches one cache line: the trigram scorer's n-gram
 * lookups without building string keys.
 */
class IntTable {
  readonly cells: Float64Array;
  readonly stride: number;
  readonly shift: number;
  readonly mask: number;

  constructor(size: number, width = 1) {
    let bits = 4;
    while (1 << bits < size * 2) bits++;
    this.stride = width + 1;
    this.cells = new Float64Array((1 << bits) * this.stride);
    for (let i = 0; i < this.cells.length; i += this.stride) this.cells[i] = -1;
    this.shift = 32 - bits;
    this.mask = (1 << bits) - 1;
  }

  set(key: number, ...vals: number[]): void {
    let h = Math.imul(key, 0x9e3779b1) >>> this.shift;
    while (this.cells[h * this.stride] !== -1 && this.cells[h * this.stride] !== key) h = (h + 1) & this.mask;
    const at = h * this.stride;
    this.cells[at] = key;
    for (let i = 0; i < vals.length && i < this.stride - 1; i++) this.cells[at + 1 + i] = vals[i];
  }

  /** The index in cells of the first value stored with key, or -1. */
  find(key: number): number {
    const cells = this.cells;
    const stride = this.stride;
    let h = Math.imul(key, 0x9e3779b1) >>> this.shift;
    for (;;) {
      const k = cells[h * stride];
      if (k === key) return h * stride + 1;
      if (k === -1) return -1;
      h = (h + 1) & this.mask;
    }
  }

  /** The value at an index that find returned (+ 1 for the second value). */
  at(i: number): number {
    return this.cells[i];
  }
}

/**
 * An open-addressing table from pairs of non-negative int32 keys to one number: a slot is 16
 * bytes, the two keys as int32 then the value as float64, in one buffer, so a probe touches one
 * cache line. crossEntropy inlines the lookup (slot h: keys at 4h and 4h + 1, value at 2h + 1,
 * home slot as home() computes it).
 */
class PairTable {
  readonly keys: Int32Array;
  readonly vals: Float64Array;
  readonly shift: number;
  readonly mask: number;

  constructor(size: number) {
    let bits = 4;
    while (1 << bits < size * 2) bits++;
    const buf = new ArrayBuffer((1 << bits) * 16);
    this.keys = new Int32Array(buf);
    this.vals = new Float64Array(buf);
    for (let i = 0; i < this.keys.length; i += 4) this.keys[i] = -1;
    this.shift = 32 - bits;
    this.mask = (1 << bits) - 1;
  }

  home(a: number, b: number): number {
    return Math.imul(a ^ Math.imul(b, 0x85ebca6b), 0x9e3779b1) >>> this.shift;
  }

  set(a: number, b: number, val: number): void {
    const k = this.keys;
    let h = this.home(a, b);
    while (k[4 * h] !== -1 && (k[4 * h] !== a || k[4 * h + 1] !== b)) h = (h + 1) & this.mask;
    k[4 * h] = a;
    k[4 * h + 1] = b;
    this.vals[2 * h + 1] = val;
  }
}

/** The alphabet symbol of one code point (as lmAlphabet maps it), or undefined for whitespace. */
function alphabetSymbol(ch: string): string | undefined {
  const c = ch.codePointAt(0)!;
  if (c >= 0x4e00 && c <= 0x9fff) return ch;
  if (c >= 48 && c <= 57) return '0';
  if ((c >= 65 && c <= 90) || (c >= 97 && c <= 122)) return 'a';
  if (c <= 32 || c === 0x3000 || c === 0xa0 || (c < 0x4e00 && /\s/.test(ch))) return undefined;
  if (CLAUSE.has(ch)) return '，';
  if (SENTENCE.has(ch)) return '。';
  if (c > 0x2e80 && HAN.test(ch)) return ch;
  return '·';
}

/**
 * The order-3 model as integer tables: every unigram symbol gets a small id (0: not in the model),
 * contexts and n-grams are keyed by ids, and text is mapped straight to ids through a per-code-point
 * cache filled by the same rules as lmAlphabet. crossEntropy does exactly the floating-point
 * operations of the string-keyed interpolation (CharLm.prob), in the same order, so scores are
 * bit-identical.
 */
class TrigramIndex {
  private readonly ids = new Map<string, number>();
  private readonly width: number;
  private readonly p1: Float64Array;
  private readonly t2: Float64Array;
  private readonly y2: Float64Array;
  /** Per two-symbol context with a total (key: first id × width + second id): its total and its types. */
  private readonly ctx3: IntTable;
  /** Per stored bigram (context with a total): its interpolated probability, and log2 of it. */
  private readonly p2: IntTable;
  /** Per stored trigram (context with a total), keyed (context key, symbol): log2 of its interpolated probability. */
  private readonly lb3: PairTable;
  /** Per BMP code unit: -2 not yet classified, -1 dropped (whitespace), else the symbol id. */
  private readonly bmp = new Int32Array(0x10000).fill(-2);
  private readonly astral = new Map<number, number>();
  private buf = new Int32Array(1024);
  private readonly begin: number;
  private readonly end: number;

  constructor(grams: Array<Map<string, number>>, ctxTotal: Array<Map<string, number>>, ctxTypes: Array<Map<string, number>>, denom1: number) {
    for (const g of grams[1].keys()) if (cps(g).length === 1) this.ids.set(g, this.ids.size + 1);
    const w = (this.width = this.ids.size + 1);
    this.p1 = new Float64Array(w);
    this.p1[0] = (0 + 1) / denom1;
    for (const [g, c] of grams[1]) {
      const id = this.ids.get(g);
      if (id !== undefined) this.p1[id] = (c + 1) / denom1;
    }
    // Symbol id by code point (0: not a symbol of the model), to read keys without splitting them.
    const bmpId = new Int32Array(0x10000);
    const astralId = new Map<number, number>();
    for (const [g, id] of this.ids) {
      const cp = g.codePointAt(0)!;
      if (cp < 0x10000) bmpId[cp] = id;
      else astralId.set(cp, id);
    }
    const ab = new Int32Array(3);
    /** The ids of the n symbols of key into ab, or false when it has another length or a symbol outside the vocabulary. */
    const idsOf = (key: string, n: number): boolean => {
      let k = 0;
      for (let i = 0; i < key.length; i++) {
        if (k === n) return false;
        let cp = key.charCodeAt(i);
        if (cp >= 0xd800 && cp <= 0xdbff && i + 1 < key.length) {
          const lo = key.charCodeAt(i + 1);
          if (lo >= 0xdc00 && lo <= 0xdfff) {
            cp = ((cp - 0xd800) << 10) + (lo - 0xdc00) + 0x10000;
            i++;
          }
        }
        const id = cp < 0x10000 ? bmpId[cp] : (astralId.get(cp) ?? 0);
        if (id === 0) return false; // a key with a symbol outside the vocabulary never matches text
        ab[k++] = id;
      }
      return k === n;
    };
    this.t2 = new Float64Array(w);
    this.y2 = new Float64Array(w);
    for (const [ctx, c] of ctxTotal[2]) if (idsOf(ctx, 1)) this.t2[ab[0]] = c;
    for (const [ctx, c] of ctxTypes[2]) if (idsOf(ctx, 1)) this.y2[ab[0]] = c;
    if (w * w >= 2 ** 31) throw new Error(`char LM too large for the integer trigram index (${w} symbols)`);
    // Only contexts with a total take part in the trigram step (a zero or absent total skips it).
    this.ctx3 = new IntTable(ctxTotal[3].size, 2);
    for (const [ctx, total] of ctxTotal[3]) if (total && idsOf(ctx, 2)) this.ctx3.set(ab[0] * w + ab[1], total, ctxTypes[3].get(ctx) ?? 0);
    // What the interpolation gives for every stored n-gram, computed once with the very operations
    // crossEntropy would do: the bigram probability of each stored bigram (its context has a total),
    // and log2 of the full trigram probability of each stored trigram.
    this.p2 = new IntTable(grams[2].size, 2);
    for (const [g, c] of grams[2]) {
      if (!idsOf(g, 2) || !this.t2[ab[0]]) continue;
      const k = this.y2[ab[0]];
      const p = (c + k * this.p1[ab[1]]) / (this.t2[ab[0]] + k);
      this.p2.set(ab[0] * w + ab[1], p, Math.log2(p));
    }
    this.lb3 = new PairTable(grams[3].size);
    for (const [g, c] of grams[3]) {
      if (!idsOf(g, 3)) continue;
      const j = this.ctx3.find(ab[0] * w + ab[1]);
      if (j < 0) continue;
      const k = this.ctx3.at(j + 1);
      const p = (c + k * this.bigram(ab[1], ab[2])) / (this.ctx3.at(j) + k);
      this.lb3.set(ab[0] * w + ab[1], ab[2], Math.log2(p));
    }
    this.begin = this.ids.get('^') ?? 0;
    this.end = this.ids.get('$') ?? 0;
  }

  /** The unigram probability interpolated with the bigram (when the context has a total), as prob() computes it. */
  private bigram(c1: number, ch: number): number {
    const n2 = this.t2[c1];
    if (!n2) return this.p1[ch];
    const slot = this.p2.find(c1 * this.width + ch);
    if (slot >= 0) return this.p2.at(slot);
    const k = this.y2[c1];
    return (0 + k * this.p1[ch]) / (n2 + k);
  }

  private symbolId(ch: string): number {
    const sym = alphabetSymbol(ch);
    return sym === undefined ? -1 : (this.ids.get(sym) ?? 0);
  }

  /** lmAlphabet(text) as symbol ids, in this.buf; returns the length. */
  private toIds(text: string): number {
    if (this.buf.length < text.length + 2) this.buf = new Int32Array(text.length + 2);
    const buf = this.buf;
    const bmp = this.bmp;
    let n = 0;
    buf[n++] = this.begin;
    const len = text.length;
    for (let i = 0; i < len; i++) {
      const u = text.charCodeAt(i);
      let id: number;
      if (u >= 0xd800 && u <= 0xdbff && i + 1 < len) {
        const lo = text.charCodeAt(i + 1);
        if (lo >= 0xdc00 && lo <= 0xdfff) {
          const cp = ((u - 0xd800) << 10) + (lo - 0xdc00) + 0x10000;
          i++;
          let a = this.astral.get(cp);
          if (a === undefined) this.astral.set(cp, (a = this.symbolId(String.fromCodePoint(cp))));
          if (a >= 0) buf[n++] = a;
          continue;
        }
      }
      id = bmp[u];
      if (id === -2) id = bmp[u] = this.symbolId(String.fromCharCode(u));
      if (id >= 0) buf[n++] = id;
    }
    buf[n++] = this.end;
    return n;
  }

  crossEntropy(text: string): number {
    const len = this.toIds(text);
    const s = this.buf;
    const w = this.width;
    const { p1, t2, y2, p2, ctx3, lb3 } = this;
    const { keys: tKeys, vals: tVals, shift: tShift, mask: tMask } = lb3;
    const { cells: cCells, shift: cShift, mask: cMask } = ctx3;
    const { cells: bCells, shift: bShift, mask: bMask } = p2;
    let bits = 0;
    for (let i = 1; i < len; i++) {
      const ch = s[i];
      const c1 = s[i - 1];
      // The trigram step, when the two-symbol context has a total: a stored trigram is one probe
      // (its context has a total by construction); otherwise the context's total and types.
      let n3 = 0;
      let k3 = 0;
      if (i >= 2) {
        const key = s[i - 2] * w + c1;
        // The lb3 probe, inlined (h: lb3.home(key, ch)).
        let h = Math.imul(key ^ Math.imul(ch, 0x85ebca6b), 0x9e3779b1) >>> tShift;
        let x = tKeys[4 * h];
        while (x !== -1 && (x !== key || tKeys[4 * h + 1] !== ch)) {
          h = (h + 1) & tMask;
          x = tKeys[4 * h];
        }
        if (x !== -1) {
          bits -= tVals[2 * h + 1];
          continue;
        }
        // ctx3.find(key), inlined (stride 3: key, total, types).
        let g = Math.imul(key, 0x9e3779b1) >>> cShift;
        let y = cCells[3 * g];
        while (y !== -1 && y !== key) {
          g = (g + 1) & cMask;
          y = cCells[3 * g];
        }
        if (y !== -1) {
          n3 = cCells[3 * g + 1];
          k3 = cCells[3 * g + 2];
        }
      }
      // The unigram and bigram steps.
      let p: number;
      const n2 = t2[c1];
      if (!n2) p = p1[ch];
      else {
        // p2.find(c1 * w + ch), inlined (stride 3: key, probability, log2 of it).
        const key = c1 * w + ch;
        let g = Math.imul(key, 0x9e3779b1) >>> bShift;
        let y = bCells[3 * g];
        while (y !== -1 && y !== key) {
          g = (g + 1) & bMask;
          y = bCells[3 * g];
        }
        if (y !== -1 && !n3) {
          bits -= bCells[3 * g + 2];
          continue;
        }
        if (y !== -1) p = bCells[3 * g + 1];
        else {
          const k = y2[c1];
          p = (0 + k * p1[ch]) / (n2 + k);
        }
      }
      if (n3) p = (0 + k3 * p) / (n3 + k3);
      bits -= Math.log2(p);
    }
    return bits / (len - 1);
  }
}

/** The code points of a string (lone surrogates as themselves, as for…of gives them). */
function cps(s: string): string[] {
  return [...s];
}
