/**
 * Readers for the graph dumps, streaming one disease record at a time:
 *  - xywy (Tonystark-001/MedicalKGQA data/medical_N.json): one JSON object per file,
 *    {"0": {gaishu_info{name, has_complication[], belongs_to_department[], common_drug[]},
 *    symptom_data{symptoms[]}, inspect_info[], food_info{good_food[], avoid_food[]}}, "1": …};
 *  - medicaljson (liuhuanyong medical.json layout): JSON lines, mongoexport style,
 *    {name, symptom[], acompany[], cure_department[], check[], common_drug[], recommand_drug[],
 *    drug_detail[], do_eat[], not_eat[]}, UTF-8 or GBK (sniffed);
 *  - entity lists (liuhuanyong dict/*.txt, xywy region_words/*.txt): one term per line.
 * Readers only parse and map fields to relations; cleaning happens in build.ts.
 * Recipes (recommand_recipes / recommand_eat) are dishes, not foods, and are not read.
 */
import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { readFile, readdir, stat, open } from 'node:fs/promises';
import path from 'node:path';
import { createInterface } from 'node:readline';
import iconv from 'iconv-lite';
import type { KgRelation, KgSourceFile } from '../../../schemas/kg.js';
import { CmtError } from '../../core/errors.js';
import { sha256File } from '../../core/file-digest.js';
import type { Entity } from './clean.js';

export interface DiseaseFacts {
  name: string;
  lists: Partial<Record<KgRelation, string[]>>;
  /** medical.json drug_detail entries 'PRODUCT(DRUG)': product names become aliases of DRUG. */
  drugDetail?: string[];
  /** file:record for error messages. */
  where: string;
}

export type DumpFormat = 'xywy' | 'medicaljson';

function strings(v: unknown): string[] {
  return Array.isArray(v) ? v.filter((x): x is string => typeof x === 'string') : [];
}

function obj(v: unknown): Record<string, unknown> {
  return v && typeof v === 'object' && !Array.isArray(v) ? (v as Record<string, unknown>) : {};
}

export { sha256File };

/** UTF-8 (with or without BOM) when the first 64 KiB decode strictly, else GB18030 (a GBK superset). */
export async function sniffEncoding(file: string): Promise<'utf-8' | 'gb18030'> {
  const fh = await open(file, 'r');
  try {
    const buf = Buffer.alloc(65536);
    const { bytesRead } = await fh.read(buf, 0, buf.length, 0);
    let head = buf.subarray(0, bytesRead);
    // Do not fail on a multi-byte character cut by the 64 KiB window.
    if (bytesRead === buf.length) {
      let cut = head.length;
      for (let k = 1; k <= 3 && cut - k >= 0; k++) {
        const b = head[cut - k];
        if ((b & 0xc0) === 0xc0) { cut -= k; break; }
        if ((b & 0x80) === 0) break;
      }
      head = head.subarray(0, cut);
    }
    try {
      new TextDecoder('utf-8', { fatal: true }).decode(head);
      return 'utf-8';
    } catch {
      return 'gb18030';
    }
  } finally {
    await fh.close();
  }
}

