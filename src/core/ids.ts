/** Deterministic ids: sha256 over a canonical JSON form (sorted keys), never counters or clocks. */
import { createHash } from 'node:crypto';

export function canonicalJson(value: unknown): string {
  return JSON.stringify(sortKeys(value));
}

function sortKeys(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(sortKeys);
  if (value && typeof value === 'object') {
    const out: Record<string, unknown> = {};
    for (const k of Object.keys(value as object).sort()) {
      const v = (value as Record<string, unknown>)[k];
      if (v !== undefined) out[k] = sortKeys(v);
    }
    return out;
  }
  return value;
}

export function sha256Hex(data: string | Buffer): string {
  return createHash('sha256').update(data).digest('hex');
}

/** A short content id: the first `len` hex chars of sha256(canonical(parts)). */
export function contentId(parts: unknown, len = 24): string {
  return sha256Hex(canonicalJson(parts)).slice(0, len);
}
