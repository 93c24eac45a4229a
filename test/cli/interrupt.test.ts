import { describe, expect, it } from '@jest/globals';
import { spawn, spawnSync } from 'node:child_process';
import { readdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { snapshotFiles, tmpDir } from '../support/run.js';

const cli = path.join(process.cwd(), 'dist', 'src', 'cli', 'index.js');
const HUATUO = path.resolve('fixtures/dialogues/huatuo/sample.json');
const CHARS = '头痛发热咳嗽胃口腹泻失眠皮疹过敏血压血糖心慌胸闷乏力关节肿痛复查检查医院药物饮食休息注意观察建议';

/** A Huatuo-format file of `n` generated Q/A pairs (varied characters, so none is a duplicate): a run that takes seconds. */
function bigHuatuo(file: string, n: number): void {
  let seed = 7;
  const text = (len: number) => {
    let s = '';
    for (let i = 0; i < len; i++) {
      seed = (seed * 1103515245 + 12345) >>> 0;
      s += CHARS[(seed >>> 16) % CHARS.length];
    }
    return s;
  };
  const rows = Array.from({ length: n }, (_, i) => ({ id: `g${i}`, instruction: [`${text(40)}？`], input: '', output: [`${text(160)}。`] }));
  writeFileSync(file, JSON.stringify(rows));
}

function pipeline(dir: string, source: string): string {
  const file = path.join(dir, `p-${path.basename(source)}.yaml`);
  writeFileSync(file, `name: interrupt\nsources:\n  - { format: huatuo, path: ${JSON.stringify(source)} }\n`);
  return file;
}

describe('an interrupted run', () => {
  it('stops on SIGINT with CMT_INTERRUPTED (exit 130), removes its partial output and lock, and keeps the previous output byte for byte', async () => {
    const dir = tmpDir();
    const out = path.join(dir, 'out');
    const first = spawnSync(process.execPath, [cli, 'run', pipeline(dir, HUATUO), '--out', out], { encoding: 'utf8', env: { ...process.env, LOG_LEVEL: 'warn' } });
    expect(first.status).toBe(0);
    const before = snapshotFiles(out);
    const big = path.join(dir, 'big.json');
    bigHuatuo(big, 20_000);

    const child = spawn(process.execPath, [cli, 'run', pipeline(dir, big), '--out', out], { env: { ...process.env, LOG_LEVEL: 'warn' } });
    let stderr = '';
    child.stderr.on('data', (c: Buffer) => (stderr += c.toString()));
    const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
    // Wait until the run is writing (its partial directory exists), then interrupt it.
    const partial = () => readdirSync(dir).some((e) => e.startsWith('.out.partial-'));
    for (let i = 0; i < 600 && !partial(); i++) await new Promise((r) => setTimeout(r, 50));
    expect(partial()).toBe(true);
    await new Promise((r) => setTimeout(r, 300));
    child.kill('SIGINT');
    const code = await exited;

    expect(stderr).toContain('error CMT_INTERRUPTED');
    expect(stderr).toContain(`the previous output in ${out} is unchanged`);
    expect(stderr).not.toMatch(/\n\s+at /);
    expect(code).toBe(130);
    expect(readdirSync(dir).filter((e) => e.startsWith('.out.'))).toEqual([]);
    expect(snapshotFiles(out)).toEqual(before);
  });
});
