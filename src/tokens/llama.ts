/**
 * LLaMA 1/2 SentencePiece-BPE token counting with the vocabulary and merges that ship inside
 * llama-tokenizer-js (exactly that package's encode(), which matches Meta's tokenizer.model).
 * Speed: a character that takes part in no merge can never join a neighbour, so the text splits
 * there into independent segments; isolated characters count 1 (or their UTF-8 bytes when they
 * fall back to byte tokens) and the rest is encoded per segment through a cache. In LLaMA 2 no
 * CJK character takes part in any merge, so Chinese text costs a table look-up per character.
 */
import llamaTokenizer from 'llama-tokenizer-js';

const CACHE_MAX = 1 << 17;
const SPACE = '\u2581'; // ▁

export class LlamaCounter {
  readonly name: string;
  private readonly mergeable = new Set<number>();
  private readonly inVocab = new Set<number>();
  private cache = new Map<string, number>();

  constructor(name = 'llama2') {
    this.name = name;
    for (const key of llamaTokenizer.merges.keys()) {
      for (const ch of key) {
        const cp = ch.codePointAt(0)!;
        if (cp !== 0x20) this.mergeable.add(cp);
      }
    }
    for (const tok of llamaTokenizer.vocabById) {
      const cps = [...tok];
      if (cps.length === 1) this.inVocab.add(cps[0].codePointAt(0)!);
    }
  }

  /** Tokens of SentencePiece's encode(text) (dummy-prefix space added, no BOS/EOS). */
  count(text: string, addPrefixSpace = true): number {
    if (text.length === 0) return 0;
    let n = 0;
    let segStart = -1;
    let seg = '';
    const s = addPrefixSpace ? ` ${text}` : text;
    for (let i = 0; i < s.length; i++) {
      let cp = s.charCodeAt(i);
      let width = 1;
      if (cp >= 0xd800 && cp <= 0xdbff && i + 1 < s.length) {
        const lo = s.charCodeAt(i + 1);
        if (lo >= 0xdc00 && lo <= 0xdfff) {
          cp = ((cp - 0xd800) << 10) + (lo - 0xdc00) + 0x10000;
          width = 2;
        }
      }
      if (cp === 0x20) cp = 0x2581;
      if (this.mergeable.has(cp)) {
        if (segStart < 0) segStart = i;
      } else {
        if (segStart >= 0) {
          seg = s.slice(segStart, i);
          n += this.countSegment(seg);
          segStart = -1;
        }
        n += this.inVocab.has(cp) ? 1 : utf8Len(cp);
      }
      i += width - 1;
    }
    if (segStart >= 0) n += this.countSegment(s.slice(segStart));
    return n;
  }

  private countSegment(seg: string): number {
    let c = this.cache.get(seg);
    if (c === undefined) {
      c = llamaTokenizer.encode(seg.replaceAll(' ', SPACE), false, false).length;
      if (this.cache.size >= CACHE_MAX) this.cache = new Map();
      this.cache.set(seg, c);
    }
    return c;
  }
}

function utf8Len(cp: number): number {
  return cp < 0x80 ? 1 : cp < 0x800 ? 2 : cp < 0x10000 ? 3 : 4;
}

/** The reference: llama-tokenizer-js itself (for tests and the bench). */
export function llamaReferenceCount(text: string, addPrefixSpace = true): number {
  return text.length === 0 ? 0 : llamaTokenizer.encode(text, false, addPrefixSpace).length;
}
