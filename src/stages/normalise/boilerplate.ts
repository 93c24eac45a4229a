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
import type { Origin } from '../../../schemas/dialogue.js';

export interface TemplateFile {
  site: string;
  about?: string;
  /** Source formats it applies to; `scrape:<site>` for scraped pages of that site. */
  formats: string[];
  templates: Array<{ id: string; pattern: string; flags?: string; note?: string }>;
}

export const TEMPLATE_FILES: TemplateFile[] = [common, haodf, chunyu];

interface Compiled {
  id: string;
  re: RegExp;
}

const bySource = new Map<string, Compiled[]>();
for (const f of TEMPLATE_FILES) {
  const compiled = f.templates.map((t) => ({ id: t.id, re: new RegExp(t.pattern, t.flags ?? 'g') }));
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

/** Every scraped site gets the common templates even without a file of its own. */
export function templatesFor(source: string): Compiled[] {
  return bySource.get(source) ?? (source.startsWith('scrape:') ? (bySource.get('scrape') ?? []) : []);
}

/** Template hits by id (summed over a batch). */
export type TemplateHits = Record<string, number>;

export function stripTemplates(s: string, templates: Compiled[], hits?: TemplateHits): string {
  let t = s;
  for (const { id, re } of templates) {
    re.lastIndex = 0;
    if (!re.test(t)) continue;
    re.lastIndex = 0;
    t = t.replace(re, () => {
      if (hits) hits[id] = (hits[id] ?? 0) + 1;
      return '';
    });
  }
  return t;
}
