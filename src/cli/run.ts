/** `cmtmedqa run <pipeline.yaml>`: run a pipeline and print where the shards and report are. */
import path from 'node:path';
import type { Command } from 'commander';
import cliProgress from 'cli-progress';
import { CmtError } from '../core/errors.js';
import { createLogger } from '../core/logger.js';
import { runLocal, type Progress, type RunResult } from '../executors/local.js';
import { loadPipeline } from '../pipeline/config.js';
import { preflightRun } from '../pipeline/preflight.js';
import { openRunResources } from '../pipeline/resources.js';
import { addBullmqRunOptions, bullmqOptionsFrom, type BullmqRunFlags } from './bullmq-flags.js';
import { stopOnSignal } from './interrupt.js';

export function defaultOutDir(name: string, out?: string): string {
  return out ?? path.join('out', name);
}

function progressReporter(logger: ReturnType<typeof createLogger>): { onProgress: (p: Progress) => void; stop: () => void } {
  if (process.stderr.isTTY && !process.env.CI) {
    const bar = new cliProgress.SingleBar({ format: 'run | {dialogues} dialogues | {records} records | {rejects} rejects | {rate}/s', stream: process.stderr }, cliProgress.Presets.shades_classic);
    const t0 = Date.now();
    bar.start(0, 0, { dialogues: 0, records: 0, rejects: 0, rate: 0 });
    return {
      onProgress: (p) => bar.update(p.batches, { ...p, rate: Math.round(p.dialogues / Math.max(0.001, (Date.now() - t0) / 1000)) }),
      stop: () => bar.stop(),
    };
  }
  let last = Date.now();
  return {
    onProgress: (p) => {
      if (Date.now() - last < 5000) return;
      last = Date.now();
      logger.info({ progress: p }, 'progress');
    },
    stop: () => {},
  };
}

export function printSummary(res: RunResult): void {
  const r = res.report;
  console.log(`\ncmtmedqa run ${r.pipeline} (${r.executor}) finished in ${r.throughput.seconds} s, ${r.throughput.dialoguesPerSecond} dialogues/s`);
  console.log(`  dialogues: ${r.dialogues.in} in = ${r.dialogues.accepted} accepted + ${r.dialogues.rejected} rejected (${r.dialogues.closes ? 'closes' : 'DOES NOT CLOSE'})`);
  console.log(`  records:   ${r.records.produced} produced = ${r.records.accepted} accepted + ${r.records.rejected} rejected (${r.records.closes ? 'closes' : 'DOES NOT CLOSE'})`);
  console.log(`  splits:    ${Object.entries(r.splits).map(([k, v]) => `${k} ${v.records}`).join(', ')} in ${r.shards} shard(s)`);
  // The five commonest reasons; the rest are counted, so the listed counts never seem to be all of them.
  const reasons = Object.entries(r.rejects.byReason);
  const rest = reasons.slice(5).reduce((a, [, v]) => a + v, 0);
  const top = [...reasons.slice(0, 5).map(([k, v]) => `${k} ${v}`), ...(rest ? [`${rest} more of ${reasons.length - 5} other reason(s)`] : [])].join(', ');
  console.log(`  rejects:   ${r.rejects.total}${top ? ` (${top})` : ''}`);
  console.log(`  inquiry:   ${(r.inquiry.ratio * 100).toFixed(1)}% of doctor turns ask the patient something`);
  if (r.graphVersion) console.log(`  entities:  ${(r.entities.coverage * 100).toFixed(1)}% of records mention ≥1 graph entity (graph ${r.graphVersion.slice(0, 12)})`);
  console.log(`  shards:    ${path.join(res.outDir, 'shards')}`);
  console.log(`  manifest:  ${path.join(res.outDir, 'manifest.json')}`);
  console.log(`  report:    ${path.join(res.outDir, 'report.md')}`);
  console.log(`  rejects:   ${path.join(res.outDir, 'rejects', 'rejects.jsonl')}  (cmtmedqa rejects stats ${res.outDir})`);
  if (r.records.accepted === 0 && r.dialogues.in > 0) {
    console.log(`  warning:   no record was accepted: the shards are empty; \`cmtmedqa rejects stats ${res.outDir}\` says why`);
  }
}

export function registerRunCommand(program: Command): void {
  const cmd = program
    .command('run <pipeline>')
    .description('run a pipeline YAML end to end and write shards, manifest, report and rejects')
    .option('--out <dir>', 'output directory (default: the pipeline\'s `out`, else out/<name>)')
    .option('--executor <executor>', 'local (in-process, default) or bullmq (queues on Redis)', 'local')
    .option('--force', 'replace an output directory that holds files cmtmedqa did not write');
  addBullmqRunOptions(cmd).action(async (file: string, o: { out?: string; executor: string; force?: boolean } & BullmqRunFlags) => {
      const logger = createLogger();
      const pipeline = loadPipeline(file);
      const outDir = defaultOutDir(pipeline.config.name, o.out ?? pipeline.config.out);
      if (o.executor !== 'local' && o.executor !== 'bullmq') throw new CmtError('CMT_USAGE', `--executor must be local or bullmq, not ${o.executor}`);
      // Inputs and the output directory are checked before the graph and indexes are opened.
      await preflightRun(pipeline, outDir, o.force);
      const stop = stopOnSignal(logger);
      const resources = await openRunResources(pipeline, logger);
      const progress = progressReporter(logger);
      try {
        let res: RunResult;
        if (o.executor === 'bullmq') {
          const { runBullmq } = await import('../executors/bullmq/run.js');
          res = await runBullmq({ pipeline, outDir, logger, ...resources, ...bullmqOptionsFrom(o), force: o.force, onProgress: progress.onProgress, signal: stop.signal });
        } else {
          res = await runLocal({ pipeline, outDir, logger, ...resources, force: o.force, onProgress: progress.onProgress, signal: stop.signal });
        }
        progress.stop();
        printSummary(res);
        if (!res.report.dialogues.closes || !res.report.records.closes) process.exitCode = 1;
      } finally {
        progress.stop();
        stop.dispose();
        await resources.close();
      }
    });
}
