/** Ctrl-C and SIGTERM for the commands that write an output directory (`run`, `revalidate`). */
import type { Logger } from '../core/logger.js';

/**
 * SIGINT/SIGTERM stop the run (or revalidation): it removes its partial output and lock, keeps the previous output,
 * and exits 130 (CMT_INTERRUPTED). A second signal exits at once (the next run tidies what is left).
 */
export function stopOnSignal(logger: Logger): { signal: AbortSignal; dispose: () => void } {
  const ac = new AbortController();
  const onSignal = (sig: NodeJS.Signals) => {
    if (ac.signal.aborted) process.exit(130);
    logger.warn({ signal: sig }, `${sig}: stopping the run and removing its partial output (the previous output is kept); ${sig} again to quit at once`);
    ac.abort(sig);
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
  return {
    signal: ac.signal,
    dispose: () => {
      process.off('SIGINT', onSignal);
      process.off('SIGTERM', onSignal);
    },
  };
}
