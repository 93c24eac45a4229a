/**
 * Which split a dialogue goes to, and which shard a record goes to. Deterministic: the split is a
 * hash of the seed and a content cluster (CaseClusters): dialogues that share a case description
 * (the normalised first patient turn of any of their records, or its first 48 characters), a source consultation (all visits
 * and windows of one id) or a duplicate/near-duplicate pair fall in one cluster, so re-posts and
 * one description sent to several doctors never stand in two splits. Shards are filled
 * least-loaded first. Holds no I/O; the cluster state is a few numbers per dialogue and key.
 */
import * as crypto from 'node:crypto';
import { createHash } from 'node:crypto';
import path from 'node:path';
import type { Origin } from '../../schemas/dialogue.js';
import type { SplitName } from '../../schemas/manifest.js';
import { TextMemo } from '../stages/normalise/memo.js';
import { Column, IntIndex } from './columns.js';

export const SPLITS: readonly SplitName[] = ['train', 'validation', 'test'];

const NO_CODES = new Uint8Array(0);

/** The key that must not span splits: one source consultation (its visits and windows included). */
export function splitKey(origin: Origin): string {
  return `${origin.format}\u0000${path.basename(origin.file)}\u0000${origin.sourceId}`;
}

/** Case descriptions shorter than this (greetings such as 你好医生) are shared by unrelated dialogues and link nothing. */
export const MIN_CASE_CHARS = 12;

/** The case-description key of a text: whitespace and punctuation removed, so re-posts that differ only in those match. */
export function caseText(s: string): string {
  return s.replace(/[\s\p{P}\p{S}]+/gu, '');
}

/** The first patient turn of a record: its first history round's question, else its instruction. */
export function firstPatientTurn(r: { history: Array<[string, string]>; instruction: string }): string {
  return r.history.length > 0 ? r.history[0][0] : r.instruction;
}

/** crypto.hash (Node ≥ 20.12): one-shot sha256 without a Hash object; the same digest as update() of the parts in turn. */
const oneShot = (crypto as { hash?: (alg: string, data: string, enc: 'buffer') => Buffer }).hash;

/** sha256 of `a`, a NUL and `b` (one string: the parts' UTF-8 bytes in turn, as the NUL is ASCII). */
function sha256Of(a: string, b: string): Buffer {
  if (oneShot) return oneShot('sha256', `${a}\u0000${b}`, 'buffer');
  return createHash('sha256').update(a).update('\u0000').update(b).digest();
}

/** 52 bits of sha256 as a number: unique in practice, and cheap to keep in a Map. */
function key52(kind: string, s: string): number {
  const h = sha256Of(kind, s);
  return h.readUInt32BE(0) * 0x100000 + (h.readUInt32BE(4) >>> 12);
}

/** The cluster key of a source consultation (52 bits of sha256 of splitKey). */
export function consultationKey(origin: Origin): number {
  return key52('consultation', splitKey(origin));
}

/** The cluster key of a case description, or −1 when it is shorter than MIN_CASE_CHARS after caseText. */
export function caseKey(text: string): number {
  let k = CASE.peek(text);
  if (k === undefined) {
    const t = caseText(text);
    CASE.put(text, (k = t.length < MIN_CASE_CHARS ? -1 : key52('case', t)));
  }
  return k;
}
/** caseKey per text (windows of one dialogue share their first patient turn; re-posts share it too). */
const CASE = new TextMemo<number>('finish.case');

/**
 * The opening of a case description: its first CASE_PREFIX_CHARS characters after caseText. One
 * patient's description posted again with a detail added or corrected further on (MedDialog holds
 * one 病情描述 sent to two doctors, the second copy with later temperature readings) shares its
 * opening, so both must stand in one split. 48 characters of a description without punctuation
 * are far past any greeting or form label that unrelated patients share.
 */
export const CASE_PREFIX_CHARS = 48;
/** At most this many different descriptions are joined by one shared opening (see CaseClusters.linkOnly). */
export const MAX_PREFIX_DESCRIPTIONS = 8;

/**
 * The cluster key of a case description's opening, or −1 when the description is no longer than
 * CASE_PREFIX_CHARS (its caseKey already covers it). It links clusters but never chooses a
 * cluster's split (CaseClusters.linkOnly): splits stay those of the keys before it, so only the
 * clusters it joins can move.
 */
export function casePrefixKey(text: string): number {
  let k = CASE_PREFIX.peek(text);
  if (k === undefined) {
    const t = caseText(text);
    CASE_PREFIX.put(text, (k = t.length <= CASE_PREFIX_CHARS ? -1 : key52('case-prefix', t.slice(0, CASE_PREFIX_CHARS))));
  }
  return k;
}
const CASE_PREFIX = new TextMemo<number>('finish.case_prefix');

