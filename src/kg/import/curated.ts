/**
 * The curated graph facts (data/kg/curated.tsv): synonyms and abbreviations the dumps lack
 * (发热=发烧, 房颤, 心衰, 彩超, CT, 新冠 …), and type corrections (维生素/胰岛素 are drugs, not
 * checks; 肺部 is a body part, not a symptom). Parsing only; build.ts applies the rows.
 * A malformed row is an error naming the file and line, never skipped.
 */
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { EntityType } from '../../../schemas/record.js';
import { CmtError } from '../../core/errors.js';
import type { Entity } from './clean.js';

export type CuratedRow =
  | { action: 'entity'; type: Entity; name: string; aliases: string[]; source: string }
  | { action: 'retype'; type: Entity; name: string; to: Entity; source: string }
  | { action: 'drop'; type: Entity; name: string; source: string }
  /** NAME's narrower terms: entities of their own (kept, never merged) whose surfaces also name NAME (窦性心动过速 → 心律失常). */
  | { action: 'narrower'; type: Entity; name: string; narrower: string[]; source: string };

/** data/kg/curated.tsv of this checkout (dist/src/kg/import → repository root). */
export const DEFAULT_CURATED = fileURLToPath(new URL('../../../../data/kg/curated.tsv', import.meta.url));

export function parseCurated(text: string, file = 'curated.tsv'): CuratedRow[] {
  const rows: CuratedRow[] = [];
  text.split(/\r?\n/).forEach((line, i) => {
    if (!line.trim() || line.startsWith('#')) return;
    const bad = (why: string) => new CmtError('CMT_KG_INVALID', `${file}:${i + 1}: ${why}; fix the row (columns: action, type, name, values, source)`, { file, line: i + 1 });
    const [action, type, name, values, source] = line.split('\t');
    if (!EntityType.safeParse(type).success) throw bad(`unknown type '${type}'`);
    if (!name?.trim()) throw bad('empty name');
    if (!source?.trim()) throw bad('no source');
    const t = type as Entity;
    if (action === 'entity') {
      rows.push({ action, type: t, name: name.trim(), aliases: (values ?? '').split('|').map((a) => a.trim()).filter((a) => a && a !== '-'), source: source.trim() });
    } else if (action === 'retype') {
      if (!EntityType.safeParse(values).success) throw bad(`unknown new type '${values}'`);
      rows.push({ action, type: t, name: name.trim(), to: values as Entity, source: source.trim() });
    } else if (action === 'narrower') {
      const narrower = (values ?? '').split('|').map((a) => a.trim()).filter((a) => a && a !== '-');
      if (!narrower.length) throw bad('no narrower terms');
      rows.push({ action, type: t, name: name.trim(), narrower, source: source.trim() });
    } else if (action === 'drop') {
      rows.push({ action, type: t, name: name.trim(), source: source.trim() });
    } else throw bad(`unknown action '${action}'`);
  });
  return rows;
}

export function readCurated(file: string = DEFAULT_CURATED): CuratedRow[] {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (e) {
    throw new CmtError('CMT_INPUT_NOT_FOUND', `cannot read the curated graph facts ${file}`, { file }, { cause: e });
  }
  return parseCurated(text, file);
}
