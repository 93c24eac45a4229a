/** pino root logger; stages and jobs get children (`logger.child({ stage, jobId })`). */
import { pino, type Logger } from 'pino';

export type { Logger };

export function createLogger(opts: { level?: string; destination?: number } = {}): Logger {
  // At a terminal the progress bar and the closing report are what a person reads; JSON info lines
  // would bury them. Piped or in a service, logs are the record: info by default.
  const level = opts.level ?? process.env.LOG_LEVEL ?? (process.stderr.isTTY ? 'warn' : 'info');
  // Logs go to stderr so stdout stays free for command output (reports, JSON).
  return pino({ level, base: { app: 'cmtmedqa' } }, pino.destination({ fd: opts.destination ?? 2, sync: false }));
}

/** A logger that discards everything (tests, benchmarks). */
export const silentLogger: Logger = pino({ level: 'silent' });
