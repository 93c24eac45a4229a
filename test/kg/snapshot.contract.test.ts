import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { openSnapshot, writeSnapshot } from '../../src/kg/snapshot.js';
import { describeGraphContract } from './contract.js';

describeGraphContract('embedded snapshot', async (imported) => {
  const file = path.join(mkdtempSync(path.join(tmpdir(), 'kg-contract-')), 'fixture.kg.json.gz');
  await writeSnapshot(file, imported);
  return openSnapshot(file);
});