/** xywy or medicaljson, from the first bytes of a file. */
export async function sniffFormat(file: string): Promise<DumpFormat> {
  const fh = await open(file, 'r');
  try {
    const buf = Buffer.alloc(4096);
    const { bytesRead } = await fh.read(buf, 0, buf.length, 0);
    const head = buf.subarray(0, bytesRead).toString('latin1');
    if (/^\s*\{\s*"0"\s*:/.test(head)) return 'xywy';
    if (/^\s*\{\s*"(_id|name)"\s*:/.test(head)) return 'medicaljson';
  } finally {
    await fh.close();
  }
  throw new CmtError('CMT_KG_INVALID', `cannot tell the dump format of ${file}: pass --format xywy or --format medicaljson`, { file });
}

/** Files named by a path: a directory gives its dump files (medical_N.json numerically, or medical*.json*). */
export async function expandDumpPath(p: string): Promise<string[]> {
  const st = await stat(p).catch(() => null);
  if (!st) throw new CmtError('CMT_INPUT_NOT_FOUND', `no such file or directory: ${p}`, { path: p });
  if (!st.isDirectory()) return [p];
  const names = (await readdir(p)).filter((n) => /^medical.*\.json(\.bak)?$/.test(n));
  const num = (n: string) => Number(/_(\d+)\.json$/.exec(n)?.[1] ?? -1);
  names.sort((a, b) => num(a) - num(b) || (a < b ? -1 : a > b ? 1 : 0));
  if (names.length === 0) throw new CmtError('CMT_INPUT_NOT_FOUND', `no medical*.json files in ${p}`, { path: p });
  return names.map((n) => path.join(p, n));
}

export async function* readXywy(file: string, info: KgSourceFile[]): AsyncGenerator<DiseaseFacts> {
  const buf = await readFile(file);
  info.push({ path: file, kind: 'xywy', sha256: createHash('sha256').update(buf).digest('hex'), encoding: 'utf-8' });
  let doc: unknown;
  try {
    doc = JSON.parse(buf.toString('utf8'));
  } catch (e) {
    throw new CmtError('CMT_KG_INVALID', `${file} is not valid JSON: ${(e as Error).message}`, { file }, { cause: e });
  }
  const records = obj(doc);
  const keys = Object.keys(records).sort((a, b) => Number(a) - Number(b) || (a < b ? -1 : 1));
  for (const key of keys) {
    const r = obj(records[key]);
    const g = obj(r.gaishu_info);
    const food = obj(r.food_info);
    const name = typeof g.name === 'string' ? g.name : '';
    yield {
      name,
      where: `${file}#${key}`,
      lists: {
        has_symptom: strings(obj(r.symptom_data).symptoms),
        need_check: strings(r.inspect_info),
        common_drug: strings(g.common_drug),
        recommand_drug: strings(g.recommand_drug),
        belongs_to: strings(g.belongs_to_department),
        has_complication: strings(g.has_complication),
        good_food: strings(food.good_food),
        avoid_food: strings(food.avoid_food),
      },
    };
  }
}

export async function* readMedicalJson(file: string, info: KgSourceFile[]): AsyncGenerator<DiseaseFacts> {
  const encoding = await sniffEncoding(file);
  info.push({ path: file, kind: 'medicaljson', sha256: await sha256File(file), encoding });
  const bytes = createReadStream(file);
  const text = encoding === 'utf-8' ? bytes.setEncoding('utf8') : bytes.pipe(iconv.decodeStream('gb18030'));
  const lines = createInterface({ input: text, crlfDelay: Infinity });
  let n = 0;
  for await (const raw of lines) {
    n++;
    const line = n === 1 ? raw.replace(/^\ufeff/, '') : raw;
    if (!line.trim()) continue;
    let r: Record<string, unknown>;
    try {
      r = obj(JSON.parse(line));
    } catch (e) {
      throw new CmtError('CMT_KG_INVALID', `${file}:${n} is not a JSON object line: ${(e as Error).message}`, { file, line: n }, { cause: e });
    }
    yield {
      name: typeof r.name === 'string' ? r.name : '',
      where: `${file}:${n}`,
      drugDetail: strings(r.drug_detail),
      lists: {
        has_symptom: strings(r.symptom),
        need_check: strings(r.check),
        common_drug: strings(r.common_drug),
        recommand_drug: strings(r.recommand_drug),
        belongs_to: strings(r.cure_department),
        has_complication: strings(r.acompany),
        good_food: strings(r.do_eat),
        avoid_food: strings(r.not_eat),
      },
    };
  }
}

/** What an entity-list file holds, by its base name (both releases' spellings). */
export function dictKind(fileName: string): Entity | 'producer' | null {
  const base = path.basename(fileName).replace(/\.txt$/, '');
  const map: Record<string, Entity | 'producer'> = {
    check: 'Check', checks: 'Check',
    department: 'Department', departments: 'Department',
    disease: 'Disease', diseases: 'Disease',
    drug: 'Drug', drugs: 'Drug',
    food: 'Food', foods: 'Food',
    symptom: 'Symptom', symptoms: 'Symptom',
    producer: 'producer', producers: 'producer',
  };
  return map[base] ?? null;
}

export interface DictFile {
  file: string;
  kind: Entity | 'producer';
  terms: string[];
}

/** Entity lists of a directory (or one file); deny.txt (negation words) and unknown names are skipped. */
export async function readDicts(p: string, info: KgSourceFile[]): Promise<DictFile[]> {
  const st = await stat(p).catch(() => null);
  if (!st) throw new CmtError('CMT_INPUT_NOT_FOUND', `no such dictionary file or directory: ${p}`, { path: p });
  const files = st.isDirectory() ? (await readdir(p)).filter((n) => n.endsWith('.txt')).sort().map((n) => path.join(p, n)) : [p];
  const out: DictFile[] = [];
  for (const file of files) {
    const kind = dictKind(file);
    if (!kind) continue;
    const buf = await readFile(file);
    const encoding = await sniffEncoding(file);
    info.push({ path: file, kind: 'dict', sha256: createHash('sha256').update(buf).digest('hex'), encoding });
    const text = encoding === 'utf-8' ? buf.toString('utf8').replace(/^\ufeff/, '') : iconv.decode(buf, 'gb18030');
    out.push({ file, kind, terms: text.split(/\r?\n/).filter((l) => l.trim() !== '') });
  }
  return out;
}

/**
 * How a generic triples file's relation names map onto the project's relations: `rel` is the
 * project relation with the head as its Disease and the tail as its target; `inverse` names a
 * relation that is only the reverse of a mapped one (VRBot stores every edge both ways), read
 * and counted but not added twice; anything else is an unmapped relation (counted).
 */
export interface RelationMap {
  map: Record<string, KgRelation>;
  inverse: string[];
}

/** The VRBot MedDialog graph's vocabulary (lddsdu/VRBot data/meddialog_joint_graph/graph.csv). */
export const VRBOT_RELATIONS: RelationMap = {
  map: {
    treated_by: 'common_drug',
    contains_symptom: 'has_symptom',
    check_item: 'need_check',
    complication_to: 'has_complication',
  },
  inverse: ['to_treat', 'symptom_of', 'checked_for'],
};

export function parseRelationMap(json: unknown, file: string): RelationMap {
  const o = obj(json);
  const map: Record<string, KgRelation> = {};
  for (const [k, v] of Object.entries(obj(o.map))) {
    if (typeof v !== 'string' || !(['has_symptom', 'need_check', 'common_drug', 'recommand_drug', 'belongs_to', 'has_complication', 'good_food', 'avoid_food'] as string[]).includes(v)) {
      throw new CmtError('CMT_CONFIG_INVALID', `${file}: map.${k} must name one of the project's relations (has_symptom, need_check, common_drug, …), not ${JSON.stringify(v)}`, { file });
    }
    map[k] = v as KgRelation;
  }
  return { map, inverse: strings(o.inverse) };
}

export interface Triple {
  head: string;
  relation: string;
  tail: string;
  line: number;
}

/** A HEAD,RELATION,TAIL CSV (header required; fields may be double-quoted). */
export async function* readTriples(file: string, info: KgSourceFile[]): AsyncGenerator<Triple | { bad: number }> {
  info.push({ path: file, kind: 'triples', sha256: await sha256File(file), encoding: 'utf-8' });
  const lines = createInterface({ input: createReadStream(file).setEncoding('utf8'), crlfDelay: Infinity });
  let n = 0;
  for await (const raw of lines) {
    n++;
    const line = n === 1 ? raw.replace(/^\ufeff/, '') : raw;
    if (n === 1) {
      if (!/^\s*"?head"?\s*,\s*"?relation"?\s*,\s*"?tail"?\s*$/i.test(line)) {
        throw new CmtError('CMT_KG_INVALID', `${file}: the first line must be the header HEAD,RELATION,TAIL (got ${JSON.stringify(line.slice(0, 60))})`, { file });
      }
      continue;
    }
    if (!line.trim()) continue;
    const fields = splitCsv(line);
    if (!fields || fields.length !== 3 || fields.some((f) => !f.trim())) {
      yield { bad: n };
      continue;
    }
    yield { head: fields[0], relation: fields[1].trim(), tail: fields[2], line: n };
  }
}

function splitCsv(line: string): string[] | null {
  const out: string[] = [];
  let i = 0;
  while (i <= line.length) {
    if (line[i] === '"') {
      let v = '';
      i++;
      for (;;) {
        if (i >= line.length) return null;
        if (line[i] === '"') {
          if (line[i + 1] === '"') {
            v += '"';
            i += 2;
            continue;
          }
          i++;
          break;
        }
        v += line[i++];
      }
      out.push(v);
      if (i < line.length && line[i] !== ',') return null;
      i++;
    } else {
      const c = line.indexOf(',', i);
      const end = c < 0 ? line.length : c;
      out.push(line.slice(i, end));
      i = end + 1;
    }
  }
  return out;
}
