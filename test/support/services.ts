/**
 * Real Redis and Neo4j for integration tests, started through the project's own scripts
 * (never mocked, never skipped). Each script is idempotent: `start` reuses a running server
 * and prints `KEY=value` lines; the last one is the connection string.
 * A missing service is a clear failure naming the command that fixes it.
 */
import { execFileSync } from 'node:child_process';
import { appendFileSync, mkdirSync } from 'node:fs';
import path from 'node:path';

const root = process.cwd();

function startWith(script: string, key: string, timeoutMs: number): string {
  const preset = process.env[key];
  if (preset) return preset;
  let out: string;
  try {
    out = execFileSync('bash', [path.join(root, 'scripts', script), 'start'], {
      cwd: root,
      encoding: 'utf8',
      timeout: timeoutMs,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
  } catch (e) {
    const err = e as { stderr?: string; stdout?: string; message: string };
    throw new Error(
      `could not start ${key} with scripts/${script} start: ${err.message}\n${err.stderr ?? ''}${err.stdout ?? ''}\n` +
        `Fix: run \`bash scripts/${script} start\` by hand (see README, "Services") or set ${key}.`,
    );
  }
  const line = out.split('\n').reverse().find((l) => l.startsWith(`${key}=`));
  if (!line) throw new Error(`scripts/${script} start printed no ${key}= line:\n${out}`);
  const value = line.slice(key.length + 1).trim();
  process.env[key] = value;
  // Only a server this test run spawned is stopped by the global teardown; one that was already
  // running (a developer's, or another run's) is left alone.
  if (/^[A-Z0-9]+_STARTED=true$/m.test(out)) {
    mkdirSync(path.join(root, '.cache', 'services'), { recursive: true });
    appendFileSync(startedFile(), `${script}\n`);
  }
  return value;
}

/** Scripts whose server this jest process started (jest runs in band: one pid for all suites). */
export function startedFile(pid = process.pid): string {
  return path.join(root, '.cache', 'services', `started-by-${pid}`);
}

/** Starts (or reuses) the project's Redis; returns its URL (redis://127.0.0.1:PORT). */
export function ensureRedis(): string {
  return startWith('redis.sh', 'REDIS_URL', 60_000);
}

/** Starts (or reuses) the project's Neo4j; returns its Bolt URI (bolt://127.0.0.1:PORT). */
export function ensureNeo4j(): string {
  return startWith('neo4j.sh', 'NEO4J_URI', 600_000);
}

/** Path into ../shared/data, which sits beside the checkout (in CI too). */
export function sharedData(...parts: string[]): string {
  return path.resolve(root, '..', 'shared', 'data', ...parts);
}
