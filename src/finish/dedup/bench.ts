/**
 * Throughput and memory of near-duplicate detection, for `npm run bench` (bench/ calls these).
 * Numbers are CPU seconds of this process (robust when the machine is shared) and bytes per
 * indexed record measured from heap + array buffers (run node with --expose-gc for clean figures).
 */
import type { CMtMedQARecord } from '../../../schemas/record.js';
import { dedupText, NearDupIndex, type MinHashParams } from './minhash.js';

export interface MinhashBench {
  records: number;
  avgChars: number;
  cpuSeconds: number;
  recordsPerSecond: number;
  nearDuplicates: number;
  indexed: number;
  bytesPerIndexedRecord: number;
  mbPerMillionRecords: number;
}

const DEFAULTS: MinHashParams = { ngram: 5, numPerm: 128, bands: 32, threshold: 0.8 };

function usedBytes(): number {
  (globalThis as { gc?: () => void }).gc?.();
  const m = process.memoryUsage();
  return m.heapUsed + m.arrayBuffers;
}

/** Checks every record (dedupText + signature + LSH + verify + insert) into a fresh index. */
export function benchMinhash(records: CMtMedQARecord[], params: MinHashParams = DEFAULTS): MinhashBench {
  const before = usedBytes();
  const idx = new NearDupIndex(params);
  let chars = 0;
  let dups = 0;
  const t0 = process.cpuUsage();
  for (const r of records) {
    const text = dedupText(r);
    chars += text.length;
    if (idx.check(r.id, text)) dups++;
  }
  const t = process.cpuUsage(t0);
  const cpu = (t.user + t.system) / 1e6;
  const bytes = Math.max(0, usedBytes() - before);
  const per = idx.size ? bytes / idx.size : 0;
  return {
    records: records.length,
    avgChars: records.length ? Math.round(chars / records.length) : 0,
    cpuSeconds: Math.round(cpu * 1000) / 1000,
    recordsPerSecond: cpu > 0 ? Math.round(records.length / cpu) : 0,
    nearDuplicates: dups,
    indexed: idx.size,
    bytesPerIndexedRecord: Math.round(per),
    mbPerMillionRecords: Math.round(per),
  };
}

/** `n` distinct synthetic records of ~`chars` random common CJK characters (for memory at scale). */
export function syntheticRecords(n: number, chars = 500, seed = 1): CMtMedQARecord[] {
  let s = seed >>> 0;
  const rnd = () => {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    return s;
  };
  const out: CMtMedQARecord[] = [];
  for (let i = 0; i < n; i++) {
    let t = '';
    for (let j = 0; j < chars; j++) t += String.fromCharCode(0x4e00 + (rnd() % 3000));
    out.push({ id: `syn-${i}`, cate1: '', cate2: '', instruction: t.slice(0, chars / 5), input: '', output: t.slice(chars / 5), history: [] });
  }
  return out;
}

/** Character n-gram sets, as the signature sees them (a text shorter than n is one shingle). */
function shingles(text: string, n: number): string[] {
  if (text.length === 0) return [];
  if (text.length <= n) return [text];
  const set = new Set<string>();
  for (let s = 0; s + n <= text.length; s++) set.add(text.slice(s, s + n));
  return [...set];
}

export interface NearAccuracy {
  scheme: string;
  records: number;
  /** Records with an earlier record at exact Jaccard ≥ threshold. */
  truePositives: number;
  flagged: number;
  /** Flags whose (record, duplicateOf) pair has exact Jaccard ≥ threshold. */
  precision: number;
  /** Same, at ≥ threshold − 0.1 (a near miss of the estimate). */
  precisionLoose: number;
  recall: number;
  cpuSeconds: number;
  recordsPerSecond: number;
}

/**
 * The exact answer, by a prefix-filtered similarity join (all pairs with Jaccard ≥ t share one
 * of their |A| − ⌈t·|A|⌉ + 1 rarest shingles), then each scheme's decisions in run order against it.
 */
