import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import path from 'node:path';
import { CMtMedQARecord } from '../../schemas/record.js';
import { maxInWindow, startServerThread, type RemoteServer } from '../scrape/server.js';
import { pipelineFrom, readRejectLines, readShards, runPipeline, tmpDir } from '../support/run.js';

describe('a pipeline with a scrape source, end to end over a local site', () => {
  let site: RemoteServer;
  let forbidden: RemoteServer;
  beforeAll(async () => {
    forbidden = await startServerThread('forbidden');
    site = await startServerThread('site', { forbiddenPort: forbidden.port });
  });
  afterAll(async () => {
    await site?.close();
    await forbidden?.close();
  });

  it('writes CMtMedQA shards from the pages, rejects the rest with reasons, and keeps to the rate limit', async () => {
    const pages = [
      '/flow/menzhen_fx_1001_2001.html', '/flow/menzhen_pr_6481987203_8888362349.html', '/flow/gzipped.html',
      '/pc/qa/fxAbC123xyz/', '/question/20180712/fx7654321.htm', '/question/fx70551.htm',
      '/flow/private/secret.html', '/flow/unknown.html', '/flow/loop-a.html', '/flow/big.html',
    ];
    const urls = pages.map((p) => `${site.origin}${p}`);
    urls.push(`http://127.0.0.1:${forbidden.port}/flow/x.html`);
    const work = tmpDir();
    const p = pipelineFrom({
      name: 'scrape-e2e',
      sources: [{ format: 'scrape', site: 'auto', urls, allowHosts: [`127.0.0.1:${site.port}`], requestsPerSecond: 5, perHostConcurrency: 2, maxBodyBytes: 200 * 1024, maxRetries: 1, timeoutMs: 3000, rawStore: path.join(work, 'raw') }],
      shard: { ratios: { train: 1, validation: 0, test: 0 } },
    });
    const res = await runPipeline(p, path.join(work, 'out'));
    const { report } = res;
    // every URL is one input unit (the xywy and 120ask pages two each: one per answering doctor), accounted as accepted or rejected
    expect(report.dialogues.in).toBe(urls.length + 2);
    expect(report.dialogues.closes).toBe(true);
    // the gzip-encoded copy of the first page is the same dialogue: kept once
    expect(report.dialogues.accepted).toBe(7);
    const rows = readShards(res.outDir, res.manifest);
    expect(rows.length).toBeGreaterThanOrEqual(5);
    for (const { record } of rows) CMtMedQARecord.parse(record);
    const reasons = readRejectLines(res.outDir).map((r) => r.reason).sort();
    // the real 2020 page's last round (谢谢医生 / 完善甲状腺功能，您是指做甲状腺功能检查吗 → 是的) is a
    // short answer to a yes/no question and ends a record (split.shortAnswers), not a pleasantry reject
    expect(reasons).toEqual(['dedup.exact_duplicate', 'parse.layout_unrecognised', 'scrape.host_not_allowed', 'scrape.redirect_limit', 'scrape.robots_disallowed', 'scrape.too_large']);
    expect(rows.some(({ record }) => { const r = CMtMedQARecord.parse(record); return r.instruction.endsWith('您是指做甲状腺功能检查吗') && r.output === '是的'; })).toBe(true);
    // politeness, measured from the site's own request log: the site runs in a thread of this
    // process, so on a busy machine it can log an arrival late, next to the one after it (CI once
    // saw 6 in a second at 5/s, the limiter spacing starts 210 ms apart): at most one over the
    // limit in any second, and on average no faster than the limit
    const log = await site.log();
    const ts = log.map((r) => r.t).sort((a, b) => a - b);
    expect(maxInWindow(ts)).toBeLessThanOrEqual(6);
    expect((ts[ts.length - 1]! - ts[0]!) / (ts.length - 1)).toBeGreaterThanOrEqual(180);
    expect((await forbidden.log()).length).toBe(0);
  });
});
