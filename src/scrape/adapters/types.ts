/**
 * The site-adapter contract: a pure function from one page's decoded HTML and URL to the dialogue it
 * holds, or to the reason the layout was not recognised. Adapters read the DOM with cheerio (nothing
 * in the page is ever executed) and never fetch, log or touch files; bumping `version` invalidates the
 * parse cache for that adapter.
 */
import type { AnyNode, Element } from 'domhandler';
import * as cheerio from 'cheerio';
import type { Cheerio, CheerioAPI } from 'cheerio';
import { adapter as domAdapter } from 'parse5-htmlparser2-tree-adapter';
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
   * that is not a consultation (a doctor's profile, a list page), another question than the one
   * requested, an error page served with a success status (a soft 404: 页面不存在, 该问题已删除), or
   * an anti-bot challenge (a captcha) served instead of the page.
   */
  kind?: 'layout' | 'login' | 'not_consultation' | 'page_mismatch' | 'gone' | 'blocked';
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
  const why = tooManyAttributes(html);
  if (why) throw new MarkupRefused(why);
  const $ = cheerio.load(html, { scriptingEnabled: false, treeAdapter: depthGuard() });
  const nested = selfNesting($.root()[0]);
  if (nested) throw new MarkupRefused(nested);
  return $;
}

/**
 * More elements of one class (or id) nested inside each other than this, on one path from the root,
 * refuse the page. A layout's `:has()` and ancestor tests look through every candidate's subtree or
 * ancestors: 500 nested div.crazy_doctor over 300,000 spans took 220 s. No page we know nests a class
 * in itself more than a few times.
 */
export const MAX_SELF_NESTING = 32;

/** Why the tree nests one class or id in itself more than MAX_SELF_NESTING times, or undefined: one walk, counts kept along the path. */
function selfNesting(root: AnyNode): string | undefined {
  const onPath = new Map<string, number>();
  const EXIT = null;
  const stack: Array<AnyNode | typeof EXIT> = [root];
  const tokensOf = new Map<AnyNode, string[]>();
  const path: AnyNode[] = [];
  while (stack.length > 0) {
    const n = stack.pop()!;
    if (n === EXIT) {
      for (const t of tokensOf.get(path.pop()!) ?? []) onPath.set(t, onPath.get(t)! - 1);
      continue;
    }
    if (!('children' in n)) continue;
    const attribs = (n as Element).attribs;
    const tokens: string[] = [];
    if (attribs) {
      if (attribs.id) tokens.push(`#${attribs.id}`);
      if (attribs.class) for (const c of attribs.class.split(/[ \t\n\f\r]+/)) if (c) tokens.push(`.${c}`);
    }
    for (const t of new Set(tokens)) {
      const k = (onPath.get(t) ?? 0) + 1;
      if (k > MAX_SELF_NESTING) return `more than ${MAX_SELF_NESTING} elements of ${t} nested in each other: not a page a layout reads`;
      onPath.set(t, k);
    }
    tokensOf.set(n, [...new Set(tokens)]);
    path.push(n);
    stack.push(EXIT);
    for (let i = n.children.length - 1; i >= 0; i--) stack.push(n.children[i]);
  }
  return undefined;
}

/**
 * Elements nested deeper than this refuse the page. Blink and WebKit stop nesting at 512 too (deeper
 * elements become siblings), so no page a reader sees needs more (ours: 13 at most); parse5's scope
 * checks walk the open elements on every start tag (100,000 nested divs took 90 s to parse) and
 * cheerio's DOM walks recurse (they overflowed the stack).
 */
export const MAX_DEPTH = 512;
/** More attributes than this on one tag refuse the page before parsing: parse5 checks every new attribute against the tag's others (50,000 took 6 s). */
export const MAX_ATTRIBUTES = 256;

/** A page whose markup no layout could be read from in bounded time (too deep, too many attributes): a reject, never a crash. */
export class MarkupRefused extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'MarkupRefused';
  }
}

