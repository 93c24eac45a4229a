/**
 * chunyuyisheng.com (春雨医生) question pages (/pc/qa/<id>/). Layout reconstructed from public crawler
 * code, not from a saved page: each turn is a div.block-line inside section.problem-detail-wrap; its
 * div.block-right holds an h6 with the speaker (患者, or the doctor's name) and p paragraphs with the
 * text. The summary box (div.qa-arrangement-body) carries 问题描述 and 分析及建议; the doctor card
 * carries title (span.grade) and department (span.clinic). Pure: HTML in, dialogue out.
 */
import type { RawTurn } from '../../../schemas/dialogue.js';
import { blockText, cleanText, firstText, loadHtml, type AdapterResult, type SiteAdapter } from './types.js';

export const chunyuAdapter: SiteAdapter = {
  name: 'chunyu',
  version: '1',
  match(url: URL): boolean {
    return /(^|\.)chunyuyisheng\.com$/i.test(url.hostname) || /\/pc\/qa\/[^/]+\/?$/i.test(url.pathname);
  },
  parse(html: string, url: string): AdapterResult {
    const $ = loadHtml(html);
    const blocks = $('.problem-detail-wrap .block-line');
    if (blocks.length === 0) return { unrecognised: 'no .problem-detail-wrap .block-line turns: not a chunyu question page' };

    const turns: RawTurn[] = [];
    let problem: string | undefined;
    blocks.each((i, block) => {
      const right = $(block).find('.block-right').first();
      const who = cleanText(right.find('h6').first().text());
      if (!who) {
        problem = `turn ${i + 1} has no h6 speaker`;
        return false;
      }
      const text = right
        .find('p')
        .map((_, p) => blockText($(p)))
        .get()
        .filter((t) => t !== '')
        .join('\n');
      // The doctor's h6 is their name; only 患者 marks the patient.
      if (text) turns.push({ speaker: who === '患者' ? '患者' : '医生', text });
      return undefined;
    });
    if (problem) return { unrecognised: problem };
    if (turns.length === 0) return { unrecognised: 'question page turns hold no text' };

    const sourceId = /\/pc\/qa\/([^/]+)/.exec(new URL(url).pathname)?.[1] ?? url;
    const out: AdapterResult = { sourceId, turns };
    const title = firstText($, '.bread-crumb-spacial span.title') ?? firstText($, 'title')?.split('_')[0];
    if (title) out.title = title;
    const department = firstText($, '.doctor-card .clinic') ?? ($('.bread-crumb-spacial a').last().text().trim() || undefined);
    if (department) out.department = department;
    const doctorTitle = firstText($, '.doctor-card .grade');
    if (doctorTitle) out.doctorTitle = doctorTitle;
    const description = firstText($, '.qa-arrangement-body .qa-title')?.replace(/^问题描述[:：]\s*/, '');
    if (description) out.description = description;
    return out;
  },
};
