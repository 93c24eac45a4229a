/**
 * `importGraph`: dump files (+ entity lists) → the cleaned graph, its version, counts and
 * cleaning report. The same result feeds both backends (snapshot file, Neo4j), so they agree
 * on counts and version. Reads stream one record at a time; it writes nothing.
 */
import type { KgCounts, KgGraph, KgImportReport, KgSourceFile } from '../../../schemas/kg.js';
import { GraphBuilder } from './build.js';
import path from 'node:path';
import { DEFAULT_CURATED, readCurated } from './curated.js';
import { sha256File, VRBOT_RELATIONS, expandDumpPath, readDicts, readMedicalJson, readTriples, readXywy, sniffFormat, type DumpFormat, type RelationMap } from './sources.js';

export interface ImportOptions {
  /** Dump files or directories (a directory gives its medical*.json files). */
  paths: string[];
  /** Dump format; 'auto' sniffs each file. */
  format?: DumpFormat | 'auto';
  /** Entity-list directories or files (liuhuanyong dict/, xywy region_words/). */
  dicts?: string[];
  /** Generic HEAD,RELATION,TAIL CSV files (VRBot graph.csv); label = source name (default: the file's folder name). */
  triples?: Array<{ file: string; label?: string; relations?: RelationMap }>;
  /** Curated facts file (default data/kg/curated.tsv); false = none. */
  curated?: string | false;
}

export interface ImportedGraph {
  graph: KgGraph;
  version: string;
  counts: KgCounts;
  report: KgImportReport;
  sources: KgSourceFile[];
}

export async function importGraph(opts: ImportOptions): Promise<ImportedGraph> {
  const builder = new GraphBuilder();
  const sources: KgSourceFile[] = [];
  for (const p of opts.paths) {
    for (const file of await expandDumpPath(p)) {
      const format = !opts.format || opts.format === 'auto' ? await sniffFormat(file) : opts.format;
      const records = format === 'xywy' ? readXywy(file, sources) : readMedicalJson(file, sources);
      for await (const facts of records) builder.addDisease(facts, format);
    }
  }
  for (const d of opts.dicts ?? []) {
    for (const dict of await readDicts(d, sources)) builder.addDict(dict);
  }
  for (const t of opts.triples ?? []) {
    const label = t.label ?? path.basename(path.dirname(path.resolve(t.file)));
    for await (const triple of readTriples(t.file, sources)) builder.addTriple(triple, t.relations ?? VRBOT_RELATIONS, label);
  }
  if (opts.curated !== false) {
    const file = opts.curated ?? DEFAULT_CURATED;
    builder.addCurated(readCurated(file));
    sources.push({ path: path.relative(process.cwd(), file) || file, kind: 'curated', sha256: await sha256File(file), encoding: 'utf-8' });
  }
  return { ...builder.finish(), sources };
}
