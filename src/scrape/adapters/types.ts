/**
 * The site-adapter contract: a pure function from one page's decoded HTML and URL to the dialogue it
 * holds, or to the reason the layout was not recognised. Adapters read the DOM with cheerio (nothing
 * in the page is ever executed) and never fetch, log or touch files; bumping `version` invalidates the
 * parse cache for that adapter.
 */
import type { AnyNode } from 'domhandler';
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

/** Never text: scripts and styles are code, noscript/template content is not shown to a reader with scripts on. */
export const HIDDEN = 'script, style, noscript, template';

/** Elements a browser lays out as their own lines: text on both sides of one is never run together. */
const BLOCKS = 'p, div, li, dd, dt, tr, h1, h2, h3, h4, h5, h6, pre, blockquote, section, article, ul, ol, table, hr';

/**
 * An element's text with <br> and block elements (paragraphs, divs, list items) as line breaks;
 * newlines and indentation in the markup are just spaces; hidden content removed (`owned`: el is
 * already a private copy, edited in place).
 */
export function blockText(el: Cheerio<AnyNode>, owned = false): string {
  const clone = owned ? el : el.clone();
  clone.find(HIDDEN).remove();
  clone.find('br').replaceWith(BR);
  clone.find(BLOCKS).before(BR).after(BR);
  return clone
    .text()
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
