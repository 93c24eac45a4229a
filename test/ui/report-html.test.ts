import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import type { Browser } from 'playwright-core';
import type { RunResult } from '../../src/executors/local.js';
import { demoSnapshot } from '../support/kg.js';
import { pipelineFile, runPipeline } from '../support/run.js';
import { launchChromium, screenshotPath } from './browser.js';

describe('report.html', () => {
  let res: RunResult;
  let browser: Browser;
  beforeAll(async () => {
    await demoSnapshot();
    res = await runPipeline(pipelineFile('pipelines/demo.yaml'));
    browser = await launchChromium();
  });
  afterAll(async () => {
    await browser?.close();
  });

  it('report.json carries the histogram buckets behind the distributions, adding up to the accepted records', () => {
    const r = JSON.parse(readFileSync(path.join(res.outDir, 'report.json'), 'utf8')) as typeof res.report;
    const sum = (b: Array<[number, number]>) => b.reduce((a, [, n]) => a + n, 0);
    expect(sum(r.histograms.roundsPerRecord)).toBe(r.records.accepted);
    expect(sum(r.histograms.charsPerRecord)).toBe(r.records.accepted);
    expect(Object.keys(r.histograms.tokensPerRecord).sort()).toEqual(['llama2', 'qwen3']);
    for (const b of Object.values(r.histograms.tokensPerRecord)) expect(sum(b)).toBe(r.records.accepted);
    // the funnel closes per source: in = what reached the shards + what was lost on the way
    const f = Object.values(r.bySource.funnel);
    expect(f.reduce((a, x) => a + x.in, 0)).toBe(r.dialogues.in);
    expect(f.reduce((a, x) => a + x.inShards, 0)).toBe(r.dialogues.accepted);
    for (const x of f) expect(x.in >= x.normalised && x.normalised >= x.split && x.split >= x.validated && x.validated >= x.deduplicated && x.deduplicated === x.inShards).toBe(true);
    expect(Object.values(r.bySource.rejects).reduce((a, b) => a + b, 0)).toBe(r.rejects.total);
    for (const [reason, ex] of Object.entries(r.rejectExamples)) expect(ex.length).toBe(Math.min(3, r.rejects.byReason[reason]));
  });

  it('is one self-contained file (no script, no external resource) whose charts render as sized SVG in Chromium', async () => {
    const file = path.join(res.outDir, 'report.html');
    const html = readFileSync(file, 'utf8');
    expect(statSync(file).size).toBeGreaterThan(10_000);
    expect(html).not.toMatch(/<script|<link|<img|@import|src=["']https?:/i);
    const page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
    await page.goto(pathToFileURL(file).href);
    await page.screenshot({ path: screenshotPath('report-html'), fullPage: true });
    const charts = await page.$$eval('figure.chart', (figs) => figs.map((f) => {
      const svg = f.querySelector('svg');
      const box = svg?.getBoundingClientRect();
      return { id: f.getAttribute('data-chart'), w: box?.width ?? 0, h: box?.height ?? 0, marks: svg ? svg.querySelectorAll('.mark-rect path, .mark-rect rect').length : 0 };
    }));
    const ids = charts.map((c) => c.id);
    expect(ids).toEqual(expect.arrayContaining(['rounds', 'chars', 'tokens-llama2', 'tokens-qwen3', 'funnel', 'reject-reasons', 'reject-sources', 'departments', 'flags']));
    for (const c of charts) {
      expect(c.w).toBeGreaterThan(200);
      expect(c.h).toBeGreaterThan(60);
      expect(c.marks).toBeGreaterThan(0);
    }
    // one bar per reason, per source in the funnel's six steps
    const reasons = charts.find((c) => c.id === 'reject-reasons')!;
    expect(reasons.marks).toBe(Object.keys(res.report.rejects.byReason).length);
    const funnel = charts.find((c) => c.id === 'funnel')!;
    expect(funnel.marks).toBe(6 * Object.keys(res.report.bySource.funnel).length);
    expect(await page.textContent('#accounting')).toContain(`${res.report.dialogues.in} in = ${res.report.dialogues.accepted} accepted + ${res.report.dialogues.rejected} rejected`);
    expect(await page.locator('section.examples').count()).toBe(Object.keys(res.report.rejects.byReason).length);
    await page.close();
  });
});
