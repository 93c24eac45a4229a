import { afterAll, afterEach, beforeAll, beforeEach } from '@jest/globals';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';

/**
 * Points the derived cache (src/core/derived-cache.ts) at a fresh temporary folder for the
 * enclosing describe — per test with `each`, else once for all — and puts CMTMEDQA_CACHE_DIR back
 * afterwards. Read `.dir` inside the tests.
 */
export function tempCacheDir(prefix: string, each = false): { readonly dir: string } {
  const state = { dir: '' };
  const saved = process.env.CMTMEDQA_CACHE_DIR;
  const open = () => {
    state.dir = mkdtempSync(path.join(tmpdir(), prefix));
    process.env.CMTMEDQA_CACHE_DIR = state.dir;
  };
  const close = () => {
    if (saved === undefined) delete process.env.CMTMEDQA_CACHE_DIR;
    else process.env.CMTMEDQA_CACHE_DIR = saved;
    rmSync(state.dir, { recursive: true, force: true });
  };
  if (each) {
    beforeEach(open);
    afterEach(close);
  } else {
    beforeAll(open);
    afterAll(close);
  }
  return state;
}
