/**
 * What `cmtmedqa status` shows about a BullMQ run: per stage queue, BullMQ's job counts; batches
 * with a stored result out of the total; whether finalise ran. A finished run's queues are removed,
 * so its record (kept for a week) says what it produced. Read-only.
 */
import type { Queue } from 'bullmq';
import type { Redis } from 'ioredis';
import { CmtError } from '../../core/errors.js';
import { openClient, openQueue } from './connection.js';
import { DEFAULT_PREFIX, RunKeys, runsChannel, runsKey, type QueueStage } from './keys.js';
import type { RunState } from './payloads.js';
import { RunStore } from './store.js';

export interface QueueCounts {
  waiting: number;
  active: number;
  completed: number;
  failed: number;
  delayed: number;
}

export interface RunStatus {
  runId: string;
  pipeline: string;
  state: RunState;
  stages: Record<string, QueueCounts>;
  finalise: QueueCounts;
  /** Batches with a stored result, and the run's batch total once the import finished. */
  batches: { done: number; total: number | null };
  /** Stage seconds summed over workers, and jobs run per stage. */
  stageSeconds: Record<string, number>;
  finaliseDone: boolean;
  error?: string;
  /** After finalise: counts and where the output went. */
  summary?: unknown;
}

const ZERO: QueueCounts = { waiting: 0, active: 0, completed: 0, failed: 0, delayed: 0 };

async function counts(q: Queue): Promise<QueueCounts> {
  const c = await q.getJobCounts('waiting', 'active', 'completed', 'failed', 'delayed', 'prioritized');
  return { waiting: (c.waiting ?? 0) + (c.prioritized ?? 0), active: c.active ?? 0, completed: c.completed ?? 0, failed: c.failed ?? 0, delayed: c.delayed ?? 0 };
}

export async function runStatusWith(client: Redis, redisUrl: string, prefix: string, runId: string): Promise<RunStatus> {
  const keys = new RunKeys(prefix, runId);
  const store = new RunStore(client, keys);
  const rec = await store.record();
  if (!rec) {
    const known = await listRunsWith(client, prefix);
    throw new CmtError('CMT_USAGE', `no run ${runId} in Redis (prefix ${prefix})${known.length ? `; known runs: ${known.join(', ')}` : ''}`, { runId });
  }
  const h = await client.hgetall(keys.record);
  const stages: Record<string, QueueCounts> = {};
  let finalise = ZERO;
  const names: QueueStage[] = ['import', ...rec.stages, 'finalise', 'shard'];
  for (const s of names) {
    const q = openQueue(keys.queue(s), { redisUrl, prefix, readOnly: true });
    try {
      const c = await counts(q);
      if (s === 'finalise') finalise = c;
      else stages[s] = c;
    } finally {
      await q.close();
    }
  }
  const stageSeconds: Record<string, number> = {};
  for (const [k, v] of Object.entries(h)) if (k.startsWith('t:')) stageSeconds[k.slice(2)] = Math.round(Number(v) * 1000) / 1000;
  return {
    runId,
    pipeline: rec.pipeline.config.name,
    state: rec.state,
    stages,
    finalise,
    batches: { done: rec.state === 'finalised' ? Number(h['p:batches'] ?? 0) : await store.resultCount(), total: rec.total ?? null },
    stageSeconds,
    finaliseDone: rec.state === 'finalised',
    ...(rec.error ? { error: rec.error } : {}),
    ...(h.summary ? { summary: JSON.parse(h.summary) as unknown } : {}),
  };
}

export async function runStatus(redisUrl: string, runId: string, prefix = DEFAULT_PREFIX): Promise<RunStatus> {
  const client = await openClient(redisUrl, 'cmtmedqa-status');
  try {
    return await runStatusWith(client, redisUrl, prefix, runId);
  } finally {
    await client.quit().catch(() => client.disconnect());
  }
}

/** Runs in progress (the runs set) and finished runs whose records are still kept. */
export async function listRunsWith(client: Redis, prefix: string): Promise<string[]> {
  const ids = new Set(await client.smembers(runsKey(prefix)));
  const head = `${prefix}:run:`;
  let cursor = '0';
  do {
    const [next, found] = await client.scan(cursor, 'MATCH', `${head}*`, 'COUNT', 500);
    cursor = next;
    for (const k of found) {
      const rest = k.slice(head.length);
      if (!rest.includes(':')) ids.add(rest);
    }
  } while (cursor !== '0');
  return [...ids].sort();
}

export async function listRuns(redisUrl: string, prefix = DEFAULT_PREFIX): Promise<Array<{ runId: string; state: string; pipeline: string }>> {
  const client = await openClient(redisUrl, 'cmtmedqa-status');
  try {
    const out: Array<{ runId: string; state: string; pipeline: string }> = [];
    for (const runId of await listRunsWith(client, prefix)) {
      const rec = await new RunStore(client, new RunKeys(prefix, runId)).record().catch(() => undefined);
      out.push({ runId, state: rec?.state ?? 'unknown', pipeline: rec?.pipeline.config.name ?? '?' });
    }
    return out;
  } finally {
    await client.quit().catch(() => client.disconnect());
  }
}

/**
 * Forgets a run: removes its queues, results and record (an abandoned run whose coordinator will
 * never come back stays in the runs set and keeps workers attached until then). Refuses while a
 * coordinator holds the run.
 */
export async function removeRun(redisUrl: string, runId: string, prefix = DEFAULT_PREFIX): Promise<boolean> {
  const client = await openClient(redisUrl, 'cmtmedqa-status');
  try {
    const keys = new RunKeys(prefix, runId);
    const store = new RunStore(client, keys);
    const rec = await store.record().catch(() => undefined);
    const exists = (await client.exists(keys.record)) === 1;
    if (!exists) return false;
    if (await client.exists(keys.coordinatorLock)) {
      throw new CmtError('CMT_USAGE', `run ${runId} is being coordinated right now; stop its coordinator first (or wait for the run to finish)`, { runId });
    }
    for (const s of ['import', ...(rec?.stages ?? []), 'finalise', 'shard'] as QueueStage[]) {
      const q = openQueue(keys.queue(s), { redisUrl, prefix, readOnly: true });
      try {
        await q.obliterate({ force: true });
      } finally {
        await q.close();
      }
    }
    await store.dropData();
    await client.multi().del(keys.record).srem(runsKey(prefix), runId).publish(runsChannel(prefix), runId).exec();
    return true;
  } finally {
    await client.quit().catch(() => client.disconnect());
  }
}
