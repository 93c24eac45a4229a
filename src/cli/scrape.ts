/**
 * `cmtmedqa scrape reparse <raw-store> [--site S]`: re-run the site adapters over every page a raw
 * store holds (after a layout fix), without any request, and write a normal run output (shards,
 * manifest, report with pages per layout, rejects). With --pipeline, that pipeline's stage settings
 * are used and its scrape sources are replaced by the re-parse; otherwise defaults, no graph unless
 * --snapshot.
 */
import path from 'node:path';
import type { Command } from 'commander';
import { Pipeline } from '../../schemas/pipeline.js';
import { CmtError } from '../core/errors.js';
import { createLogger } from '../core/logger.js';
import { runLocal } from '../executors/local.js';
import { configHash, loadPipeline, type LoadedPipeline } from '../pipeline/config.js';
import { openRunResources } from '../pipeline/resources.js';
import { ADAPTERS } from '../scrape/adapters/index.js';
import { printSummary } from './run.js';
import { existsSync } from 'node:fs';

export function reparsePipeline(rawStore: string, o: { site: string; pipeline?: string; snapshot?: string; name?: string }): LoadedPipeline {
  if (o.site !== 'auto' && !ADAPTERS.some((a) => a.name === o.site)) {
    throw new CmtError('CMT_USAGE', `--site must be one of ${[...ADAPTERS.map((a) => a.name), 'auto'].join(', ')}, not ${o.site}`);
  }
  if (!existsSync(path.join(rawStore, 'meta'))) throw new CmtError('CMT_INPUT_NOT_FOUND', `${rawStore} is not a raw store (no meta/ folder): give the rawStore directory of a scrape source (default .cache/raw)`, { rawStore });
  const source = { format: 'scrape' as const, site: o.site, allowHosts: ['reparse.invalid'], rawStore: path.resolve(rawStore), reparse: true };
  const base = o.pipeline ? loadPipeline(o.pipeline) : undefined;
  const raw = base
    ? { ...base.config, name: o.name ?? `${base.config.name}-reparse`, sources: [source], schedule: undefined }
    : { name: o.name ?? `reparse-${o.site}`, sources: [source], ...(o.snapshot ? { kg: { snapshot: path.resolve(o.snapshot) } } : { validate: { enabled: false } }) };
  if (base && o.snapshot) (raw as { kg?: unknown }).kg = { snapshot: path.resolve(o.snapshot) };
  const parsed = Pipeline.safeParse(raw);
  if (!parsed.success) throw new CmtError('CMT_CONFIG_INVALID', `re-parse pipeline is invalid: ${parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ')}`);
  const config = parsed.data;
  return { config, baseDir: base?.baseDir ?? process.cwd(), file: base?.file ?? '<scrape reparse>', configHash: configHash(config) };
}

export function registerScrapeCommands(program: Command): void {
  const scrape = program.command('scrape').description('scraper tools');
  scrape
    .command('reparse <raw-store>')
    .description('re-run the site adapters over the pages a raw store holds (no requests) and write a normal run output')
    .option('--site <site>', `adapter to parse with: ${[...ADAPTERS.map((a) => a.name), 'auto'].join(', ')} (auto: by URL)`, 'auto')
    .option('--pipeline <file>', 'take stage settings (normalise, split, validate, shard …) from this pipeline')
    .option('--snapshot <file>', 'graph snapshot to validate against (default: no validation unless --pipeline has a kg)')
    .option('--out <dir>', 'output directory (default out/reparse-<site>)')
    .action(async (rawStore: string, o: { site: string; pipeline?: string; snapshot?: string; out?: string }) => {
      const logger = createLogger();
      const pipeline = reparsePipeline(rawStore, o);
      const outDir = o.out ?? path.join('out', pipeline.config.name);
      const resources = await openRunResources(pipeline, logger);
      try {
        const res = await runLocal({ pipeline, outDir, logger, ...resources });
        printSummary(res);
        const layouts = res.report.scrape?.pagesByLayout ?? {};
        console.log(`  layouts:   ${Object.entries(layouts).map(([k, v]) => `${k} ${v}`).join(', ') || '–'}`);
        if (!res.report.dialogues.closes || !res.report.records.closes) process.exitCode = 1;
      } finally {
        await resources.close();
      }
    });
}
