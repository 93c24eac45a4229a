/**
 * club.xywy.com (寻医问药) question pages (/static/<date>/<id>.htm), served as GBK. Layout reconstructed
 * from public crawler code, not from a saved page: the question is div#qdetailc under div.Userinfo;
 * each answer is a div.Doc_con with the doctor in div.Doc_zytpmd (a.Doc_bla name, span.btn-a title,
 * p.graydeep department) and the text in div.qsdetail > div.pt15. Several doctors answer one question
 * independently, so only the first answer is kept (a single-turn pair); the breadcrumb's last link is the
 * department. Pure: HTML in, dialogue out.
 */
import type { RawTurn } from '../../../schemas/dialogue.js';
import { blockText, firstText, lastSegmentId, loadHtml, type AdapterResult, type SiteAdapter } from './types.js';

export const xywyAdapter: SiteAdapter = {
  name: 'xywy',
  version: '1',
  match(url: URL): boolean {
    return /(^|\.)xywy\.com$/i.test(url.hostname) || /\/static\/\d+\/[^/]+\.htm$/i.test(url.pathname);
  },
  parse(html: string, url: string): AdapterResult {
    const $ = loadHtml(html);
    const question = $('#qdetailc').first();
    if (question.length === 0) return { unrecognised: 'no div#qdetailc question: not an xywy question page' };
    const questionText = blockText(question);
    if (!questionText) return { unrecognised: 'div#qdetailc question is empty' };

    const turns: RawTurn[] = [{ speaker: '患者', text: questionText }];
    const answer = $('div.Doc_con').first();
    const answerText = answer.length ? blockText(answer.find('.qsdetail .pt15').first()) : '';
    if (answerText) turns.push({ speaker: '医生', text: answerText });

    const out: AdapterResult = { sourceId: lastSegmentId(url) ?? url, turns, singleTurn: true };
    const title = firstText($, '.ask_title p.fb') ?? firstText($, 'title')?.split('_')[0];
    if (title) out.title = title;
    const department = ($('div.znblue a').last().text().trim() || undefined) ?? firstText($, '.Doc_zytpmd p.graydeep');
    if (department) out.department = department;
    const doctorTitle = answer.length ? answer.find('.Doc_zytpmd span.btn-a').first().text().trim() : '';
    if (doctorTitle) out.doctorTitle = doctorTitle;
    return out;
  },
};
