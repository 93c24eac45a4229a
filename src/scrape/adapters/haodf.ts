/**
 * haodf.com (好大夫在线) consultation flow pages (/flow/menzhen_*.html, the 2020 PC layout).
 * Each turn is a div.f-card; the speaker is the img.f-c-r-usertype icon (…/doctor.png or …/patient.png;
 * both carry the class f-c-r-doctor, so the class says nothing). Doctor text is p.f-c-r-doctext; patient
 * text is p.f-c-r-w-text, the first card's paragraphs each under an h4.f-c-r-w-subtitle (疾病, 病情描述 …)
 * below the h2.f-c-r-w-title consultation header. Department and doctor title come from the doctor
 * profile block. Pure: HTML in, dialogue out.
 */
import type { RawTurn } from '../../../schemas/dialogue.js';
import { blockText, cleanText, firstText, lastSegmentId, loadHtml, type AdapterResult, type SiteAdapter } from './types.js';

/** haodf fills image-only sections with this notice; it is not something the patient said. */
const PRIVACY_PLACEHOLDER = '病历资料仅医生和患者本人可见';

export const haodfAdapter: SiteAdapter = {
  name: 'haodf',
  version: '1',
  match(url: URL): boolean {
    return /(^|\.)haodf\.com$/i.test(url.hostname) || /\/flow\/.+\.html?$/i.test(url.pathname);
  },
  parse(html: string, url: string): AdapterResult {
    const $ = loadHtml(html);
    const cards = $('div.f-card');
    if (cards.length === 0) return { unrecognised: 'no div.f-card turn cards: not a haodf consultation flow page' };

    const turns: RawTurn[] = [];
    const sections = new Map<string, string>();
    let problem: string | undefined;
    cards.each((i, card) => {
      const $card = $(card);
      const icon = $card.find('img.f-c-r-usertype').attr('src') ?? '';
      const role = /doctor\.png(\?|$)/.test(icon) ? 'doctor' : /patient\.png(\?|$)/.test(icon) ? 'patient' : undefined;
      if (!role) {
        problem = `card ${i + 1} has no doctor.png/patient.png speaker icon (img.f-c-r-usertype src="${icon}")`;
        return false;
      }
      let lines: string[];
      if (role === 'doctor') {
        lines = $card.find('p.f-c-r-doctext').map((_, p) => blockText($(p))).get();
      } else {
        // Subtitles label the paragraph that follows them; document order is preserved by cheerio.
        lines = [];
        let label: string | undefined;
        $card.find('h4.f-c-r-w-subtitle, p.f-c-r-w-text').each((_, el) => {
          const $el = $(el);
          if ($el.is('h4')) {
            label = cleanText($el.text()) || undefined;
            return;
          }
          const text = blockText($el);
          if (text && text !== PRIVACY_PLACEHOLDER) {
            if (label && !sections.has(label)) sections.set(label, text);
            lines.push(label ? `${label}：${text}` : text);
          }
          label = undefined;
        });
      }
      const text = lines.filter((l) => l !== '').join('\n');
      if (text) turns.push({ speaker: role === 'doctor' ? '医生' : '患者', text });
      return undefined;
    });
    if (problem) return { unrecognised: problem };
    if (turns.length === 0) return { unrecognised: 'f-card turns hold no doctor or patient text' };

    const title = firstText($, 'div.fl-title') ?? firstText($, 'title')?.split('_')[0];
    const department = $('p.doctor-faculty a').last().text().trim() || $('a.docs_info span').last().text().trim() || undefined;
    const doctorTitle = firstText($, 'div.profile-text span.positon') ?? ($('div.f-c-l-doctor p').eq(1).text().trim() || undefined);
    const mobile = /url=([^;]+)/.exec($('meta[name="mobile-agent"]').attr('content') ?? '')?.[1];
    const sourceId = lastSegmentId(url) ?? (mobile ? lastSegmentId(mobile) : undefined) ?? url;

    const out: AdapterResult = { sourceId, turns };
    if (title) out.title = title;
    if (department) out.department = department;
    if (doctorTitle) out.doctorTitle = doctorTitle;
    const disease = sections.get('疾病');
    if (disease) out.disease = disease;
    const description = sections.get('病情描述');
    if (description) out.description = description;
    return out;
  },
};
