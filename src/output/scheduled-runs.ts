/**
 * What to say when a command is given the `out:` folder of a scheduled pipeline instead of one of
 * its runs: firings write `<out>/runs/<stamp>/` and `<out>/runs/latest` (executors/bullmq/scheduler.ts),
 * so `<out>` itself holds no manifest or rejects. Reads only; never picks a run for the user.
 */
import { existsSync } from 'node:fs';
import path from 'node:path';

/** ` (… pass <out>/runs/latest …)` when `outDir` holds scheduled runs, else ''. */
export function scheduledRunsHint(outDir: string): string {
  const latest = path.join(outDir, 'runs', 'latest');
  if (!existsSync(path.join(latest, 'manifest.json'))) return '';
  return `; ${outDir} holds the runs of a scheduled pipeline: pass one of them, ${latest} for the newest (ls ${path.join(outDir, 'runs')} lists them all)`;
}
