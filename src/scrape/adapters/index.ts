/**
 * The adapter registry: one adapter per site, looked up by the pipeline's `site` (or by URL when
 * site is 'auto'). Adding a site is one file in this folder and one line here.
 */
import { ask120Adapter } from './ask120.js';
import { chunyuAdapter } from './chunyu.js';
import { haodfAdapter } from './haodf.js';
import type { SiteAdapter } from './types.js';
import { xywyAdapter } from './xywy.js';

export type { AdapterResult, ParsedPage, SiteAdapter, Unrecognised } from './types.js';
export { isUnrecognised } from './types.js';

export const ADAPTERS: readonly SiteAdapter[] = [haodfAdapter, chunyuAdapter, xywyAdapter, ask120Adapter];

export function adapterByName(name: string, adapters: readonly SiteAdapter[] = ADAPTERS): SiteAdapter | undefined {
  return adapters.find((a) => a.name === name);
}

export function adapterForUrl(url: URL, adapters: readonly SiteAdapter[] = ADAPTERS): SiteAdapter | undefined {
  return adapters.find((a) => a.match(url));
}
