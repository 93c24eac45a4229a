/**
 * `importGraph`: dump files (+ entity lists) → the cleaned graph, its version, counts and
 * cleaning report. The same result feeds both backends (snapshot file, Neo4j), so they agree
 * on counts and version. Reads stream one record at a time; it writes nothing.
 */
import type { KgCounts, KgGraph, KgImportReport, KgSourceFile } from '../../../schemas/kg.js';
import { GraphBuilder } from './build.js';
import { expandDumpPath, readDicts, readMedicalJson, readXywy, sniffFormat, type DumpFormat } from './sources.js';

export interface ImportOptions {
  /** Dump files or directories (a directory gives its medical*.json files). */
  paths: string[];
  /** Dump format; 'auto' sniffs each file. */
  format?: DumpFormat | 'auto';
  /** Entity-list directories or files (liuhuanyong dict/, xywy region_words/). */
  dicts?: string[];
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
      for await (const facts of records) builder.addDisease(facts);
    }
  }
  for (const d of opts.dicts ?? []) {
    for (const dict of await readDicts(d, sources)) builder.addDict(dict);
  }
  return { ...builder.finish(), sources };
}
