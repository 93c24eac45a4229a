/**
 * The site-adapter contract: a pure function from one page's decoded HTML and URL to the dialogue it
 * holds, or to the reason the layout was not recognised. Adapters read the DOM with cheerio (nothing
 * in the page is ever executed) and never fetch, log or touch files; bumping `version` invalidates the
 * parse cache for that adapter.
 */
import type { AnyNode, Element } from 'domhandler';
import * as cheerio from 'cheerio';
import type { Cheerio, CheerioAPI } from 'cheerio';
import type { RawTurn } from '../../../schemas/dialogue.js';

export interface ParsedPage {
  /** The site's own id for the consultation (from the URL where it has one). */
  sourceId: string;
  /** In page order; speaker labels are 患者 / 医生 as the pages show them. */
  turns: RawTurn[];
  title?: string;
  department?: string;
  disease?: string;
  description?: string;
  /** Question/answer pages where only the first doctor's answer is kept. */
  singleTurn?: boolean;
  /** The answering doctor's professional title (主任医师 …); RawDialogue has no field for it yet. */
  doctorTitle?: string;
  /** The breadcrumb's sub-category under the department (xywy small_NNN); RawDialogue has no field for it yet. */
  subcategory?: string;
  /** "<site>/<generation>" of the layout that matched (recorded in origin.layout). */
  layout?: string;
  /** Placeholder lines and elements dropped (images, audio, privacy and platform notices). */
  placeholders?: number;
  /**
   * Further answer threads on the same question (xywy: another doctor's answer with its follow-ups),
   * in page order, each its own dialogue: the page's own turns are the first thread (origin.visit 0),
   * these are visits 1, 2 … Each opens with the first `shared` turns of `turns` (the question) and
   * shares the page's title, department and other fields.
   */
  threads?: ParsedThread[];
  /** With threads: how many leading turns are the question that every thread opens with. */
  shared?: number;
}

/** One more doctor's thread of a page: that doctor's answer and follow-ups (the question is the page's `shared` turns). */
export interface ParsedThread {
  turns: RawTurn[];
  placeholders?: number;
  doctorTitle?: string;
  singleTurn?: boolean;
}

export interface Unrecognised {
  unrecognised: string;
  /**
   * What the page is instead (default layout): a layout the adapter does not know, a login page, a page
   * that is not a consultation (a doctor's profile), another question than the one requested, or an
   * error page served with a success status (a soft 404: 页面不存在, 该问题已删除).
   */
  kind?: 'layout' | 'login' | 'not_consultation' | 'page_mismatch' | 'gone';
}

export type AdapterResult = ParsedPage | Unrecognised;

export interface SiteAdapter {
  readonly name: string;
  /** Bump when the parse output for the same HTML changes. */
  readonly version: string;
  /** Does this URL look like one of the site's consultation/question pages? (Used by site: auto.) */
  match(url: URL): boolean;
  /** Is the URL on the site's own host? (Preferred over a path match when several adapters match.) */
  hostMatch?(url: URL): boolean;
  /** Does a redirect to this URL mean "log in first"? */
  isLoginUrl?(url: URL): boolean;
  /** Consultation/question pages (discovery follows them and turns them into dialogues). */
  isQuestionUrl?(url: URL): boolean;
  /** List pages (discovery reads their links). */
  isListUrl?(url: URL): boolean;
  parse(html: string, url: string): AdapterResult;
}

/**
 * Parse a page into a cheerio document with parse5, which builds the tree as browsers do (HTML spec),
 * so malformed markup nests the way the page's authors saw it. Scripts are never run (cheerio has no
 * script engine; their text stays raw text). htmlparser2 parses the real haodf page about 4x faster
 * with the same result on every page we have; switch here if re-parsing throughput ever matters more
 * than spec fidelity.
 */
export function loadHtml(html: string): CheerioAPI {
  return cheerio.load(html, { scriptingEnabled: false });
}

export function isUnrecognised(r: AdapterResult): r is Unrecognised {
  return 'unrecognised' in r;
}

/** Whitespace as pages use it (tabs, newlines, &nbsp;, ideographic spaces) collapsed; lines kept. */
export function cleanText(s: string): string {
  return s
    .replace(/\r\n?/g, '\n')
    .split('\n')
    .map(collapseLine)
    .filter((l) => l !== '')
    .join('\n');
}

// A line break in the markup between two CJK characters (or full-width punctuation) is layout, not a
// space in the text: Chinese puts no spaces between words.
/**
 * A line wrap between two CJK characters. The first may not be U+3000 (it is also in the space
 * run after it): otherwise a long run of U+3000 without a newline is retried from every position.
 */
const CJK_WRAP = /([\u3001-\u303f\u3400-\u9fff\uf900-\ufaff\uff00-\uffef])[ \t\u00a0\u3000]*\n\s*([\u3000-\u303f\u3400-\u9fff\uf900-\ufaff\uff00-\uffef])/g;

/** One line of markup text: CJK line wraps joined, whitespace collapsed, trimmed. */
export function collapseLine(line: string): string {
  return line.replace(CJK_WRAP, '$1$2').replace(/[\s\u00a0\u3000]+/g, ' ').trim();
}

const BR = '\uE000'; // a private-use character stands for <br> while source whitespace is collapsed

/** Above this many direct children in the scope, findIn walks the tree itself instead of cheerio's find. */
const WIDE = 512;

