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

  constructor(m: CharLmCounts) {
    this.grams = m.grams;
    this.ctxTotal = m.ctxTotal;
    this.ctxTypes = m.ctxTypes;
    this.tokens = m.tokens;
    this.vocab = (m.grams[1]?.size ?? 0) + 1;
    this.order = m.grams.length - 1;
  }

  static parse(text: string): CharLm {
    let order = 1;
    for (const line of text.split('\n')) {
      const t = line.slice(0, line.indexOf('\t'));
      const n = t.startsWith('c') ? Number(t.slice(1)) : Number(t);
      if (n > order) order = n;
    }
    const grams = Array.from({ length: order + 1 }, () => new Map<string, number>());
    const ctxTotal = grams.map(() => new Map<string, number>());
    const ctxTypes = grams.map(() => new Map<string, number>());
    let tokens = 0;
    for (const line of text.split('\n')) {
      if (!line) continue;
      const f = line.split('\t');
      if (f[0].startsWith('c')) {
        const n = Number(f[0].slice(1));
        ctxTotal[n].set(f[1], Number(f[2]));
        ctxTypes[n].set(f[1], Number(f[3]));
      } else {
        const n = Number(f[0]);
        grams[n].set(f[1], Number(f[2]));
        if (n === 1) tokens += Number(f[2]);
      }
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
    const s = lmAlphabet(text);
    if (s.length < 2) return 0;
    // Same interpolation as prob(), unrolled for the trigram case without building history arrays.
    if (this.order !== 3) {
      let bits = 0;
      for (let i = 1; i < s.length; i++) bits -= Math.log2(this.prob(s.slice(Math.max(0, i - this.order + 1), i), s[i]));
      return bits / (s.length - 1);
    }
    const [g1, g2, g3] = [this.grams[1], this.grams[2], this.grams[3]];
    const [t2, t3] = [this.ctxTotal[2], this.ctxTotal[3]];
    const [y2, y3] = [this.ctxTypes[2], this.ctxTypes[3]];
    const denom1 = this.tokens + this.vocab;
    let bits = 0;
    for (let i = 1; i < s.length; i++) {
      const ch = s[i];
      let p = ((g1.get(ch) ?? 0) + 1) / denom1;
      const c1 = s[i - 1];
      const n2 = t2.get(c1);
      if (n2) {
        const k = y2.get(c1) ?? 0;
        p = ((g2.get(c1 + ch) ?? 0) + k * p) / (n2 + k);
      }
      if (i >= 2) {
        const c2 = s[i - 2] + c1;
        const n3 = t3.get(c2);
        if (n3) {
          const k = y3.get(c2) ?? 0;
          p = ((g3.get(c2 + ch) ?? 0) + k * p) / (n3 + k);
        }
      }
      bits -= Math.log2(p);
    }
    return bits / (s.length - 1);
  }
}