/**
 * cheerio's own tree adapter (domhandler nodes), with each element's depth kept as it is inserted:
 * one deeper than MAX_DEPTH stops the parse. Depths are cached per node; a node inserted another way
 * (template content) is measured by walking up to one that is known. (A moved node's descendants keep
 * the depth they were inserted at: parse5 moves only a few misnested formatting elements at a time.)
 */
function depthGuard(): typeof domAdapter {
  const depth = new WeakMap<object, number>();
  const depthOf = (n: AnyNode | null): number => {
    let d = 0;
    const path: AnyNode[] = [];
    for (let m = n; m; m = m.parent) {
      const known = depth.get(m);
      if (known !== undefined) {
        d = known;
        break;
      }
      path.push(m);
    }
    for (let i = path.length - 1; i >= 0; i--) depth.set(path[i], path[i].parent ? ++d : (d = 0));
    return n ? depth.get(n)! : 0;
  };
  const place = (parent: AnyNode, node: AnyNode): void => {
    if (node.type === 'text' || node.type === 'comment') return;
    const d = depthOf(parent) + 1;
    if (d > MAX_DEPTH) throw new MarkupRefused(`markup nested deeper than ${MAX_DEPTH} elements (browsers stop nesting there): not a page a layout reads`);
    // A node moved (the adoption agency, foster parenting) is inserted again: its depth is set anew.
    depth.set(node, d);
  };
  return {
    ...domAdapter,
    appendChild(parent, node) {
      place(parent, node);
      domAdapter.appendChild(parent, node);
    },
    insertBefore(parent, node, ref) {
      place(parent, node);
      domAdapter.insertBefore(parent, node, ref);
    },
  };
}

const RAW_TEXT = new Set(['script', 'style', 'textarea', 'title', 'xmp', 'iframe', 'noembed', 'noframes', 'plaintext']);

/**
 * Why the page is refused before parsing (a tag with more than MAX_ATTRIBUTES attributes), or
 * undefined. One pass over the text, tokenised as parse5 does where it matters: comments and
 * raw-text elements (script, style, textarea, title …) hold no tags; attribute values may be quoted.
 */
export function tooManyAttributes(html: string): string | undefined {
  const n = html.length;
  let i = html.indexOf('<');
  while (i >= 0 && i < n - 1) {
    const c = html.charCodeAt(i + 1);
    if (c === 0x21 /* ! */) {
      const end = html.startsWith('<!--', i) ? html.indexOf('-->', i + 4) : html.indexOf('>', i + 2);
      if (end < 0) return undefined;
      i = html.indexOf('<', end + 1);
      continue;
    }
    if (c === 0x3f /* ? */) {
      const end = html.indexOf('>', i + 2);
      if (end < 0) return undefined;
      i = html.indexOf('<', end + 1);
      continue;
    }
    const close = c === 0x2f; /* / */
    let j = close ? i + 2 : i + 1;
    if (!isAsciiLetter(html.charCodeAt(j))) {
      i = html.indexOf('<', i + 1);
      continue;
    }
    const nameStart = j;
    while (j < n && !isTagSpace(html.charCodeAt(j)) && html[j] !== '/' && html[j] !== '>') j++;
    const name = html.slice(nameStart, j).toLowerCase();
    let attrs = 0;
    // Attributes: names up to space, '/', '>' or '='; a value after '=', quoted or up to space or '>'.
    while (j < n && html[j] !== '>') {
      const ch = html.charCodeAt(j);
      if (isTagSpace(ch) || ch === 0x2f) {
        j++;
        continue;
      }
      attrs++;
      if (attrs > MAX_ATTRIBUTES) return `a <${name}> tag with more than ${MAX_ATTRIBUTES} attributes: not a page a layout reads`;
      j++; // an attribute name may begin with '='
      while (j < n && !isTagSpace(html.charCodeAt(j)) && html[j] !== '/' && html[j] !== '>' && html[j] !== '=') j++;
      while (j < n && isTagSpace(html.charCodeAt(j))) j++;
      if (html[j] !== '=') continue;
      j++;
      while (j < n && isTagSpace(html.charCodeAt(j))) j++;
      const q = html[j];
      if (q === '"' || q === "'") {
        const e = html.indexOf(q, j + 1);
        if (e < 0) return undefined;
        j = e + 1;
      } else {
        while (j < n && !isTagSpace(html.charCodeAt(j)) && html[j] !== '>') j++;
      }
    }
    if (j >= n) return undefined;
    if (!close && RAW_TEXT.has(name)) {
      if (name === 'plaintext') return undefined;
      // Up to its end tag, which the loop then reads as a tag (parse5 reads an end tag's attributes too).
      i = indexOfEndTag(html, name, j + 1);
      continue;
    }
    i = html.indexOf('<', j + 1);
  }
  return undefined;
}

