import { readdirSync } from 'node:fs';
import { describe, expect, it } from '@jest/globals';
import { RawDialogue, SourceFormat } from '../../schemas/dialogue.js';
import { Reject } from '../../schemas/reject.js';
import { importers } from '../../src/sources/index.js';
import type { FileFormat } from '../../src/sources/types.js';
import { fixture, importFile } from './helpers.js';

const formatOfMalformed: Record<string, FileFormat> = {
  'truncated-array.json': 'huatuo',
  'broken-element.json': 'cmtmedqa',
  'truncated.txt': 'meddialog',
  'invalid-utf8.dialog': 'hetmc',
  'bad-rows.csv': 'toyhom',
  'mie-gap.json': 'mie',
};

describe('importer registry', () => {
  it('has one importer for every file format (all source formats but scrape)', () => {
    expect(Object.keys(importers).sort()).toEqual(SourceFormat.options.filter((f) => f !== 'scrape').sort());
  });

  it('has a fixture directory for every format, and every malformed fixture is covered', () => {
    for (const format of Object.keys(importers)) expect(readdirSync(fixture(format)).length).toBeGreaterThan(0);
    expect(readdirSync(fixture('malformed')).sort()).toEqual(Object.keys(formatOfMalformed).sort());
  });

  it('emits only items that match the RawDialogue and Reject schemas, with stage import and the format in the origin', async () => {
    const inputs: Array<[FileFormat, string]> = [
      ...(Object.keys(importers) as FileFormat[]).flatMap((f) => readdirSync(fixture(f)).map((name): [FileFormat, string] => [f, fixture(f, name)])),
      ...Object.entries(formatOfMalformed).map(([name, f]): [FileFormat, string] => [f, fixture('malformed', name)]),
    ];
    for (const [format, file] of inputs) {
      const { items } = await importFile(importers[format], file);
      expect(items.length).toBeGreaterThan(0);
      for (const item of items) {
        if (item.kind === 'dialogue') {
          expect(RawDialogue.parse(item.dialogue)).toEqual(item.dialogue);
          expect(item.dialogue.origin).toMatchObject({ format, file });
        } else {
          expect(Reject.parse(item.reject)).toEqual(item.reject);
          expect(item.reject).toMatchObject({ stage: 'import', origin: { format, file } });
        }
      }
    }
  });
});
