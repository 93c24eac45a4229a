/**
 * Exact duplicates: two records with the same history, instruction, input and output (after
 * normalisation) are one record; the first in run order is kept, later ones become rejects
 * pointing at it. The index is handed in by the executor (memory: ~90 bytes per unique record).
 */
import type { RecordEnvelope } from '../../../schemas/record.js';
import { sha256Hex } from '../../core/ids.js';

/** The exact-duplicate key of a record (80 bits of sha256, hex): what a worker sends instead of the record. */
export function exactKey(r: RecordEnvelope['record']): string {
  return sha256Hex(JSON.stringify([r.history, r.instruction, r.input, r.output])).slice(0, 20);
}

export class ExactIndex {
  private readonly seen = new Map<string, string>();

  /** Returns the id of the earlier identical record, or undefined (and remembers this one). */
  check(env: RecordEnvelope): string | undefined {
    return this.checkKey(exactKey(env.record), env.record.id);
  }

  /** The same decision from the key alone (exactKey), for a decision step that never sees records. */
  checkKey(key: string, id: string): string | undefined {
    const prev = this.seen.get(key);
    if (prev !== undefined) return prev;
    this.seen.set(key, id);
    return undefined;
  }

  get size(): number {
    return this.seen.size;
  }
}