export function benchNearAccuracy(records: CMtMedQARecord[], schemes: Array<'oph' | 'minhash'> = ['oph', 'minhash'], params: MinHashParams = DEFAULTS): NearAccuracy[] {
  const t = params.threshold;
  const texts = records.map(dedupText);
  const sets = texts.map((x) => shingles(x, params.ngram));
  const freq = new Map<string, number>();
  for (const s of sets) for (const g of s) freq.set(g, (freq.get(g) ?? 0) + 1);
  const sorted = sets.map((s) => [...s].sort((a, b) => freq.get(a)! - freq.get(b)! || (a < b ? -1 : a > b ? 1 : 0)));
  const postings = new Map<string, number[]>();
  const exact = (i: number, j: number): number => {
    const a = new Set(sets[i]);
    let inter = 0;
    for (const g of sets[j]) if (a.has(g)) inter++;
    const union = sets[i].length + sets[j].length - inter;
    return union === 0 ? 1 : inter / union;
  };
  const hasEarlier = new Uint8Array(records.length);
  for (let j = 0; j < records.length; j++) {
    const s = sorted[j];
    const prefix = s.length - Math.ceil(t * s.length) + 1;
    const seen = new Set<number>();
    for (let p = 0; p < Math.min(prefix, s.length); p++) {
      const list = postings.get(s[p]);
      if (list) for (const i of list) seen.add(i);
    }
    for (const i of seen) {
      const li = sets[i].length;
      const lj = s.length;
      if (Math.min(li, lj) < t * Math.max(li, lj)) continue;
      if (exact(i, j) >= t) {
        hasEarlier[j] = 1;
        break;
      }
    }
    for (let p = 0; p < Math.min(prefix, s.length); p++) {
      let list = postings.get(s[p]);
      if (!list) postings.set(s[p], (list = []));
      list.push(j);
    }
  }
  const truth = hasEarlier.reduce((a, b) => a + b, 0);
  const index = new Map(records.map((r, i) => [r.id, i]));
  const out: NearAccuracy[] = [];
  for (const scheme of schemes) {
    const idx = new NearDupIndex({ ...params, scheme }, false);
    let flagged = 0;
    let good = 0;
    let loose = 0;
    let hit = 0;
    const t0 = process.cpuUsage();
    const matches: Array<[number, string]> = [];
    for (let j = 0; j < records.length; j++) {
      const m = idx.check(records[j].id, texts[j]);
      if (m) matches.push([j, m.duplicateOf]);
    }
    const c = process.cpuUsage(t0);
    for (const [j, dup] of matches) {
      flagged++;
      const sim = exact(index.get(dup)!, j);
      if (sim >= t) good++;
      if (sim >= t - 0.1) loose++;
      if (hasEarlier[j]) hit++;
    }
    const cpu = (c.user + c.system) / 1e6;
    out.push({
      scheme,
      records: records.length,
      truePositives: truth,
      flagged,
      precision: flagged ? good / flagged : 1,
      precisionLoose: flagged ? loose / flagged : 1,
      recall: truth ? hit / truth : 1,
      cpuSeconds: Math.round(cpu * 1000) / 1000,
      recordsPerSecond: cpu > 0 ? Math.round(records.length / cpu) : 0,
    });
  }
  return out;
}

/**
 * The records plus `n` edited copies of randomly chosen ones (1–8 % of characters replaced by
 * other characters of the same record), so exact Jaccard spreads across the threshold.
 */
export function withEditedCopies(records: CMtMedQARecord[], n: number, seed = 7): CMtMedQARecord[] {
  let s = seed >>> 0;
  const rnd = () => ((s = (Math.imul(s, 1664525) + 1013904223) >>> 0) / 2 ** 32);
  const edit = (text: string, rate: number) => {
    const chars = [...text];
    for (let i = 0; i < chars.length; i++) if (rnd() < rate) chars[i] = chars[Math.floor(rnd() * chars.length)]!;
    return chars.join('');
  };
  const out = [...records];
  for (let i = 0; i < n; i++) {
    const r = records[Math.floor(rnd() * records.length)]!;
    const rate = 0.01 + rnd() * 0.07;
    out.push({ ...r, id: `${r.id}-edit${i}`, instruction: edit(r.instruction, rate), output: edit(r.output, rate), history: r.history.map(([q, a]) => [edit(q, rate), edit(a, rate)] as [string, string]) });
  }
  return out;
}
