/** Graph snapshots for tests, built once per checkout with the same import users run (`kg import`). */
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { importGraph } from '../../src/kg/import/index.js';
import { openSnapshot, writeSnapshot } from '../../src/kg/snapshot.js';
import { sharedData } from './services.js';

/** Hash of what shapes a snapshot beyond its dumps: the curated facts and the import code; kept beside the snapshot. */
function inputsStamp(): string {
  const h = createHash('sha256').update(readFileSync('data/kg/curated.tsv'));
  const dir = path.resolve('dist/src/kg/import');
  for (const f of readdirSync(dir).sort()) if (f.endsWith('.js')) h.update(f).update(readFileSync(path.join(dir, f)));
  return h.digest('hex');
}

async function build(file: string, paths: string[], dicts: string[], triples: string[] = []): Promise<string> {
  // A snapshot built from another curated file or import code (a developer checkout) is rebuilt, not reused stale.
  const stamp = inputsStamp();
  const stampFile = `${file}.inputs`;
  if (existsSync(file) && existsSync(stampFile) && readFileSync(stampFile, 'utf8') === stamp) {
    // A snapshot left by an older format (a developer checkout) is rebuilt, not a failing test.
    try {
      await (await openSnapshot(file)).close();
      return file;
    } catch {
      /* rebuild below */
    }
  }
  mkdirSync(path.dirname(file), { recursive: true });
  const g = await importGraph({ paths, dicts, triples: triples.map((f) => ({ file: f })) });
  await writeSnapshot(file, g);
  writeFileSync(stampFile, stamp);
  return file;
}

/** The graph slice under fixtures/kg, where pipelines/demo.yaml expects it. */
export function demoSnapshot(): Promise<string> {
  return build(path.resolve('.cache/kg/demo-snapshot.json.gz'), ['fixtures/kg/xywy'], ['fixtures/kg/dict']);
}

/**
 * The merged graph of ../shared/data (xywy dump, both entity-list releases, VRBot triples), where
 * pipelines/shared-corpora.yaml expects it, built as its header says.
 */
export function sharedSnapshot(): Promise<string> {
  return build(
    path.resolve('.cache/kg/xywy-snapshot.json.gz'),
    [sharedData('kg', 'xywy_medicalkgqa')],
    [sharedData('kg', 'liuhuanyong_dict'), sharedData('kg', 'xywy_medicalkgqa', 'region_words')],
    [sharedData('kg', 'vrbot_meddialog', 'graph.csv')],
  );
}
