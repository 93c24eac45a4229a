/** `cmtmedqa revalidate <shard-or-out-dir>`: re-run validation on existing shards against the current graph. */
import path from 'node:path';
import type { Command } from 'commander';
import type { KgConfig } from '../../schemas/pipeline.js';
import { CmtError } from '../core/errors.js';
import { createLogger } from '../core/logger.js';
import { revalidate } from '../executors/revalidate.js';
import { openOutputDir } from '../output/read-shards.js';
import { openRunResources } from '../pipeline/resources.js';
import { stopOnSignal } from './interrupt.js';

export function registerRevalidateCommand(program: Command): void {
  program
    .command('revalidate <target>')
    .description('re-run validation on a run\'s shards (or one shard) against the current graph; writes a new output directory and a change report')
    .option('--snapshot <file>', 'graph snapshot file (embedded backend)')
    .option('--neo4j <uri>', 'Neo4j Bolt URI (credentials from NEO4J_USER / NEO4J_PASSWORD)')
    .option('--database <name>', 'Neo4j database', 'neo4j')
    .option('--out <dir>', 'new output directory (default: <out-dir>.revalidated-<graph version>)')
    .option('--checks <name=policy...>', 'override check policies, e.g. no_entity=reject unknown_drug=ignore (reject | flag | ignore)')
    .option('--force', 'replace an --out directory that holds files cmtmedqa did not write')
    .action(async (target: string, o: { snapshot?: string; neo4j?: string; database: string; out?: string; checks?: string[]; force?: boolean }) => {
      const logger = createLogger();
      const isShard = /\.(jsonl\.gz|parquet)$/.test(target);
      const srcDir = isShard ? path.resolve(target, '..', '..', '..') : path.resolve(target);
      const src = openOutputDir(srcDir);
      const checks: Record<string, 'reject' | 'flag' | 'ignore'> = {};
      for (const kv of o.checks ?? []) {
        const m = /^([a-z_]+)=(reject|flag|ignore)$/.exec(kv.trim());
        const known = Object.keys(src.config.validate.checks);
        if (!m || !known.includes(m[1])) throw new CmtError('CMT_USAGE', `--checks ${kv}: expected name=policy with name one of ${known.join(', ')} and policy reject, flag or ignore`);
        checks[m[1]] = m[2] as 'reject' | 'flag' | 'ignore';
      }
      let kg: KgConfig;
      if (o.snapshot && o.neo4j) throw new CmtError('CMT_USAGE', 'give either --snapshot or --neo4j, not both');
      if (o.snapshot) kg = { snapshot: path.resolve(o.snapshot) };
      else if (o.neo4j) kg = { neo4j: { uri: o.neo4j, database: o.database } };
      else if (src.config.kg && 'neo4j' in src.config.kg) kg = src.config.kg;
      else throw new CmtError('CMT_USAGE', 'say which graph to validate against: --snapshot FILE or --neo4j bolt://HOST:PORT');
      const config = { ...src.config, kg, dedup: { ...src.config.dedup, near: { ...src.config.dedup.near, enabled: false } } };
      const stop = stopOnSignal(logger);
      const res = await openRunResources({ config, baseDir: process.cwd(), file: path.join(srcDir, 'pipeline.json'), configHash: src.configHash }, logger);
      try {
        const version = await res.graph!.version();
        const outDir = o.out ?? `${srcDir.replace(/\/+$/, '')}.revalidated-${version.slice(0, 12)}`;
        const rep = await revalidate({ target, outDir, graph: res.graph!, logger, force: o.force, filters: res.filters, weight: res.weight, tokenizer: res.tokenizer, checks, signal: stop.signal });
        console.log(`revalidated ${rep.records.checked} record(s) of ${rep.source} (${rep.scope}) against graph ${version.slice(0, 12)} (was ${rep.graphVersion.before?.slice(0, 12) ?? 'none'})`);
        console.log(`  records: ${rep.records.before} before → ${rep.records.after} after`);
        console.log(`  newly rejected: ${rep.newlyRejected.total}${Object.entries(rep.newlyRejected.byReason).map(([k, v]) => `\n    ${String(v).padStart(8)}  ${k}`).join('')}`);
        console.log(`  newly accepted: ${rep.newlyAccepted.total}${Object.entries(rep.newlyAccepted.byPreviousReason).map(([k, v]) => `\n    ${String(v).padStart(8)}  (was ${k})`).join('')}`);
        console.log(`  lost to dedup after revalidation: ${rep.lostToDedup.total}${Object.entries(rep.lostToDedup.byReason).map(([k, v]) => `\n    ${String(v).padStart(8)}  ${k}`).join('')}`);
        console.log(`  balance: ${rep.balance.equation} → ${rep.balance.closes ? 'closes' : 'DOES NOT CLOSE'}`);
        console.log(`  checks: ${Object.entries(rep.checks).map(([k, v]) => `${k}=${v}`).join(' ')}`);
        console.log(`  output: ${outDir} (manifest.json, revalidate.json, report.md, report.html)`);
        if (!rep.balance.closes) process.exitCode = 1;
      } finally {
        stop.dispose();
        await res.close();
      }
    });
}
