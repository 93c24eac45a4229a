import { describe, it, expect, afterAll } from '@jest/globals';
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { rm } from 'node:fs/promises';
import path from 'node:path';
import { SourceConfig, type ScrapeSourceConfig } from '../../schemas/pipeline.js';
import { silentLogger } from '../../src/core/logger.js';
import { runLocal } from '../../src/executors/local.js';
import { scrapeSource } from '../../src/scrape/source.js';
import { reparsePipeline } from '../../src/cli/scrape.js';
import { tmpDir } from '../support/run.js';
import { startServerThread, type RemoteServer } from './server.js';

const cli = path.resolve('dist/src/cli/index.js');
const servers: RemoteServer[] = [];
const dirs: string[] = [];
afterAll(async () => {
  await Promise.all(servers.map((s) => s.close()));
  await Promise.all(dirs.map((d) => rm(d, { recursive: true, force: true })));
});

describe('cmtmedqa scrape reparse', () => {
  it('re-parses a raw store without any request into a normal run output, with pages per layout and the unrecognised pages\' raw keys', async () => {
    const site = await startServerThread('site', { forbiddenPort: 1 });
    servers.push(site);
    const tmp = tmpDir('cmt-reparse-');
    dirs.push(tmp);
    const store = path.join(tmp, 'raw');
    const o = site.origin;
    const cfg = SourceConfig.parse({
      format: 'scrape', site: 'auto', requestsPerSecond: 50, allowHosts: [`127.0.0.1:${site.port}`], rawStore: store,
      urls: [`${o}/flow/menzhen_fx_1001_2001.html`, `${o}/flow/wenda-2015.html`, `${o}/flow/bingcheng-2022.html`, `${o}/flow/unknown.html`, `${o}/pc/qa/fxAbC123xyz/`, `${o}/question/20180712/fx7654321.htm`],
    }) as ScrapeSourceConfig;
    for await (const _ of scrapeSource(cfg, { logger: silentLogger })) void _;
    const requests = (await site.log()).length;

    const out = path.join(tmp, 'out');
    const r = spawnSync(process.execPath, [cli, 'scrape', 'reparse', store, '--out', out], { encoding: 'utf8', env: { ...process.env, CI: '1' } });
    expect(r.stderr).not.toMatch(/error/i);
    expect(r.status).toBe(0);
    expect(r.stdout).toMatch(/layouts: {3}.*haodf\/flow-2020 1/);
    const report = JSON.parse(readFileSync(path.join(out, 'report.json'), 'utf8'));
    expect(report.dialogues).toMatchObject({ in: 7, closes: true }); // 6 pages; the xywy page's two doctors are two dialogues
    expect(report.scrape.pagesByLayout).toEqual({
      'haodf/flow-2020': 1, 'haodf/zzx-2015': 1, 'haodf/bingcheng-2022': 1, 'haodf/unrecognised': 1, 'chunyu/block-right': 1, 'xywy/club-2016': 1,
    });
    expect(report.scrape.placeholdersDropped).toBe(4);
    expect(report.scrape.unrecognisedRawKeys.haodf).toEqual([expect.stringMatching(/^blobs\/[0-9a-f]{2}\/[0-9a-f]{64}$/)]);
    expect(readFileSync(path.join(out, 'report.md'), 'utf8')).toContain('| haodf/unrecognised | 1 |');
    expect((await site.log()).length).toBe(requests); // not one request
  }, 60_000);

  it('re-parses only the chosen site with --site, and refuses what is not a raw store', async () => {
    expect(() => reparsePipeline('/nonexistent-raw', { site: 'haodf' })).toThrow(/is not a raw store/);
    expect(() => reparsePipeline('.', { site: 'nosuch' })).toThrow(/--site must be one of haodf, chunyu, 120ask, xywy, auto/);
  });

  it('skips the list pages discovery read, in the run and its accounting', async () => {
    const site = await startServerThread('crawl', { extra: 1 });
    servers.push(site);
    const tmp = tmpDir('cmt-reparse-');
    dirs.push(tmp);
    const store = path.join(tmp, 'raw');
    const cfg = SourceConfig.parse({ format: 'scrape', site: 'haodf', requestsPerSecond: 50, allowHosts: [`127.0.0.1:${site.port}`], rawStore: store, seeds: [`${site.origin}/zixun/list.html`] }) as ScrapeSourceConfig;
    const live: string[] = [];
    for await (const i of scrapeSource(cfg, { logger: silentLogger })) live.push(i.kind);
    const pipeline = reparsePipeline(store, { site: 'haodf' });
    const res = await runLocal({ pipeline, outDir: path.join(tmp, 'out'), logger: silentLogger });
    expect(res.report.dialogues.in).toBe(live.filter((k) => k === 'dialogue').length); // 5 pages; 3 list pages and the robots reject not in the store
    expect(res.report.scrape?.pagesByLayout).toEqual({ 'haodf/flow-2020': 5 });
  }, 60_000);
});
