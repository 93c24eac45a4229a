/**
 * Platform boilerplate as data: one JSON file of templates per site under boilerplate/ (common,
 * haodf, chunyu …), each template a regular expression with an id. normalise removes every
 * template that applies to the dialogue's source and counts its hits by id; a turn left with no
 * text is dropped. Adding a template is a data change: edit the site's file (patterns must stay
 * linear-time: no nested quantifiers). Pure: compiled once at load, no I/O.
 */
import chunyu from './boilerplate/chunyu.json' with { type: 'json' };
import common from './boilerplate/common.json' with { type: 'json' };
import haodf from './boilerplate/haodf.json' with { type: 'json' };
import askform from './boilerplate/askform.json' with { type: 'json' };
import solicitations from './boilerplate/solicitations.json' with { type: 'json' };
import signoffs from './boilerplate/signoffs.json' with { type: 'json' };
import signoffsQa from './boilerplate/signoffs-qa.json' with { type: 'json' };
import type { Origin } from '../../../schemas/dialogue.js';

export interface TemplateFile {
  site: string;
  about?: string;
  /** Source formats it applies to; `scrape:<site>` for scraped pages of that site. */
  formats: string[];
  /** Only in doctors' turns (solicitations): a patient asking 请您评价一下 keeps the words. */
  doctorOnly?: boolean;
  /**
   * The file's templates do not run on a text this matches (signoffs: a reply to thanks that opens
   * with 不客气 keeps its courtesy whole, so split judges the closing round as it stands).
   */
  unless?: string;
  /**
   * trigger: the text must contain one of these literals for the pattern to run; prefilter: or match
   * this (non-unicode) class; replace: what a match becomes (default: nothing; "\n" keeps the text
   * around a removed form label apart); doctorOnly: this template alone is for doctors' turns (a
   * label of the answer form, in a file whose other templates apply to both sides).
   */
  templates: Array<{ id: string; pattern: string; flags?: string; trigger?: string[]; prefilter?: string; replace?: string; note?: string; doctorOnly?: boolean }>;
}

export const TEMPLATE_FILES: TemplateFile[] = [common, haodf, chunyu, askform, solicitations, signoffs, signoffsQa];

interface Compiled {
  id: string;
  doctorOnly: boolean;
  unless?: RegExp;
  re: RegExp;
  replace: string;
  trigger?: string[];
  prefilter?: RegExp;
}

/** The templates of one source, and one regex of all their triggers: a text it does not match skips them all. */
export interface SourceTemplates {
  gate: RegExp | undefined;
  list: Compiled[];
}
const escape = (x: string) => x.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&');
const bySource = new Map<string, Compiled[]>();
for (const f of TEMPLATE_FILES) {
  const unless = f.unless ? new RegExp(f.unless) : undefined;
  const compiled: Compiled[] = f.templates.map((t) => ({
    id: t.id,
    ...(unless ? { unless } : {}),
    doctorOnly: f.doctorOnly === true || t.doctorOnly === true,
    re: new RegExp(t.pattern, t.flags ?? 'g'),
    replace: t.replace ?? '',
    ...(t.trigger?.length ? { trigger: t.trigger } : {}),
    ...(t.prefilter ? { prefilter: new RegExp(t.prefilter) } : {}),
  }));
  for (const fmt of f.formats) bySource.set(fmt, [...(bySource.get(fmt) ?? []), ...compiled]);
}

/** The key templates are looked up by: the format, or scrape:<site> for scraped pages. */
export function templateSource(origin: Origin): string {
  if (origin.format !== 'scrape') return origin.format;
  const u = origin.url ?? '';
  if (u.includes('haodf.com')) return 'scrape:haodf';
  if (u.includes('chunyuyisheng.com')) return 'scrape:chunyu';
  return 'scrape';
}

const compiledBySource = new Map<string, SourceTemplates>();
function withGate(list: Compiled[]): SourceTemplates {
  // A template without trigger or prefilter always runs, so no gate then.
  if (list.some((c) => !c.trigger && !c.prefilter)) return { gate: undefined, list };
  const alts = list.flatMap((c) => [...(c.trigger ?? []).map(escape), ...(c.prefilter ? [c.prefilter.source] : [])]);
  return { gate: new RegExp(alts.join('|')), list };
}

/**
 * The templates of a source: every one for a doctor's turn (the default), all but the doctor-only
 * ones for a patient's turns and fields. Every scraped site gets the common templates even without
 * a file of its own.
 */
export function templatesFor(source: string, speaker: 'doctor' | 'patient' = 'doctor'): SourceTemplates {
  const key = speaker === 'doctor' ? source : `${source}\u0000patient`;
  let t = compiledBySource.get(key);
  if (!t) {
    const all = bySource.get(source) ?? (source.startsWith('scrape:') ? (bySource.get('scrape') ?? []) : []);
    t = withGate(speaker === 'doctor' ? all : all.filter((c) => !c.doctorOnly));
    compiledBySource.set(key, t);
  }
  return t;
}

/** Template hits by id (summed over a batch). */
export type TemplateHits = Record<string, number>;

export function stripTemplates(s: string, templates: SourceTemplates, hits?: TemplateHits): string {
  if (templates.gate && !templates.gate.test(s)) return s;
  let t = s;
  for (const { id, re, replace, trigger, prefilter, unless } of templates.list) {
    if (trigger && !trigger.some((x) => t.includes(x))) continue;
    if (unless && unless.test(t)) continue;
    if (prefilter && !prefilter.test(t)) continue;
    re.lastIndex = 0;
    if (!re.test(t)) continue;
    re.lastIndex = 0;
    t = t.replace(re, () => {
      if (hits) hits[id] = (hits[id] ?? 0) + 1;
      return replace;
    });
  }
  return t;
}