/**
 * Dialogue ids as numbers: ids are hex content hashes, so their first 52 bits are unique in
 * practice (other ids are hashed), and a number costs a fraction of a string to keep.
 */
export function idKey(id: string): number {
  const n = parseInt(id.slice(0, 13), 16);
  if (Number.isFinite(n) && /^[0-9a-f]{13}/.test(id)) return n;
  // Record ids: `cmt-` and a hex content hash.
  if (id.startsWith('cmt-') && /^cmt-[0-9a-f]{13}/.test(id)) return parseInt(id.slice(4, 17), 16);
  return parseInt(createHash('sha256').update(id).digest('hex').slice(0, 13), 16);
}

/**
 * Union-find over dialogues, linked by shared keys (case descriptions, source consultations) and
 * by explicit pairs (a duplicate and the record it duplicates). Each cluster's split is the hash
 * of its smallest key, so it does not depend on the order the dialogues arrived in.
 * Memory: typed-array columns (about 40 bytes per dialogue and per case key), no strings kept.
 */
export class CaseClusters {
  private readonly parent = new Column(Int32Array);
  /** Smallest key of each root's cluster. */
  private readonly minKey = new Column(Float64Array);
  private readonly size = new Column(Int32Array);
  /** idKey(dialogue id) → dialogue index. */
  private readonly byDialogue = new IntIndex();
  private readonly keyOwner = new IntIndex();
  /** Dialogues that joined an existing cluster through a shared key or pair. */
  merges = 0;
  /**
   * Case-opening key → the caseKey of the first description it linked; the keys of the others
   * (at most MAX_PREFIX_DESCRIPTIONS in all) in prefixMore. Nearly every opening has one
   * description, so it costs one number, not an array.
   */
  private readonly prefixFirst = new Map<number, number>();
  private readonly prefixMore = new Map<number, number[]>();
  /** Links a case opening did not make because MAX_PREFIX_DESCRIPTIONS descriptions already shared it. */
  prefixCapped = 0;

  /** Dialogues seen so far (indices are 0 … count − 1). */
  get count(): number {
    return this.parent.length;
  }

  /** The index of a dialogue (created on first sight, keyed by its source consultation). */
  dialogue(dialogueId: string, origin: Origin): number {
    const dk = idKey(dialogueId);
    const i = this.byDialogue.get(dk);
    return i >= 0 ? i : this.dialogueByKey(dk, consultationKey(origin));
  }

  /** `dialogue` from keys alone (idKey of the id, consultationKey of the origin), for a decision step that never sees records. */
  dialogueByKey(dk: number, consultationOf: number | (() => number)): number {
    let i = this.byDialogue.get(dk);
    if (i >= 0) return i;
    const consultation = typeof consultationOf === 'number' ? consultationOf : consultationOf();
    i = this.parent.push(this.parent.length);
    this.size.push(1);
    this.minKey.push(consultation);
    this.byDialogue.set(dk, i);
    this.linkKey(i, consultation);
    return i;
  }

  indexOf(dialogueId: string): number | undefined {
    const i = this.byDialogue.get(idKey(dialogueId));
    return i >= 0 ? i : undefined;
  }

  /** Links a dialogue to a case description and its opening (ignored when shorter than MIN_CASE_CHARS after caseText). */
  linkCase(i: number, text: string): void {
    const full = caseKey(text);
    this.linkCaseKey(i, full);
    this.linkOnly(i, casePrefixKey(text), full);
  }

  /** `linkCase` from caseKey(text) (−1: too short, links nothing). */
  linkCaseKey(i: number, key: number): void {
    if (key >= 0) this.linkKey(i, key);
  }

  /**
   * Links a dialogue through a key that never becomes a cluster's smallest key (casePrefixKey;
   * −1 links nothing). `full` is the caseKey of the whole description: once MAX_PREFIX_DESCRIPTIONS
   * different descriptions share one opening, further ones are not linked by it (a corpus whose
   * descriptions open with 48 characters of form text would otherwise join unrelated patients
   * into one giant cluster); they are counted in `prefixCapped`.
   */
  linkOnly(i: number, k: number, full = -1): void {
    if (k < 0) return;
    const first = this.prefixFirst.get(k);
    if (first === undefined) this.prefixFirst.set(k, full);
    else if (first !== full) {
      let more = this.prefixMore.get(k);
      if (!more) this.prefixMore.set(k, (more = []));
      if (!more.includes(full)) {
        if (more.length + 1 >= MAX_PREFIX_DESCRIPTIONS) {
          this.prefixCapped++;
          return;
        }
        more.push(full);
      }
    }
    const owner = this.keyOwner.get(k);
    if (owner < 0) this.keyOwner.set(k, i);
    else this.union(owner, i);
  }

