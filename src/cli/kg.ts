/**
 * `kg import` and `kg stats`: build the knowledge graph from the dumps into a snapshot file or
 * a Neo4j server, and print what a graph holds. Human-readable output on stdout; exit codes:
 * 0 ok, 1 failure, 2 bad usage. Wired into the main program by registerKgCommands(program).
 */
import { Command, CommanderError, Option } from 'commander';
import type { KgImportReport } from '../../schemas/kg.js';
import { isCmtError } from '../core/errors.js';
import { createLogger } from '../core/logger.js';
import { closeSync, existsSync, openSync, readSync, realpathSync, statSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { importGraph, type ImportedGraph } from '../kg/import/index.js';
import { parseRelationMap, type RelationMap } from '../kg/import/sources.js';
import { Neo4jGraph } from '../kg/neo4j.js';
import type { KgStats } from '../kg/port.js';
import { openSnapshot, writeSnapshot } from '../kg/snapshot.js';
import { enclosingOutput } from '../output/out-dir.js';

interface BackendOpts {
  neo4j?: string;
  database: string;
  snapshot?: string;
}

class UsageError extends Error {}

function backendOf(opts: BackendOpts): { kind: 'neo4j'; uri: string } | { kind: 'snapshot'; file: string } {
  if (opts.neo4j && opts.snapshot) throw new UsageError('give either --neo4j URI or --snapshot FILE, not both');
  if (opts.neo4j) return { kind: 'neo4j', uri: opts.neo4j };
  if (opts.snapshot) return { kind: 'snapshot', file: opts.snapshot };
  throw new UsageError('say where the graph lives: --neo4j bolt://HOST:PORT or --snapshot FILE');
}

function fmt(n: number): string {
  return n.toLocaleString('en-US');
}

function printCounts(out: (s: string) => void, s: { nodes: Record<string, number>; relations: Record<string, number>; aliases: number; bySource?: Record<string, { nodes: number; relations: number }> }): void {
  const nodes = Object.entries(s.nodes);
  const rels = Object.entries(s.relations);
  const total = (xs: Array<[string, number]>) => xs.reduce((a, [, n]) => a + n, 0);
  out(`nodes: ${fmt(total(nodes))}`);
  for (const [k, n] of nodes) out(`  ${k.padEnd(18)} ${fmt(n).padStart(9)}`);
  out(`relations: ${fmt(total(rels))}`);
  for (const [k, n] of rels) out(`  ${k.padEnd(18)} ${fmt(n).padStart(9)}`);
  out(`aliases: ${fmt(s.aliases)}`);
  if (s.bySource && Object.keys(s.bySource).length) {
    out('by source:');
    for (const [k, c] of Object.entries(s.bySource)) out(`  ${k.padEnd(18)} ${fmt(c.nodes).padStart(9)} nodes ${fmt(c.relations).padStart(9)} relations`);
  }
}

function printReport(out: (s: string) => void, r: KgImportReport): void {
  out(`cleaning (${fmt(r.diseaseRecords)} disease records):`);
  for (const [rule, c] of Object.entries(r.dropped)) {
    out(`  dropped  ${rule.padEnd(18)} ${fmt(c!.values).padStart(6)} values (${fmt(c!.distinct)} distinct), e.g. ${c!.examples.slice(0, 3).join(' | ')}`);
  }
  for (const [rule, c] of Object.entries(r.repaired)) {
    out(`  repaired ${rule.padEnd(18)} ${fmt(c!.values).padStart(6)} values (${fmt(c!.distinct)} distinct)`);
  }
  const kv = (m: Record<string, number>) => Object.entries(m).map(([k, n]) => `${k} ${fmt(n)}`).join(', ') || 'none';
  out(`  aliases kept: ${kv(r.aliases)}; not kept: ${kv(r.aliasesDropped)}`);
  if (Object.keys(r.dictUnused).length) out(`  dictionary lines unused: ${kv(r.dictUnused)}`);
  if (Object.keys(r.curated).length) out(`  curated: ${kv(r.curated)}`);
  out(`  drug products folded into ingredients: ${fmt(r.ingredients.products)} products → ${fmt(r.ingredients.ingredients)} drug entities`);
  if (Object.keys(r.triples).length) out(`  triples: ${kv(r.triples)}`);
}

type ImportOpts = BackendOpts & { format: string; dict?: string[]; triples?: string[]; relationMap?: string; curated: string | boolean; force?: boolean };

/** A path resolved through symlinks as far as it exists (a file not yet written resolves through its folder). */
function realish(p: string): string {
  const abs = path.resolve(p);
  try {
    return realpathSync(abs);
  } catch {
    try {
      return path.join(realpathSync(path.dirname(abs)), path.basename(abs));
    } catch {
      return abs;
    }
  }
}

/**
 * The snapshot must not replace what the import reads: refused when it is one of the inputs (dump,
 * entity list, triples, relation map, curated file) or lies inside an input folder, and when the
 * file already there is not a gzip file (a snapshot is gzipped JSON) unless --force.
 */
function checkSnapshotTarget(file: string, inputs: string[], force: boolean): void {
  if (/[\\/]$/.test(file)) throw new UsageError(`--snapshot ${file} names a folder; give the snapshot's file name, e.g. ${path.join(file, 'graph.json.gz')}`);
  const target = realish(file);
  const output = enclosingOutput(file);
  if (output) {
    throw new UsageError(`--snapshot ${file} lies inside the cmtmedqa output ${output}, which its next run replaces whole; write the snapshot somewhere else (e.g. .cache/kg/graph.json.gz)`);
  }
  for (const input of inputs) {
    const src = realish(input);
    let dir = false;
    try {
      dir = statSync(src).isDirectory();
    } catch {
      continue;
    }
    if (target === src || (dir && target.startsWith(src + path.sep))) {
      throw new UsageError(`--snapshot ${file} would overwrite ${dir ? 'a file inside the input folder ' : 'the input '}${input}: write the snapshot somewhere else (e.g. .cache/kg/graph.json.gz)`);
    }
  }
  let folder = false;
  try {
    folder = statSync(target).isDirectory();
  } catch {
    // nothing there yet
  }
  if (folder) throw new UsageError(`--snapshot ${file} names a folder; give the snapshot's file name, e.g. ${path.join(file, 'graph.json.gz')}`);
  if (force || !existsSync(target)) return;
  let head = Buffer.alloc(0);
  try {
    const fd = openSync(target, 'r');
    try {
      head = Buffer.alloc(2);
      readSync(fd, head, 0, 2, 0);
    } finally {
      closeSync(fd);
    }
  } catch {
    throw new UsageError(`--snapshot ${file} exists and is not a readable file: give another path`);
  }
  if (head[0] !== 0x1f || head[1] !== 0x8b) {
    throw new UsageError(`--snapshot ${file} exists and is not a graph snapshot (not gzip): give another path, or --force to replace it`);
  }
}

async function runImport(paths: string[], opts: ImportOpts, out: (s: string) => void): Promise<void> {
  const backend = backendOf(opts);
  if (backend.kind === 'snapshot') {
    const inputs = [...paths, ...(opts.dict ?? []), ...(opts.triples ?? []), ...(opts.relationMap ? [opts.relationMap] : []), ...(typeof opts.curated === 'string' ? [opts.curated] : [])];
    checkSnapshotTarget(backend.file, inputs, opts.force === true);
  }
  const logger = createLogger();
  const t0 = performance.now();
  let relations: RelationMap | undefined;
  if (opts.relationMap) {
    let json: unknown;
    try {
      json = JSON.parse(await readFile(opts.relationMap, 'utf8'));
    } catch (e) {
      throw new UsageError(`--relation-map ${opts.relationMap}: cannot read it as JSON (${(e as Error).message})`);
    }
    relations = parseRelationMap(json, opts.relationMap);
  }
  const imported: ImportedGraph = await importGraph({
    paths,
    format: opts.format as 'auto',
    dicts: opts.dict ?? [],
    triples: (opts.triples ?? []).map((file) => ({ file, relations })),
    curated: opts.curated === false ? false : opts.curated === true ? undefined : opts.curated,
  });
  const tRead = performance.now() - t0;
  out(`read ${imported.sources.length} files in ${(tRead / 1000).toFixed(1)} s`);
  printReport(out, imported.report);
  if (backend.kind === 'snapshot') {
    const t = performance.now();
    await writeSnapshot(backend.file, imported);
    out(`wrote snapshot ${backend.file} in ${((performance.now() - t) / 1000).toFixed(1)} s`);
  } else {
    const graph = await Neo4jGraph.connect({ uri: backend.uri, database: opts.database });
    try {
      const res = await graph.importGraph(imported, { logger, force: opts.force });
      out(res.written
        ? `loaded into Neo4j ${backend.uri} (database ${opts.database}) in ${(res.ms / 1000).toFixed(1)} s`
        : `Neo4j ${backend.uri} (database ${opts.database}) already holds this version: nothing written`);
    } finally {
      await graph.close();
    }
  }
  printCounts(out, imported.counts);
  out(`version: ${imported.version}`);
}

async function runStats(opts: BackendOpts, out: (s: string) => void): Promise<void> {
  const backend = backendOf(opts);
  const graph = backend.kind === 'snapshot' ? await openSnapshot(backend.file) : await Neo4jGraph.connect({ uri: backend.uri, database: opts.database });
  let stats: KgStats;
  try {
    stats = await graph.stats();
  } finally {
    await graph.close();
  }
  out(backend.kind === 'snapshot' ? `snapshot ${backend.file}` : `Neo4j ${backend.uri} (database ${opts.database})`);
  out(`version: ${stats.version}`);
  printCounts(out, stats);
}

/** Runs an action with the exit-code convention: usage → 2, any other failure → 1. */
async function guarded(fn: () => Promise<void>): Promise<void> {
  try {
    await fn();
  } catch (e) {
    // Printed as every other command prints its errors (src/cli/index.ts): `error CODE: message`.
    if (e instanceof UsageError || (isCmtError(e) && (e.code === 'CMT_USAGE' || e.code === 'CMT_CONFIG_INVALID'))) {
      process.stderr.write(`error ${isCmtError(e) ? e.code : 'CMT_USAGE'}: ${(e as Error).message}\n`);
      process.exitCode = 2;
      return;
    }
    // An error without a code comes from a library (the Neo4j driver's "Unknown scheme" for an http:// URL …).
    process.stderr.write(isCmtError(e) ? `error ${e.code}: ${e.message}\n` : `error CMT_RUN_FAILED: ${(e as Error).message}; check the command's arguments (cmtmedqa kg --help)\n`);
    process.exitCode = 1;
  }
}

export interface KgCliIo {
  /** One line of human-readable output (default: stdout). */
  out?: (line: string) => void;
  /** How commander's own errors end the process (default: process.exit); tests pass a thrower. */
  exit?: (code: number) => never;
}

export function registerKgCommands(program: Command, io: KgCliIo = {}): Command {
  const out = io.out ?? ((s: string) => void process.stdout.write(`${s}\n`));
  const exit = io.exit ?? ((code: number) => process.exit(code));
  // Commander's own usage errors (missing argument, unknown option, bad choice) exit 2; --help exits 0.
  const usageExit = (cmd: Command): Command =>
    cmd.exitOverride((err: CommanderError) => {
      const help = err.code === 'commander.helpDisplayed' || err.code === 'commander.help' || err.code === 'commander.version';
      exit(help ? 0 : 2);
    });
  const kg = usageExit(program.command('kg').description('the medical knowledge graph: import dumps, show what a graph holds'));
  const database = new Option('--database <name>', 'Neo4j database').default('neo4j');

  usageExit(
    kg
      .command('import')
      .description('import xywy (medical_N.json) or medical.json dumps, entity lists and triples into one graph: a snapshot file or Neo4j')
      .argument('<path...>', 'dump files or directories (a directory gives its medical*.json files)')
      .addOption(new Option('--format <format>', 'dump format').choices(['auto', 'xywy', 'medicaljson']).default('auto'))
      .option('--dict <dir...>', 'entity lists (liuhuanyong dict/, xywy region_words/) adding names, types and aliases')
      .option('--triples <csv...>', 'generic HEAD,RELATION,TAIL triples (e.g. VRBot graph.csv); source label = the file\'s folder name')
      .option('--relation-map <json>', 'map of the triples\' relation names: {"map": {"treated_by": "common_drug", …}, "inverse": ["to_treat", …]} (default: the VRBot vocabulary)')
      .option('--curated <tsv>', 'curated synonyms and type corrections (default data/kg/curated.tsv)')
      .option('--no-curated', 'import without the curated facts')
      .option('--neo4j <uri>', 'load into this Neo4j (bolt://HOST:PORT)')
      .addOption(database)
      .option('--snapshot <file>', 'write an embedded-backend snapshot (gzipped JSON)')
      .option('--force', 'rewrite Neo4j even when it already holds this version; replace a --snapshot file that is not a snapshot')
      .action((paths: string[], opts: ImportOpts) => guarded(() => runImport(paths, opts, out))),
  );

  usageExit(
    kg
      .command('stats')
      .description('count nodes by label and relations by type, with the graph version')
      .option('--neo4j <uri>', 'a Neo4j server (bolt://HOST:PORT)')
      .addOption(new Option('--database <name>', 'Neo4j database').default('neo4j'))
      .option('--snapshot <file>', 'a snapshot file')
      .action((opts: BackendOpts) => guarded(() => runStats(opts, out))),
  );
  return kg;
}
