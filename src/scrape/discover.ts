/**
 * Link discovery: the links of a list page that lead to pages a site adapter reads (question pages)
 * or lists (list pages), resolved against the page URL, fragment dropped, de-duplicated, in page
 * order. Pure: HTML in, URLs out; the crawler decides depth, budget, hosts and fetching.
 */
import type { SiteAdapter } from './adapters/index.js';
import { loadHtml } from './adapters/types.js';

export interface FoundLink {
  url: URL;
  kind: 'question' | 'list';
  adapter: SiteAdapter;
}

/** Throws MarkupRefused (adapters/types.ts) for markup no page is read from in bounded time (nested too deep …). */
export function discoverLinks(html: string, pageUrl: string, adapters: readonly SiteAdapter[]): FoundLink[] {
  const $ = loadHtml(html);
  const seen = new Set<string>();
  const out: FoundLink[] = [];
  $('a[href]').each((_, el) => {
    const href = ($(el).attr('href') ?? '').trim();
    if (!href || href.startsWith('#') || /^(javascript|mailto|tel|data):/i.test(href)) return;
    let u: URL;
    try {
      u = new URL(href, pageUrl);
    } catch {
      return;
    }
    if (u.protocol !== 'http:' && u.protocol !== 'https:') return;
    u.hash = '';
    if (seen.has(u.href)) return;
    seen.add(u.href);
    const kind = classify(u, adapters);
    if (kind) out.push({ url: u, ...kind });
  });
  return out;
}

/** A question page of some adapter (its own host first), else a list page of one, else undefined. */
export function classify(u: URL, adapters: readonly SiteAdapter[]): { kind: 'question' | 'list'; adapter: SiteAdapter } | undefined {
  const onHost = adapters.filter((a) => a.hostMatch?.(u));
  const order = [...onHost, ...adapters.filter((a) => !onHost.includes(a))];
  const q = order.find((a) => a.isQuestionUrl?.(u));
  if (q) return { kind: 'question', adapter: q };
  const l = order.find((a) => a.isListUrl?.(u));
  if (l) return { kind: 'list', adapter: l };
  return undefined;
}