  private linkKey(i: number, k: number): void {
    const owner = this.keyOwner.get(k);
    if (owner < 0) {
      this.keyOwner.set(k, i);
      const r = this.find(i);
      if (k < this.minKey.get(r)) {
        this.minKey.set(r, k);
        this.splitMemo.codes = NO_CODES;
      }
    } else this.union(owner, i);
  }

  find(i: number): number {
    const parent = this.parent;
    let r = i;
    while (parent.get(r) !== r) r = parent.get(r);
    while (parent.get(i) !== r) {
      const next = parent.get(i);
      parent.set(i, r);
      i = next;
    }
    return r;
  }

  union(a: number, b: number): void {
    let ra = this.find(a);
    let rb = this.find(b);
    if (ra === rb) return;
    if (this.size.get(ra) < this.size.get(rb)) [ra, rb] = [rb, ra];
    this.parent.set(rb, ra);
    this.splitMemo.codes = NO_CODES;
    this.size.set(ra, this.size.get(ra) + this.size.get(rb));
    if (this.minKey.get(rb) < this.minKey.get(ra)) this.minKey.set(ra, this.minKey.get(rb));
    this.merges++;
  }

  splitOf(i: number, seed: string, ratios: Record<SplitName, number>): SplitName {
    const root = this.find(i);
    // A cluster's dialogues (copies and re-posts of one case) share its root: hash once per root
    // (1 + index in SPLITS; 0 unknown). Dropped whenever a new dialogue, a union or a smaller key
    // changes a cluster or its smallest key.
    const memo = this.splitMemo;
    if (memo.seed !== seed || memo.ratios !== ratios || memo.codes.length !== this.parent.length) {
      this.splitMemo = { seed, ratios, codes: new Uint8Array(this.parent.length) };
    }
    const codes = this.splitMemo.codes;
    if (codes[root] === 0) codes[root] = SPLITS.indexOf(splitOf(this.minKey.get(root).toString(16), seed, ratios)) + 1;
    return SPLITS[codes[root] - 1];
  }
  private splitMemo: { seed?: string; ratios?: Record<SplitName, number>; codes: Uint8Array } = { codes: NO_CODES };

  /** Dialogues, clusters and the largest cluster (a giant cluster would skew the split ratios). */
  summary(): { dialogues: number; clusters: number; largest: number } {
    let clusters = 0;
    let largest = 0;
    for (let i = 0; i < this.parent.length; i++) {
      if (this.parent.get(i) !== i) continue;
      clusters++;
      if (this.size.get(i) > largest) largest = this.size.get(i);
    }
    return { dialogues: this.parent.length, clusters, largest };
  }
}

export function splitOf(key: string, seed: string, ratios: Record<SplitName, number>): SplitName {
  const total = ratios.train + ratios.validation + ratios.test;
  const u = sha256Of(seed, key).readUInt32BE(0) / 0x1_0000_0000;
  let acc = 0;
  for (const s of SPLITS) {
    acc += ratios[s] / total;
    if (u < acc) return s;
  }
  return 'train';
}

/** Shards per split: a multiple of the rank count, each at most maxRecords records on average. */
export function shardCount(records: number, maxRecords: number, ranks: number): number {
  const perRankGroup = maxRecords * ranks;
  return ranks * Math.max(1, Math.ceil(records / perRankGroup));
}

/** Greedy least-loaded assignment in arrival order (ties → lowest index). */
export class LeastLoaded {
  readonly loads: number[];
  readonly counts: number[];
  constructor(n: number) {
    this.loads = new Array<number>(n).fill(0);
    this.counts = new Array<number>(n).fill(0);
  }
  assign(weight: number): number {
    let best = 0;
    for (let i = 1; i < this.loads.length; i++) if (this.loads[i] < this.loads[best]) best = i;
    this.loads[best] += weight;
    this.counts[best]++;
    return best;
  }
  /** max/mean − 1 over the loads (0 = perfectly balanced). */
  imbalance(): number {
    const sum = this.loads.reduce((a, b) => a + b, 0);
    if (sum === 0) return 0;
    return Math.max(...this.loads) / (sum / this.loads.length) - 1;
  }
}
