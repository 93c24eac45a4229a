/**
 * Deterministic ids: sha256 over a canonical JSON form (sorted keys), never counters or clocks.
 *
 * canonicalJson is byte-for-byte `JSON.stringify` of the value with every object's keys sorted,
 * written in one pass without building a sorted copy and without recursion: hostile input
 * (thousands of nesting levels in one JSON element) must not overflow the stack when it is
 * hashed for a reject id.
 */
import * as crypto from 'node:crypto';
import { createHash } from 'node:crypto';

type Frame =
  | { kind: 'array'; items: unknown[]; i: number }
  | { kind: 'object'; obj: Record<string, unknown>; keys: string[]; i: number; wrote: boolean };

/**
 * The value as it is serialised, or undefined where JSON.stringify omits it. Objects are taken
 * as their own enumerable keys (no toJSON), as the sorted-copy form always did.
 */
function jsonValue(v: unknown): unknown {
  if (v === undefined || typeof v === 'function' || typeof v === 'symbol') return undefined;
  return v;
}

/** Array-index keys ("0" … "4294967294", no leading zeros): JS objects list them first, numerically. */
function isIndexKey(k: string): boolean {
  if (k.length === 0 || k.length > 10) return false;
  if (k.length > 1 && k.charCodeAt(0) === 48) return false;
  for (let i = 0; i < k.length; i++) {
    const c = k.charCodeAt(i);
    if (c < 48 || c > 57) return false;
  }
  return Number(k) < 4294967295;
}

/**
 * The key order of the sorted copy: keys sorted, then re-inserted into a fresh object, where the
 * engine puts array-index keys first in numeric order. Ids have always hashed that order.
 */
function sortedKeys(obj: object): string[] {
  const keys = Object.keys(obj).sort();
  let index: string[] | undefined;
  let rest: string[] | undefined;
  for (const k of keys) {
    if (isIndexKey(k)) (index ??= []).push(k);
    else (rest ??= []).push(k);
  }
  if (!index) return keys;
  index.sort((a, b) => Number(a) - Number(b));
  return rest ? index.concat(rest) : index;
}

export function canonicalJson(value: unknown): string {
  let out = '';
  const stack: Frame[] = [];
  // Writes a scalar, or opens a container (pushing its frame). Returns nothing; the loop drives.
  const open = (v: unknown): void => {
    if (v === null) { out += 'null'; return; }
    switch (typeof v) {
      case 'string': out += JSON.stringify(v); return;
      case 'number': out += Number.isFinite(v) ? JSON.stringify(v) : 'null'; return;
      case 'boolean': out += v ? 'true' : 'false'; return;
      case 'bigint': throw new TypeError('Do not know how to serialize a BigInt');
      default: break;
    }
    if (Array.isArray(v)) { out += '['; stack.push({ kind: 'array', items: v, i: 0 }); return; }
    const obj = v as Record<string, unknown>;
    out += '{';
    stack.push({ kind: 'object', obj, keys: sortedKeys(obj), i: 0, wrote: false });
  };
  const top = jsonValue(value);
  if (top === undefined) return undefined as unknown as string; // as JSON.stringify(undefined)
  open(top);
  while (stack.length > 0) {
    const f = stack[stack.length - 1]!;
    if (f.kind === 'array') {
      if (f.i >= f.items.length) { out += ']'; stack.pop(); continue; }
      if (f.i > 0) out += ',';
      const v = jsonValue(f.items[f.i++]);
      if (v === undefined) out += 'null';
      else open(v);
    } else {
      if (f.i >= f.keys.length) { out += '}'; stack.pop(); continue; }
      const k = f.keys[f.i++]!;
      const v = jsonValue(f.obj[k]);
      if (v === undefined) continue;
      if (f.wrote) out += ',';
      f.wrote = true;
      out += JSON.stringify(k) + ':';
      open(v);
    }
  }
  return out;
}

/** crypto.hash (Node ≥ 20.12): one-shot hashing without a Hash object; the same digest. */
const oneShot = (crypto as { hash?: (alg: string, data: string | Buffer, enc: 'hex') => string }).hash;

export function sha256Hex(data: string | Buffer): string {
  if (oneShot) return oneShot('sha256', data, 'hex');
  return createHash('sha256').update(data).digest('hex');
}

/**
 * A content id from JSON the caller wrote itself, in canonical form already (keys in sorted
 * order, as canonicalJson would write them): the fixed-order fast path of contentId for the ids
 * made once per dialogue and record. Same bytes, same id.
 */
export function contentIdOfJson(json: string, len = 24): string {
  return sha256Hex(json).slice(0, len);
}

/** A short content id: the first `len` hex chars of sha256(canonical(parts)). */
export function contentId(parts: unknown, len = 24): string {
  return sha256Hex(canonicalJson(parts)).slice(0, len);
}