/**
 * `scope.find(sel)`, in time linear in the scope's size. cheerio's find hands the scope's children to
 * cheerio-select, which de-duplicates them with domutils' removeSubsets, quadratic in their number (a
 * turn of 40,000 <br> took 16 s, a 1 MB one minutes). Up to WIDE children it is find itself (so every
 * page we know parses as before); a wider scope is walked (document order) and its elements filtered
 * by the selector, which matches it as jQuery does (an ancestor part of the selector may lie above
 * the scope; on the private clones the engine reads text from there is nothing above).
 */
export function findIn(scope: Cheerio<AnyNode>, sel: string): Cheerio<Element> {
  let width = 0;
  for (const el of scope.toArray()) width += 'children' in el ? el.children.length : 0;
  if (width <= WIDE) return scope.find(sel);
  const out: Element[] = [];
  const seen = new Set<AnyNode>();
  for (const root of scope.toArray()) {
    if (!('children' in root)) continue;
    const stack: AnyNode[] = [...root.children].reverse();
    while (stack.length > 0) {
      const n = stack.pop()!;
      if (seen.has(n)) continue;
      seen.add(n);
      if (n.type === 'tag' || n.type === 'script' || n.type === 'style') out.push(n as Element);
      if ('children' in n) for (let i = n.children.length - 1; i >= 0; i--) stack.push(n.children[i]);
    }
  }
  // map() makes the set as given (add() would de-duplicate it, quadratically, once more).
  return scope.first().map(() => out).filter(sel) as Cheerio<Element>;
}

/**
 * `set.remove()`, in time linear in the parents' sizes: cheerio removes one node at a time, each an
 * indexOf and a splice in its parent's children (50,000 audio placeholders in one bubble took 14 s).
 */
export function detach(set: Cheerio<AnyNode>): void {
  const byParent = new Map<AnyNode, Set<AnyNode>>();
  for (const n of set.toArray()) {
    if (!n.parent) continue;
    let gone = byParent.get(n.parent);
    if (!gone) byParent.set(n.parent, (gone = new Set()));
    gone.add(n);
  }
  for (const [parent, gone] of byParent) {
    if (!('children' in parent)) continue;
    const kept = parent.children.filter((c) => !gone.has(c));
    for (let i = 0; i < kept.length; i++) {
      kept[i].prev = kept[i - 1] ?? null;
      kept[i].next = kept[i + 1] ?? null;
    }
    parent.children = kept;
    for (const n of gone) {
      n.parent = null;
      n.prev = null;
      n.next = null;
    }
  }
}

/** Never text: scripts and styles are code, noscript/template content is not shown to a reader with scripts on. */
export const HIDDEN = 'script, style, noscript, template';

/** Elements a browser lays out as their own lines: text on both sides of one is never run together. */
const BLOCKS = 'p, div, li, dd, dt, tr, h1, h2, h3, h4, h5, h6, pre, blockquote, section, article, ul, ol, table, hr';

/** Elements a browser lays out as their own lines (BLOCKS), by tag name. */
const BLOCK_NAMES = new Set(BLOCKS.split(',').map((x) => x.trim()));
const HIDDEN_NAMES = new Set(HIDDEN.split(',').map((x) => x.trim()));

/**
 * An element's text with <br> and block elements (paragraphs, divs, list items) as line breaks;
 * newlines and indentation in the markup are just spaces; hidden content skipped. One walk over the
 * tree in document order, nothing in it changed (editing a wide element in place, a <br> at a time,
 * is quadratic in its children). `owned` is kept for callers that pass a private copy.
 */
export function blockText(el: Cheerio<AnyNode>, owned = false): string {
  void owned;
  let text = '';
  const stack: Array<AnyNode | typeof BR> = [];
  // The element itself is read for its content: it is not hidden, and its own block breaks are the ends.
  for (const root of el.toArray()) {
    if (!('children' in root)) {
      if (root.type === 'text') text += root.data;
      continue;
    }
    for (let i = root.children.length - 1; i >= 0; i--) stack.push(root.children[i]);
    while (stack.length > 0) {
      const n = stack.pop()!;
      if (n === BR) {
        text += BR;
        continue;
      }
      if (n.type === 'text') {
        text += n.data;
        continue;
      }
      if (n.type === 'comment' || !('children' in n)) continue;
      const name = 'name' in n ? n.name : '';
      if (HIDDEN_NAMES.has(name)) continue;
      if (name === 'br') {
        text += BR;
        continue;
      }
      const isBlock = BLOCK_NAMES.has(name);
      if (isBlock) {
        text += BR;
        stack.push(BR);
      }
      for (let i = n.children.length - 1; i >= 0; i--) stack.push(n.children[i]);
    }
  }
  return text
    .split(BR)
    .map(collapseLine)
    .filter((l) => l !== '')
    .join('\n');
}

/** First non-empty trimmed text of the selector, or undefined. */
export function firstText($: CheerioAPI, selector: string): string | undefined {
  let out: string | undefined;
  $(selector).each((_, el) => {
    const t = cleanText($(el).text()).replace(/\n/g, ' ');
    if (t) {
      out = t;
      return false;
    }
    return undefined;
  });
  return out;
}

/** Last path segment without its extension ("/flow/menzhen_pr_1_2.html" → "menzhen_pr_1_2"). */
export function lastSegmentId(url: string): string | undefined {
  try {
    const segs = new URL(url).pathname.split('/').filter(Boolean);
    const last = segs[segs.length - 1];
    return last ? decodeURIComponent(last).replace(/\.s?html?$/i, '') : undefined;
  } catch {
    return undefined;
  }
}
