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
