/**
 * The adapter registry: one adapter per site, looked up by the pipeline's `site` (or by URL when
 * site is 'auto'). Every site's adapter is built from its layout data (src/scrape/layouts/).
 */
import { LAYOUT_ADAPTERS } from '../layouts/index.js';
import type { SiteAdapter } from './types.js';

export type { AdapterResult, ParsedPage, SiteAdapter, Unrecognised } from './types.js';
export { isUnrecognised } from './types.js';
export { ask120Adapter, chunyuAdapter, haodfAdapter, xywyAdapter } from '../layouts/index.js';

export const ADAPTERS: readonly SiteAdapter[] = LAYOUT_ADAPTERS;

export function adapterByName(name: string, adapters: readonly SiteAdapter[] = ADAPTERS): SiteAdapter | undefined {
  return adapters.find((a) => a.name === name);
}

/** The site whose host the URL is on; otherwise the first whose question paths match. */
export function adapterForUrl(url: URL, adapters: readonly SiteAdapter[] = ADAPTERS): SiteAdapter | undefined {
  return adapters.find((a) => a.hostMatch?.(url)) ?? adapters.find((a) => a.match(url));
}
