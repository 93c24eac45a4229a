import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import http from 'node:http';
import type { Browser } from 'playwright-core';
import { rejectsRouter } from '../../src/cli/rejects-page.js';
import { silentLogger } from '../../src/core/logger.js';
import { startDashboard, type Dashboard } from '../../src/executors/bullmq/dashboard.js';
import type { RunResult } from '../../src/executors/local.js';
import { demoSnapshot } from '../support/kg.js';
import { ensureRedis } from '../support/services.js';
import { pipelineFile, runPipeline } from '../support/run.js';
import { testPrefix } from '../executors/helpers.js';
import { launchChromium, screenshotPath } from './browser.js';

/** A raw request, so the Host header can be anything (fetch will not send a forged one). */
function request(url: string, method: string, host?: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const req = http.request(url, { method, headers: host ? { host } : {} }, (res) => {
      res.resume();
      resolve(res.statusCode ?? 0);
    });
    req.on('error', reject);
    req.end();
  });
}

describe('the dashboard', () => {
  let res: RunResult;
  let browser: Browser;
  let d: Dashboard;
  beforeAll(async () => {
    await demoSnapshot();
    res = await runPipeline(pipelineFile('pipelines/demo.yaml'));
    browser = await launchChromium();
    d = await startDashboard({ redisUrl: '', port: 0, logger: silentLogger, queues: false, routes: rejectsRouter([res.outDir]) });
  });
  afterAll(async () => {
    await d?.close();
    await browser?.close();
  });

  it('lists rejects, narrows them with the reason, stage and source filters, opens one with its evidence and input, and jumps to explain', async () => {
    const page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
    await page.goto(`${d.url}rejects`);
    const rows = page.locator('#rejects tbody tr');
    expect(await rows.count()).toBe(res.report.rejects.total);
    expect(await page.textContent('#count')).toContain(`of ${res.report.rejects.total} matching rejects`);
    await page.screenshot({ path: screenshotPath('rejects-page'), fullPage: true });

    await page.selectOption('#f-reason', 'import.parse_error');
    await Promise.all([page.waitForURL(/reason=import.parse_error/), page.click('#filters button')]);
    expect(await rows.count()).toBe(res.report.rejects.byReason['import.parse_error']);
    expect(new Set(await rows.evaluateAll((trs) => trs.map((t) => t.getAttribute('data-reason'))))).toEqual(new Set(['import.parse_error']));

    await page.selectOption('#f-reason', '');
    await page.selectOption('#f-stage', 'normalise');
    await Promise.all([page.waitForURL(/stage=normalise/), page.click('#filters button')]);
    expect(await rows.count()).toBe(res.report.rejects.byStage.normalise);
    expect(new Set(await rows.evaluateAll((trs) => trs.map((t) => t.getAttribute('data-stage'))))).toEqual(new Set(['normalise']));

    await page.selectOption('#f-stage', '');
    await page.selectOption('#f-source', 'cmtmedqa');
    await Promise.all([page.waitForURL(/source=cmtmedqa/), page.click('#filters button')]);
    expect(await rows.count()).toBe(res.report.bySource.rejects.cmtmedqa);
    expect(new Set(await rows.evaluateAll((trs) => trs.map((t) => t.getAttribute('data-source'))))).toEqual(new Set(['cmtmedqa']));

    await page.goto(`${d.url}rejects?stage=normalise`);
    await Promise.all([page.waitForURL(/\/rejects\/[0-9a-f]+/), rows.first().locator('a').first().click()]);
    expect(await page.textContent('#reject')).toContain('normalise.empty');
    expect(await page.textContent('#input')).toContain('"turns"');
    expect(await page.textContent('#evidence')).toBeTruthy();
    await page.screenshot({ path: screenshotPath('reject-detail'), fullPage: true });
    await Promise.all([page.waitForURL(/\/explain\//), page.click('#explain')]);
    const story = (await page.textContent('#story')) ?? '';
    expect(story).toContain('REJECTED');
    expect(story).toMatch(/✗ normalise\s+rejected/);
    await page.close();
  });

  it('is read-only and answers only requests whose Host header names this machine', async () => {
    expect(await request(`${d.url}rejects`, 'GET')).toBe(200);
    expect(await request(`${d.url}rejects`, 'GET', `localhost:${new URL(d.url).port}`)).toBe(200);
    expect(await request(`${d.url}rejects`, 'GET', `attacker.example:${new URL(d.url).port}`)).toBe(421);
    expect(await request(`${d.url}rejects`, 'POST')).toBe(405);
  });

  it("serves Bull Board read-only unless --allow-actions: its queues say readOnlyMode and Retry/Clean requests are refused", async () => {
    const url = ensureRedis();
    const prefix = testPrefix('dash-ro');
    const ro = await startDashboard({ redisUrl: url, prefix, port: 0, logger: silentLogger });
    try {
      const api = (await (await fetch(`${ro.url}api/queues`)).json()) as { queues: Array<{ name: string; readOnlyMode: boolean }> };
      expect(api.queues.length).toBeGreaterThan(0);
      expect(api.queues.every((q) => q.readOnlyMode)).toBe(true);
      const q = encodeURIComponent(api.queues[0].name);
      expect(await request(`${ro.url}api/queues/${q}/retry/failed`, 'PUT')).toBe(405);
      expect(await request(`${ro.url}api/queues/${q}/clean/completed`, 'PUT')).toBe(405);
      expect(await request(`${ro.url}api/queues`, 'GET', 'rebind.example')).toBe(421);
    } finally {
      await ro.close();
    }
    const rw = await startDashboard({ redisUrl: url, prefix, port: 0, logger: silentLogger, allowActions: true });
    try {
      const api = (await (await fetch(`${rw.url}api/queues`)).json()) as { queues: Array<{ readOnlyMode: boolean }> };
      expect(api.queues.every((q) => !q.readOnlyMode)).toBe(true);
    } finally {
      await rw.close();
    }
  });
});
