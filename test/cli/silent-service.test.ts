import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { spawn } from 'node:child_process';
import net from 'node:net';
import path from 'node:path';

const cli = path.join(process.cwd(), 'dist', 'src', 'cli', 'index.js');

/** Runs the CLI; resolves with its exit status, or null when it had to be killed after `limitMs`. */
function cmtmedqa(args: string[], limitMs: number): Promise<{ status: number | null; stderr: string; ms: number }> {
  return new Promise((resolve) => {
    const t0 = Date.now();
    const child = spawn(process.execPath, [cli, ...args], { env: { ...process.env, LOG_LEVEL: 'warn' } });
    let stderr = '';
    child.stderr.on('data', (b: Buffer) => (stderr += b.toString('utf8')));
    const kill = setTimeout(() => child.kill('SIGKILL'), limitMs);
    child.on('close', (code) => {
      clearTimeout(kill);
      resolve({ status: code, stderr, ms: Date.now() - t0 });
    });
  });
}

describe('a service address that accepts connections but never answers', () => {
  // What a wrong port looks like (an HTTP port, a firewall that swallows the handshake).
  let server: net.Server;
  const sockets = new Set<net.Socket>();
  let port = 0;
  beforeAll(async () => {
    server = net.createServer((s) => {
      sockets.add(s);
      s.on('error', () => {});
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    port = (server.address() as net.AddressInfo).port;
  });
  afterAll(async () => {
    for (const s of sockets) s.destroy();
    await new Promise((r) => server.close(r));
  });

  it('kg stats --neo4j fails fast with CMT_NEO4J_UNREACHABLE and the command that fixes it, and exits', async () => {
    const r = await cmtmedqa(['kg', 'stats', '--neo4j', `bolt://127.0.0.1:${port}`], 45_000);
    expect(r.status).toBe(1);
    expect(r.stderr).toContain('CMT_NEO4J_UNREACHABLE');
    expect(r.stderr).toContain('scripts/neo4j.sh start');
    expect(r.ms).toBeLessThan(30_000);
  }, 60_000);
});