function isAsciiLetter(c: number): boolean {
  return (c >= 0x41 && c <= 0x5a) || (c >= 0x61 && c <= 0x7a);
}
function isTagSpace(c: number): boolean {
  return c === 0x20 || c === 0x09 || c === 0x0a || c === 0x0c || c === 0x0d;
}
/** Where the first `</name` (ASCII case-insensitive) at or after `from` begins, or -1. */
function indexOfEndTag(html: string, name: string, from: number): number {
  for (let k = html.indexOf('</', from); k >= 0; k = html.indexOf('</', k + 2)) {
    if (html.slice(k + 2, k + 2 + name.length).toLowerCase() === name) return k;
  }
  return -1;
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
/** U+E000–U+E002: BR and the label marks of layout-engine.ts; removed from page text (blockText). */
const SENTINELS = /[\uE000-\uE002]/;
const SENTINELS_G = /[\uE000-\uE002]/g;

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
 * Is the node inside a script, style, noscript or template element? Markup there is parsed into
 * elements (scripting is off, so noscript content is markup, and template content hangs under its
 * template), and a selector finds it; but no reader sees it: a turn, thread or field found there is
 * not on the page (a fake bubble in a noscript block, a client-side template of an answer).
 */
export function inHidden(node: AnyNode): boolean {
  for (let n = node.parent; n; n = n.parent) if ('name' in n && HIDDEN_NAMES.has(n.name)) return true;
  return false;
}

/**
 * An element's text with <br> and block elements (paragraphs, divs, list items) as line breaks;
 * newlines and indentation in the markup are just spaces; hidden content skipped. One walk over the
 * tree in document order, nothing in it changed (editing a wide element in place, a <br> at a time,
 * is quadratic in its children). `owned` is kept for callers that pass a private copy.
 */
export function blockText(el: Cheerio<AnyNode>, owned = false, mark?: (n: Element) => string | undefined): string {
  void owned;
  let text = '';
  const stack: Array<AnyNode | typeof BR> = [];
  // The element itself is read for its content: it is not hidden, and its own block breaks are the ends.
  for (const root of el.toArray()) {
    if (!('children' in root)) {
      if (root.type === 'text') text += root.data.replace(SENTINELS_G, '');
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
        // The private-use sentinels (BR here, the label marks of layout-engine's splitAtLabels)
        // must only come from markup: page text holding them would forge breaks or labels.
        text += SENTINELS.test(n.data) ? n.data.replace(SENTINELS_G, '') : n.data;
        continue;
      }
      if (n.type === 'comment' || !('children' in n)) continue;
      const name = 'name' in n ? n.name : '';
      if (HIDDEN_NAMES.has(name)) continue;
      // A marked element (a label, for a reader that splits the text at labels) is replaced by its mark.
      const m = mark?.(n as Element);
      if (m !== undefined) {
        text += m;
        continue;
      }
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
