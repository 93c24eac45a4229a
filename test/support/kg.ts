/** Graph snapshots for tests, built once per checkout with the same import users run (`kg import`). */
import { existsSync, mkdirSync } from 'node:fs';
import path from 'node:path';
import { importGraph } from '../../src/kg/import/index.js';
import { writeSnapshot } from '../../src/kg/snapshot.js';
import { sharedData } from './services.js';

async function build(file: string, paths: string[], dicts: string[]): Promise<string> {
  if (existsSync(file)) return file;
  mkdirSync(path.dirname(file), { recursive: true });
  const g = await importGraph({ paths, dicts });
  await writeSnapshot(file, g);
  return file;
}

/** The graph slice under fixtures/kg, where pipelines/demo.yaml expects it. */
export function demoSnapshot(): Promise<string> {
  return build(path.resolve('.cache/kg/demo-snapshot.json.gz'), ['fixtures/kg/xywy'], ['fixtures/kg/dict']);
}

/** The full xywy dump in ../shared/data with both entity-list releases. */
export function sharedSnapshot(): Promise<string> {
  return build(path.resolve('.cache/kg/xywy-snapshot.v2.json.gz'), [sharedData('kg', 'xywy_medicalkgqa')], [sharedData('kg', 'liuhuanyong_dict'), sharedData('kg', 'xywy_medicalkgqa', 'region_words')]);
}
