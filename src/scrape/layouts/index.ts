/**
 * The site adapters, built from the layout data in this folder: <site>/site.json (hosts, URL patterns,
 * login wall, non-consultation pages, placeholders, the order its generations are tried in) and one
 * <site>/<generation>.json per page generation (schemas/layout.ts). Adding a generation is one data
 * file and one name in site.json's `layouts` (bump its `version`); adding a site is a folder and one
 * entry below.
 */
import haodfSite from './haodf/site.json' with { type: 'json' };
import haodfZzx from './haodf/zzx-2015.json' with { type: 'json' };
import haodfFlow from './haodf/flow-2020.json' with { type: 'json' };
import haodfBingcheng from './haodf/bingcheng-2022.json' with { type: 'json' };
import chunyuSite from './chunyu/site.json' with { type: 'json' };
import chunyuContextLeft from './chunyu/context-left.json' with { type: 'json' };
import chunyuBlockRight from './chunyu/block-right.json' with { type: 'json' };
import xywySite from './xywy/site.json' with { type: 'json' };
import xywyClub from './xywy/club-2016.json' with { type: 'json' };
import ask120Site from './120ask/site.json' with { type: 'json' };
import ask120Old from './120ask/ask-2015.json' with { type: 'json' };
import ask120New from './120ask/ask-2017.json' with { type: 'json' };
import { layoutAdapter, type LayoutAdapter } from '../layout-engine.js';

export const haodfAdapter: LayoutAdapter = layoutAdapter(haodfSite, [haodfZzx, haodfFlow, haodfBingcheng]);
export const chunyuAdapter: LayoutAdapter = layoutAdapter(chunyuSite, [chunyuContextLeft, chunyuBlockRight]);
export const xywyAdapter: LayoutAdapter = layoutAdapter(xywySite, [xywyClub]);
export const ask120Adapter: LayoutAdapter = layoutAdapter(ask120Site, [ask120Old, ask120New]);

/**
 * In the order `site: auto` tries them on a URL of no known host: 120ask before xywy, because both
 * use /question/<id>.htm (xywy's own host, and its dated /question/<date>/<id>.htm, still go to xywy).
 */
export const LAYOUT_ADAPTERS: readonly LayoutAdapter[] = [haodfAdapter, chunyuAdapter, ask120Adapter, xywyAdapter];
