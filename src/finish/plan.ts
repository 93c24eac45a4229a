/**
 * The decision step of the finish: from compact per-record metadata only (never the records),
 * which split each kept record goes to, how many shards each split gets and which shard each
 * record goes to (balanced by weight, balance.ts), with each shard's expected counts. The result
 * is a list of independent shard jobs (shard-writer.ts), each naming its records' spill positions.
 *
 * Input per kept record, in run order: its dialogue (index into the split decision), its weight,
 * and its spill position (part, offset, lengths): 4 + 8 + 2 + 16 bytes. The split of a dialogue is
 * its content cluster's (split-assign.ts CaseClusters.splitOf), asked once per dialogue.
 */
import type { SplitName } from '../../schemas/manifest.js';
import type { Pipeline } from '../../schemas/pipeline.js';
import { balanceLpt, imbalanceOf } from '../output/balance.js';
import { shardExtension } from '../output/formats.js';
import { Column } from './columns.js';
import { SPLITS, shardCount } from './split-assign.js';

/** The compact metadata of the kept records, one entry per record in run order. */
export interface RecordMeta {
  /** Dialogue index (what `splitOf` is asked about). */
  dialogue: Int32Array;
  weight: Float64Array;
  /** Spill part index (into `spills`) of each record; omitted: all in part 0. */
  part?: Uint16Array;
  offset: Float64Array;
  shardLen: Uint32Array;
  sidecarLen: Uint32Array;
}

/**
 * One shard to write: an independent job. Input: the spill parts and this shard's record
 * positions, in shard order (run order); output: the shard file and its sidecar (writeShards).
 * Plain data (typed arrays and strings): serialisable for a queue as it is.
 */
export interface ShardJob {
  split: SplitName;
  /** Shard number within the split (part-NNNNN). */
  index: number;
  /** Output paths relative to the output directory. */
  path: string;
  sidecarPath?: string;
  format: Pipeline['shard']['format'];
  gzipLevel: number;
  /** Spill part files (absolute paths) the positions refer to. */
  spills: string[];
  part: Uint16Array;
  offset: Float64Array;
  shardLen: Uint32Array;
  sidecarLen: Uint32Array;
  /** What the shard will hold: records, distinct dialogues, summed weight. */
  records: number;
  dialogues: number;
  load: number;
}

export interface SplitPlan {
  split: SplitName;
  records: number;
  dialogues: number;
  /** Summed weight of the split's records (tokens when a tokenizer balances them). */
  weight: number;
  shards: ShardJob[];
  /** max/mean − 1 of the shard loads, rounded to 6 decimals (manifest `imbalance`). */
  imbalance: number;
}

export interface FinishPlan {
  splits: SplitPlan[];
}

const partName = (i: number) => `part-${String(i).padStart(5, '0')}`;

export function planShards(meta: RecordMeta, splitOf: (dialogue: number) => SplitName, shard: Pipeline['shard'], spills: string[]): FinishPlan {
  const n = meta.dialogue.length;
  // Split per dialogue, asked once each (0 = not asked yet, else 1 + index in SPLITS).
  let maxDialogue = -1;
  for (let r = 0; r < n; r++) if (meta.dialogue[r] > maxDialogue) maxDialogue = meta.dialogue[r];
  const splitCode = new Uint8Array(maxDialogue + 1);
  const members = SPLITS.map(() => new Column(Uint32Array));
  const dialogues = SPLITS.map(() => 0);
  for (let r = 0; r < n; r++) {
    const d = meta.dialogue[r];
    let c = splitCode[d];
    if (c === 0) {
      c = splitCode[d] = SPLITS.indexOf(splitOf(d)) + 1;
      dialogues[c - 1]++;
    }
    members[c - 1].push(r);
  }
  const ext = shardExtension(shard.format);
  const splits: SplitPlan[] = [];
  SPLITS.forEach((split, s) => {
    const rows = members[s].view();
    const plan: SplitPlan = { split, records: rows.length, dialogues: dialogues[s], weight: 0, shards: [], imbalance: 0 };
    splits.push(plan);
    // A run that kept no record still writes the train split's rank files, empty: the layout a
    // trainer's ranks and a checker expect is there, and the manifest says each holds 0 records.
    if (rows.length === 0 && !(n === 0 && split === 'train')) return;
    const k = shardCount(rows.length, shard.maxRecordsPerShard, shard.ranks);
    const weights = new Float64Array(rows.length);
    for (let j = 0; j < rows.length; j++) weights[j] = meta.weight[rows[j]];
    const balance = balanceLpt(weights, k);
    const at = new Int32Array(k);
    const jobs: ShardJob[] = balance.counts.map((count, i) => ({
      split, index: i,
      path: `shards/${split}/${partName(i)}${ext}`,
      ...(shard.annotations ? { sidecarPath: `annotations/${split}/${partName(i)}.jsonl.gz` } : {}),
      format: shard.format, gzipLevel: shard.gzipLevel, spills,
      part: new Uint16Array(count), offset: new Float64Array(count), shardLen: new Uint32Array(count), sidecarLen: new Uint32Array(count),
      records: count, dialogues: 0, load: balance.loads[i],
    }));
    const seen = jobs.map(() => new Set<number>());
    for (let j = 0; j < rows.length; j++) {
      const r = rows[j];
      const i = balance.assignment[j];
      const job = jobs[i];
      const x = at[i]++;
      job.part[x] = meta.part ? meta.part[r] : 0;
      job.offset[x] = meta.offset[r];
      job.shardLen[x] = meta.shardLen[r];
      job.sidecarLen[x] = meta.sidecarLen[r];
      seen[i].add(meta.dialogue[r]);
    }
    jobs.forEach((job, i) => (job.dialogues = seen[i].size));
    plan.shards = jobs;
    plan.weight = balance.loads.reduce((a, b) => a + b, 0);
    plan.imbalance = Math.round(imbalanceOf(balance.loads) * 1e6) / 1e6;
  });
  return { splits };
}
