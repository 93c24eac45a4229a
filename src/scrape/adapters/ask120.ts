/**
 * www.120ask.com (快速问医生) question pages (/question/<id>.htm), served as GBK. Layout reconstructed
 * from public crawler code, not from a saved page: the title is h1#d_askH1 in div.b_askti; the question
 * is the p.crazy_new paragraphs of div.b_askcont, each led by a span label (健康咨询描述： …); each answer
 * is a div.b_answerli with the doctor in div.b_answertl (span.b_sp2 title, span.b_sp3 department) and
 * the text in div.crazy_new. Only the first answer is kept (answers are independent); the breadcrumb
 * div.b_route's last link is the department. Pure: HTML in, dialogue out.
 */
import type { RawTurn } from '../../../schemas/dialogue.js';
import { blockText, cleanText, firstText, lastSegmentId, loadHtml, type AdapterResult, type SiteAdapter } from './types.js';

export const ask120Adapter: SiteAdapter = {
  name: '120ask',
  version: '1',
  match(url: URL): boolean {
    return /(^|\.)120ask\.com$/i.test(url.hostname) || /\/question\/[^/]+\.htm$/i.test(url.pathname);
  },
  parse(html: string, url: string): AdapterResult {
    const $ = loadHtml(html);
    const paras = $('div.b_askcont p.crazy_new');
    if (paras.length === 0) return { unrecognised: 'no div.b_askcont p.crazy_new question: not a 120ask question page' };

    let description: string | undefined;
    const lines = paras
      .map((_, p) => {
        const $p = $(p);
        const label = cleanText($p.children('span').first().text());
        const text = blockText($p);
        const body = label && text.startsWith(label) ? text.slice(label.length).trim() : text;
        if (label.startsWith('健康咨询描述') && body) description = body;
        return body ? text : '';
      })
      .get()
      .filter((l) => l !== '');
    if (lines.length === 0) return { unrecognised: 'the question paragraphs are empty' };

    const turns: RawTurn[] = [{ speaker: '患者', text: lines.join('\n') }];
    const answer = $('div.b_answerli').first();
    const answerText = answer.length ? blockText(answer.find('div.crazy_new').first()) : '';
    if (answerText) turns.push({ speaker: '医生', text: answerText });

    const out: AdapterResult = { sourceId: lastSegmentId(url) ?? url, turns, singleTurn: true };
    const title = firstText($, 'h1#d_askH1') ?? firstText($, 'div.b_askti h1');
    if (title) out.title = title;
    const department = ($('div.b_route a').last().text().trim() || undefined) ?? (answer.find('span.b_sp3').first().text().trim() || undefined);
    if (department) out.department = department;
    const doctorTitle = answer.find('span.b_sp2').first().text().trim();
    if (doctorTitle) out.doctorTitle = doctorTitle;
    if (description) out.description = description;
    return out;
  },
};
