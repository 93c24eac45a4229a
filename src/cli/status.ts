/** `cmtmedqa status [run]`: a BullMQ run's per-stage job counts and whether finalise is done (no run: list runs). */
import type { Command } from 'commander';
import { CmtError } from '../core/errors.js';
import { redisUrl } from '../executors/bullmq/connection.js';
import { DEFAULT_PREFIX } from '../executors/bullmq/keys.js';
import { listRuns, removeRun, runStatus, type QueueCounts, type RunStatus } from '../executors/bullmq/status.js';

function row(name: string, c: QueueCounts): string {
  return `  ${name.padEnd(10)} ${String(c.waiting).padStart(8)} ${String(c.active).padStart(7)} ${String(c.completed).padStart(10)} ${String(c.failed).padStart(7)} ${String(c.delayed).padStart(8)}`;
}

export function renderStatus(s: RunStatus): string {
  const L: string[] = [];
  L.push(`run ${s.runId} (pipeline ${s.pipeline}): ${s.state === 'failed' ? 'FAILED' : s.state}`);
  const total = s.batches.total !== null ? ` of ${s.batches.total}` : s.state === 'failed' ? ' (the run FAILED before its import finished)' : ' (import still running)';
  L.push(`  batches with a result: ${s.batches.done}${total}`);
  L.push(`  ${'queue'.padEnd(10)} ${'waiting'.padStart(8)} ${'active'.padStart(7)} ${'completed'.padStart(10)} ${'failed'.padStart(7)} ${'delayed'.padStart(8)}`);
  for (const [k, c] of Object.entries(s.stages)) L.push(row(k, c));
  L.push(row('finalise', s.finalise));
  L.push(`  finalise: ${s.finaliseDone ? 'done' : s.state === 'failed' ? 'never (the run failed; run the same command again to resume it)' : s.state === 'finalising' ? 'running' : 'not yet'}`);
  if (Object.keys(s.stageSeconds).length) L.push(`  stage seconds (all workers): ${Object.entries(s.stageSeconds).map(([k, v]) => `${k} ${v}`).join(', ')}`);
  if (s.error) L.push(`  error: ${s.error}`);
  if (s.summary) L.push(`  result: ${JSON.stringify(s.summary)}`);
  if (s.finaliseDone) L.push('  (a finished run\'s queues are removed; the counts above are empty, the result line is what it produced)');
  return L.join('\n');
}

export function registerStatusCommand(program: Command): void {
  program
    .command('status [run]')
    .description('show a BullMQ run: per-stage waiting/active/completed/failed/delayed jobs and whether finalise is done (no run: list runs)')
    .option('--redis <url>', 'Redis URL, redis://HOST:PORT[/DB] (default: REDIS_URL, else the one scripts/redis.sh started, else redis://127.0.0.1:6390)')
    .option('--prefix <prefix>', 'key prefix of the queues', DEFAULT_PREFIX)
    .option('--json', 'print JSON')
    .option('--remove', 'forget an abandoned run: delete its queues, results and record')
    .action(async (run: string | undefined, o: { redis?: string; prefix: string; json?: boolean; remove?: boolean }) => {
      const url = redisUrl(o.redis);
      if (o.remove) {
        if (!run) throw new CmtError('CMT_USAGE', '--remove needs the run id');
        console.log((await removeRun(url, run, o.prefix)) ? `removed run ${run}` : `no run ${run}`);
        return;
      }
      if (!run) {
        const runs = await listRuns(url, o.prefix);
        if (o.json) console.log(JSON.stringify(runs, null, 2));
        else if (runs.length === 0) console.log('no runs');
        else for (const r of runs) console.log(`${r.runId}  ${r.state}  (${r.pipeline})`);
        return;
      }
      const s = await runStatus(url, run, o.prefix);
      console.log(o.json ? JSON.stringify(s, null, 2) : renderStatus(s));
    });
}
