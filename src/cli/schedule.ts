/**
 * `cmtmedqa schedule <pipeline.yaml...>`: create or update a BullMQ job scheduler per pipeline from
 * its `schedule: {cron, tz}` (idempotent: one scheduler per pipeline name); `--remove` deletes
 * them, `--list` shows all. A `cmtmedqa worker --scheduler` runs the pipelines when they fire.
 */
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import type { Command } from 'commander';
import { parse as parseYaml } from 'yaml';
import { CmtError } from '../core/errors.js';
import { redisUrl } from '../executors/bullmq/connection.js';
import { DEFAULT_PREFIX } from '../executors/bullmq/keys.js';
import { listSchedules, loadForSchedule, removeSchedules, upsertSchedules, type ScheduleInfo } from '../executors/bullmq/scheduler.js';

/** One `schedule --list` line. A firing's message that starts with its outcome (`skipped: inputs unchanged …`, `ran into …`) stands alone. */
export function scheduleLine(s: ScheduleInfo): string {
  const when = s.pattern ? `cron ${JSON.stringify(s.pattern)}${s.tz ? ` ${s.tz}` : ''}` : `every ${s.every} ms`;
  const outcome = (l: NonNullable<ScheduleInfo['last']>) => (!l.detail ? l.outcome : l.detail.startsWith(l.outcome) ? l.detail : `${l.outcome}: ${l.detail}`);
  const last = s.last ? `  last ${new Date(s.last.at).toISOString()} ${outcome(s.last)}` : '  last: never fired';
  return `${s.id}  ${when}  next ${s.next ? new Date(s.next).toISOString() : '–'}${last}`;
}

/**
 * The pipeline names `--remove` means. A YAML is read for its `name` alone, so one broken since it
 * was scheduled can still be unscheduled; an argument that is no file is a pipeline name (or the
 * scheduler id `--list` shows), for a YAML deleted while its scheduler kept firing.
 */
function namesToRemove(args: string[]): string[] {
  const list = 'cmtmedqa schedule --list shows the scheduled pipelines';
  return args.map((a) => {
    if (existsSync(a)) {
      let name: unknown;
      try {
        name = (parseYaml(readFileSync(a, 'utf8')) as { name?: unknown } | null)?.name;
      } catch {
        // not YAML: said below
      }
      if (typeof name === 'string' && name) return name;
      throw new CmtError('CMT_CONFIG_INVALID', `${a} has no readable \`name:\`; pass the pipeline's name instead (${list})`, { file: a });
    }
    if (/^[A-Za-z0-9._-]+$/.test(a) && !/\.ya?ml$/i.test(a)) return a.startsWith('pipeline.') ? a.slice('pipeline.'.length) : a;
    throw new CmtError('CMT_INPUT_NOT_FOUND', `cannot read pipeline file ${a}; to remove the schedule of a pipeline whose YAML is gone, pass its name (${list})`, { file: a });
  });
}

export function registerScheduleCommand(program: Command): void {
  program
    .command('schedule [pipelines...]')
    .description('schedule pipelines (their `schedule: {cron, tz}`) as BullMQ job schedulers; --remove, --list')
    .option('--remove', 'remove the schedulers of these pipelines (a YAML, or a pipeline name as --list shows it)')
    .option('--list', 'list the schedulers')
    .option('--redis <url>', 'Redis URL, redis://HOST:PORT[/DB] (default: REDIS_URL, else the one scripts/redis.sh started, else redis://127.0.0.1:6390)')
    .option('--prefix <prefix>', 'key prefix of the queues', DEFAULT_PREFIX)
    .action(async (files: string[], o: { remove?: boolean; list?: boolean; redis?: string; prefix: string }) => {
      const conn = { redisUrl: redisUrl(o.redis), prefix: o.prefix };
      if (o.list) {
        const all = await listSchedules(conn);
        if (all.length === 0) console.log('no schedules');
        for (const s of all) console.log(scheduleLine(s));
        if (!files.length) return;
      }
      if (!files.length) throw new CmtError('CMT_USAGE', 'name at least one pipeline YAML (or use --list)');
      if (o.remove) {
        const names = namesToRemove(files);
        const removed = await removeSchedules(names, conn);
        for (const n of names) console.log(`${removed.includes(`pipeline.${n}`) ? 'removed' : 'not scheduled'}: ${n}`);
        return;
      }
      const pipelines = loadForSchedule(files);
      for (const s of await upsertSchedules(pipelines, conn)) {
        const p = pipelines.find((x) => x.config.name === s.pipeline)!;
        console.log(`scheduled ${scheduleLine(s)}  → ${path.join(p.config.out ?? path.join('out', p.config.name), 'runs', '<YYYY-MM-DDTHH-mm-ssZ>')} (runs/latest → the newest; keeps ${p.config.schedule!.keep}; unchanged inputs are skipped)`);
      }
      console.log(`runs happen only while a \`npx cmtmedqa worker --scheduler\` (plus stage workers) runs on the same Redis (${conn.redisUrl})`);
    });
}
