/**
 * The layout engine: a site adapter built from data (schemas/layout.ts). A page is read as
 *   not-a-consultation check → login-page check → each generation's `detect`, in site.json order →
 *   the first generation that holds extracts turns and fields → anti-crawling page-id check.
 * Every element's text is read without <script>, <style>, <noscript> and <template> content (markup
 * a script would create, or text no reader sees, is not what anybody said). Placeholder lines and
 * elements (image/audio stand-ins, privacy notices) and platform notice lines (医生已接诊 …) are
 * dropped and counted in `placeholders`; a bubble holding nothing else is nobody's turn and skipped.
 * Pure: HTML in, dialogue (with the generation that matched) or a reason out.
 * Must not: guess. A generation whose detect holds but whose turns cannot be read is unrecognised, and
 * the next generation is not tried on it (a half-matching page is a redesign to look at).
 */
import type { AnyNode, Element } from 'domhandler';
import type { Cheerio, CheerioAPI } from 'cheerio';
import type { RawTurn } from '../../schemas/dialogue.js';
import { Layout, SiteDefinition, type FieldRule, type LayoutCondition, type LayoutRole, type SpeakerRule, type TextRule, type TurnRule } from '../../schemas/layout.js';
import { CmtError } from '../core/errors.js';
import { blockText, cleanText, collapseLine, detach, findIn, HIDDEN, inHidden, lastSegmentId, loadHtml, MarkupRefused, type AdapterResult, type ParsedPage, type ParsedThread, type SiteAdapter } from './adapters/types.js';

export interface LayoutAdapter extends SiteAdapter {
  readonly site: SiteDefinition;
  readonly layouts: readonly Layout[];
  isQuestionUrl(url: URL): boolean;
  isListUrl(url: URL): boolean;
  isLoginUrl(url: URL): boolean;
  hostMatch(url: URL): boolean;
}

const SPEAKER: Record<LayoutRole, string> = { patient: '患者', doctor: '医生' };

/** Validates the definitions (a bad data file is a config error naming the file's rule) and builds the adapter. */
export function layoutAdapter(siteRaw: unknown, layoutsRaw: unknown[]): LayoutAdapter {
  const site = parseOrThrow(SiteDefinition, siteRaw, 'site definition');
  const byGen = new Map<string, Layout>();
  for (const raw of layoutsRaw) {
    const l = parseOrThrow(Layout, raw, `layout of ${site.name}`);
    if (l.site !== site.name) throw new CmtError('CMT_CONFIG_INVALID', `layout ${l.generation} names site ${l.site}, but it is listed under ${site.name}`);
    byGen.set(l.generation, l);
  }
  const layouts = site.layouts.map((g) => {
    const l = byGen.get(g);
    if (!l) throw new CmtError('CMT_CONFIG_INVALID', `site ${site.name} lists layout ${g}, but there is no src/scrape/layouts/${site.name}/${g}.json`);
    return l;
  });
  const host = new RegExp(site.host, 'iu');
  const questionPaths = site.questionPaths.map((p) => new RegExp(p, 'u'));
  const listPaths = site.listPaths.map((p) => new RegExp(p, 'u'));
  const loginHosts = site.login.hosts.map((p) => new RegExp(p, 'iu'));
  const loginPaths = site.login.paths.map((p) => new RegExp(p, 'iu'));
  const sourceIdRe = site.sourceId ? new RegExp(site.sourceId, 'u') : undefined;
  const notConsultation = site.notConsultation.map((n) => ({ ...n, re: n.path ? new RegExp(n.path, 'u') : undefined }));
  const pageIdUrl = site.pageId ? new RegExp(site.pageId.url, 'u') : undefined;
  const notices = site.notices.map((p) => new RegExp(`^(?:${p})$`, 'u'));

  return {
    name: site.name,
    version: site.version,
    site,
    layouts,
    // By path on any host: the allow-list decides which hosts are crawled (mirrors, the local test site).
    isQuestionUrl: (u) => questionPaths.some((r) => r.test(u.pathname)),
    isListUrl: (u) => listPaths.some((r) => r.test(u.pathname)),
    hostMatch: (u) => host.test(u.hostname),
    isLoginUrl: (u) => loginHosts.some((r) => r.test(u.hostname)) || (host.test(u.hostname) && loginPaths.some((r) => r.test(u.pathname))),
    // By host, or by a question path on any host (a mirror or the local test site).
    match: (u) => host.test(u.hostname) || questionPaths.some((r) => r.test(u.pathname)),
    parse(html: string, url: string): AdapterResult {
      let $: CheerioAPI;
      try {
        $ = loadHtml(html);
      } catch (e) {
        if (e instanceof MarkupRefused) return { unrecognised: e.message, kind: 'layout' };
        throw e;
      }
      let u: URL | undefined;
      try {
        u = new URL(url);
      } catch {
        u = undefined;
      }
      // A path rule is decided before any layout; a page-only rule only when no layout matches (a
      // consultation page carries a doctor card too).
      for (const n of notConsultation) {
        if (!n.re || !u || !n.re.test(u.pathname)) continue;
        if (n.detect && !holds($, $.root(), n.detect)) continue;
        return { unrecognised: `a ${n.what} page (${u.pathname}), not a consultation`, kind: 'not_consultation' };
      }
      const layout = layouts.find((l) => holds($, $.root(), l.detect));
      if (!layout) {
        const page = notConsultation.find((n) => !n.re && n.detect && holds($, $.root(), n.detect));
        if (page) return { unrecognised: `a ${page.what} page, not a consultation`, kind: 'not_consultation' };
        // A login form may carry a captcha too: it is a login wall first (log in, not wait).
        if (site.login.page && holds($, $.root(), site.login.page)) return { unrecognised: 'a login page is served instead of the consultation', kind: 'login' };
        const blocked = signOf($, site.blocked);
        if (blocked) return { unrecognised: `an anti-bot challenge is served instead of the page: ${blocked}`, kind: 'blocked' };
        // A list page given as a question (in `urls:`) is the site's, and no consultation.
        if (u && listPaths.some((r) => r.test(u.pathname))) return { unrecognised: `a list page (${u.pathname}), not a consultation`, kind: 'not_consultation' };
        const gone = goneSign($, site);
        if (gone) return { unrecognised: `an error page is served with a success status (soft 404): ${gone}`, kind: 'gone' };
        const challenge = jsChallenge($);
        if (challenge) return { unrecognised: `an anti-bot challenge is served instead of the page: ${challenge}`, kind: 'blocked' };
        return { unrecognised: `no ${site.name} layout matches (tried ${layouts.map((l) => l.generation).join(', ')})`, kind: 'layout' };
      }
      const where = `${site.name}/${layout.generation}`;
      if (site.pageId && pageIdUrl && u) {
        const want = pageIdUrl.exec(u.pathname)?.[1];
        const got = $(site.pageId.select).first().attr(site.pageId.attr);
        if (want !== undefined && got !== undefined && got !== want) {
          return { unrecognised: `the page holds question ${got}, not the requested ${want} (${site.pageId.select} ${site.pageId.attr})`, kind: 'page_mismatch' };
        }
      }
      const ctx: ReadCtx = { $, site, notices, placeholders: 0, sections: new Map() };
      const read = readTurns(ctx, layout);
      if (typeof read === 'string') return { unrecognised: `${where}: ${read}`, kind: 'layout' };
      const threads = answered(read);
      const turns = [...read.shared.turns, ...(threads[0]?.turns ?? [])];
      if (turns.length === 0) {
        // A skeleton with nothing in it may be the site's "deleted" notice inside the usual frame.
        const gone = goneSign($, site);
        if (gone) return { unrecognised: `${where}: the turns hold no text and the page says it is gone (soft 404): ${gone}`, kind: 'gone' };
        return { unrecognised: `${where}: the turns hold no text`, kind: 'layout' };
      }
      // Placeholders of the question and of threads left with no text go with the first dialogue,
      // so the page's total is the sum over its dialogues.
      const silent = read.threads.reduce((n, t) => n + (t.turns.length === 0 ? t.placeholders : 0), 0);

      const sourceId = (u && sourceIdRe ? sourceIdRe.exec(u.pathname)?.[1] : undefined) ?? lastSegmentId(url) ?? url;
      const out: ParsedPage = { sourceId, turns, layout: where, placeholders: read.shared.placeholders + silent + (threads[0]?.placeholders ?? 0) };
      if (layout.singleTurn && turns.length <= 2) out.singleTurn = true;
      for (const [name, rules] of Object.entries(layout.fields)) {
        const v = readField(ctx, rules ?? []);
        if (v !== undefined) (out as unknown as Record<string, string>)[name] = v;
      }
      Object.assign(out, read.shared.fields, threads[0]?.fields);
      if (threads.length > 1) {
        // The question is not repeated here (nor in the parse cache): each thread opens with it when it becomes a dialogue.
        out.shared = read.shared.turns.length;
        out.threads = threads.slice(1).map((t) => {
          const more: ParsedThread = { turns: t.turns, placeholders: t.placeholders };
          if (t.fields.doctorTitle !== undefined) more.doctorTitle = t.fields.doctorTitle;
          if (layout.singleTurn && out.shared! + t.turns.length <= 2) more.singleTurn = true;
          return more;
        });
      }
      return out;
    },
  };
}

/** The answer threads that have a text turn of their own, in page order (each becomes a dialogue, opened by the question). */
function answered(read: ReadThreads): ThreadTurns[] {
  return read.threads.filter((t) => t.turns.length > 0);
}

/** Why the page reads as a soft 404 (the string found, or the detect rule), or undefined. */
function goneSign($: CheerioAPI, site: SiteDefinition): string | undefined {
  return signOf($, site.gone);
}

/**
 * A JavaScript challenge (the anti-bot pages of 加速乐-style CDNs in front of consultation sites):
 * a page with no readable text whose script sets a cookie and loads the page again. Such a page
 * says nothing about the layout; the site asks to be fetched again later, more slowly.
 */
function jsChallenge($: CheerioAPI): string | undefined {
  if (plain($('body').first()).length > 0 || plain($('title').first()).length > 0) return undefined;
  const code = $('script').map((_, el) => $(el).text()).get().join('\n');
  // It must load the page again (assign location, or call replace/reload/assign): an analytics
  // script that only reads location.href is no challenge, and a text-less page without one is a
  // layout to look at (a page rendered by script).
  if (!/document\.cookie\s*=(?!=)/.test(code) || !/\blocation(?:\.href)?\s*=(?!=)|\blocation\s*\.\s*(?:replace|reload|assign)\s*\(/.test(code)) return undefined;
  return 'a JavaScript challenge: a page without text whose script sets a cookie and reloads';
}

/** The sign of a page kind (site.gone, site.blocked) the page shows: the detect rule, or a string its <title> or body holds. */
function signOf($: CheerioAPI, rule: SiteDefinition['gone']): string | undefined {
  if (rule.detect && holds($, $.root(), rule.detect)) return `matches ${[...rule.detect.all, ...rule.detect.any].join(', ')}`;
  if (rule.text.length === 0 && rule.title.length === 0) return undefined;
  const title = plain($('title').first());
  for (const t of [...rule.text, ...rule.title]) if (title.includes(t)) return `<title> says ${JSON.stringify(t)}`;
  if (rule.text.length === 0) return undefined;
  const body = plain($('body').first());
  for (const t of rule.text) if (body.includes(t)) return `the page says ${JSON.stringify(t)}`;
  return undefined;
}

function parseOrThrow<T>(schema: { safeParse(v: unknown): { success: true; data: T } | { success: false; error: { issues: Array<{ path: PropertyKey[]; message: string }> } } }, raw: unknown, what: string): T {
  const r = schema.safeParse(raw);
  if (r.success) return r.data;
  const name = (raw as { generation?: string; name?: string })?.generation ?? (raw as { name?: string })?.name ?? '?';
  const issues = r.error.issues.map((i) => `${i.path.map(String).join('.') || '(root)'}: ${i.message}`).join('; ');
  throw new CmtError('CMT_CONFIG_INVALID', `${what} ${name} is invalid: ${issues}; fix the file under src/scrape/layouts/`);
}

interface ReadCtx {
  $: CheerioAPI;
  site: SiteDefinition;
  /** site.notices, anchored: a line one matches in full is a platform notice. */
  notices: RegExp[];
  placeholders: number;
  /** Labelled sections (疾病 → text) in the order met; the first of each label is kept. */
  sections: Map<string, string>;
}

function has($: CheerioAPI, scope: Cheerio<AnyNode>, sel: string): boolean {
  return scope.is(sel) || findIn(scope, sel).length > 0;
}

function holds($: CheerioAPI, scope: Cheerio<AnyNode>, c: LayoutCondition): boolean {
  if (c.all.length === 0 && c.any.length === 0) return false; // an empty condition never holds
  return c.all.every((s) => has($, scope, s)) && (c.any.length === 0 || c.any.some((s) => has($, scope, s))) && !c.none.some((s) => has($, scope, s));
}

/** More turn elements than this on one page (all rules together) make it unrecognised. */
export const MAX_TURN_ELEMENTS = 2000;

/** The turns of a page by thread: those in no thread element (the question), then each thread element's, in page order. */
interface ThreadTurns {
  turns: RawTurn[];
  placeholders: number;
  /** Fields read from a kept turn's block (TurnRule.fields): they win over the page-level rules. */
  fields: Record<string, string>;
}
interface ReadThreads {
  shared: ThreadTurns;
  threads: ThreadTurns[];
}

function readTurns(ctx: ReadCtx, layout: Layout): ReadThreads | string {
  const { $ } = ctx;
  // Every rule's matches, merged in document order (cheerio's add() sorts by document position).
  const ruleOf = new Map<Element, TurnRule>();
  for (const rule of layout.turns) {
    $(rule.select).each((_, el) => {
      if (!ruleOf.has(el as Element) && !inHidden(el)) ruleOf.set(el as Element, rule);
    });
  }
  // A consultation of thousands of messages is not one we know (a page of 30,000 repeated bubbles took 5 s to read into one dialogue).
  if (ruleOf.size > MAX_TURN_ELEMENTS) return `more than ${MAX_TURN_ELEMENTS} turn elements (${ruleOf.size}): not a page this layout reads`;
  const shared: ThreadTurns = { turns: [], placeholders: 0, fields: {} };
  const threadOf = new Map<AnyNode, ThreadTurns>();
  const threads: ThreadTurns[] = [];
  if (layout.threads) {
    $(layout.threads.select).each((_, el) => {
      if (inHidden(el)) return;
      const t: ThreadTurns = { turns: [], placeholders: 0, fields: {} };
      threadOf.set(el, t);
      threads.push(t);
    });
  }
  // A turn element inside another of the same rule is read again, its text in both (32 nested bubbles
  // over 300,000 spans took 30 s to read), unless the rule keeps one per thread and both are in the
  // same thread (the outer one comes first and is the one kept: a wrapper with the same class).
  const threadAt = (el: AnyNode): AnyNode | undefined => {
    for (let n: AnyNode | null = el; n; n = n.parent) if (threadOf.has(n)) return n;
    return undefined;
  };
  for (const [el, rule] of ruleOf) {
    for (let up = el.parent; up; up = up.parent) {
      if (ruleOf.get(up as Element) !== rule) continue;
      if (rule.limit !== 1 || threadAt(el) !== threadAt(up)) return `turn elements (${rule.select}) nested in each other: not a page this layout reads`;
      break;
    }
  }
  const { ordered, lastThread } = inDocumentOrder($.root()[0], ruleOf, threadOf);
  const all = $(ordered);
  // `limit` counts turns that have text, per thread: a voice-only first answer gives way to the next written one.
  const kept = new Map<ThreadTurns, Map<TurnRule, number>>();
  let problem: string | undefined;
  // A page of hundreds of answers is not a layout we know, and would repeat the question in every one: stop reading at the first too many.
  let answeredThreads = 0;
  all.each((i, el) => {
    const rule = ruleOf.get(el as Element)!;
    const $el = $(el);
    // The innermost thread element above the turn (a map lookup per ancestor, no selector matching);
    // in none: the thread that last began before it (a follow-up block placed after its answer's
    // element), or none at all (the question, before every answer).
    let thread: ThreadTurns | undefined;
    for (let n: AnyNode | null = el; n && threadOf.size > 0 && !thread; n = n.parent) thread = threadOf.get(n);
    thread ??= lastThread.get(el as Element) ?? shared;
    const before = ctx.placeholders;
    const role = rule.role ?? decideSpeaker($, $el, rule.speaker ?? []);
    if (!role) {
      // A bubble with nothing but platform notices and placeholders is nobody's turn; anything else is.
      if (readText(ctx, $el, BARE) === '') {
        thread.placeholders += ctx.placeholders - before;
        return undefined;
      }
      problem = `turn ${i + 1} (${rule.select}) matches no speaker rule`;
      return false;
    }
    if (role === 'system') {
      thread.placeholders++;
      return undefined;
    }
    let counts = kept.get(thread);
    if (!counts) kept.set(thread, (counts = new Map()));
    if (rule.limit !== undefined && (counts.get(rule) ?? 0) >= rule.limit) return undefined;
    const textRule = role === 'doctor' && rule.doctorText ? rule.doctorText : rule.text;
    const text = readText(ctx, $el, textRule);
    thread.placeholders += ctx.placeholders - before;
    if (text) {
      if (thread !== shared && thread.turns.length === 0 && ++answeredThreads > layout.threads!.max) {
        problem = `more than threads.max ${layout.threads!.max} answer threads (${layout.threads!.select}): not a page this layout reads`;
        return false;
      }
      thread.turns.push({ speaker: SPEAKER[role], text });
      const n = (counts.get(rule) ?? 0) + 1;
      counts.set(rule, n);
      // Fields of the kept turn's own block (the answering doctor's title), read once per thread.
      if (n === 1 && rule.fields && rule.scope) {
        const scope = $el.closest(rule.scope);
        for (const [name, rules] of Object.entries(rule.fields)) {
          const v = readField(ctx, rules ?? [], scope);
          if (v !== undefined) thread.fields[name] = v;
        }
      }
    }
    return undefined;
  });
  return problem ?? { shared, threads };
}

/**
 * The keys of `marked` in document order, by one walk of the tree (cheerio's add() sorts a merged set
 * with a de-duplication quadratic in its size: 100,000 turn elements took seconds), and for each the
 * thread whose element began last before it.
 */
function inDocumentOrder<T>(root: AnyNode, marked: Map<Element, unknown>, threads: Map<AnyNode, T>): { ordered: Element[]; lastThread: Map<Element, T> } {
  const ordered: Element[] = [];
  const lastThread = new Map<Element, T>();
  if (marked.size === 0) return { ordered, lastThread };
  let last: T | undefined;
  const stack: AnyNode[] = [root];
  while (stack.length > 0) {
    const n = stack.pop()!;
    last = threads.get(n) ?? last;
    if (marked.has(n as Element)) {
      ordered.push(n as Element);
      if (last !== undefined) lastThread.set(n as Element, last);
    }
    if ('children' in n) for (let i = n.children.length - 1; i >= 0; i--) stack.push(n.children[i]);
  }
  return { ordered, lastThread };
}

/** The whole element's text, for a bubble no speaker rule decides. */
const BARE: TextRule = { remove: [], splitAtLabels: false };

function decideSpeaker($: CheerioAPI, $el: Cheerio<AnyNode>, rules: SpeakerRule[]): SpeakerRule['role'] | undefined {
  for (const r of rules) {
    if (r.if && !has($, $el, r.if)) continue;
    if (r.equals || r.matches) {
      const target = r.textOf ? findIn($el, r.textOf).first() : $el;
      const t = plain(target);
      if (r.equals && !r.equals.includes(t)) continue;
      if (r.matches && !new RegExp(r.matches, 'u').test(t)) continue;
    }
    return r.role;
  }
  return undefined;
}

/** A turn element's text by its rule: labelled sections, placeholder lines and elements dropped. */
function readText(ctx: ReadCtx, $el: Cheerio<AnyNode>, rule: TextRule): string {
  const { $ } = ctx;
  const clone = $el.clone();
  detach(findIn(clone, HIDDEN));
  for (const sel of rule.remove) detach(findIn(clone, sel));
  for (const sel of ctx.site.placeholderElements) {
    const ph = findIn(clone, sel);
    ctx.placeholders += ph.length;
    detach(ph);
  }
  const lines: string[] = [];
  if (!rule.select) {
    lines.push(...keepLines(ctx, block(clone, true)));
  } else if (rule.label && rule.splitAtLabels) {
    lines.push(...splitAtLabels(ctx, findIn(clone, rule.select), rule.label));
  } else {
    const sel = rule.label ? `${rule.select}, ${rule.label}` : rule.select;
    let label: string | undefined;
    findIn(clone, sel).each((_, child) => {
      let $c = $(child);
      if (rule.label && $c.is(rule.label)) {
        // A label inside a text element is read with that element (below); one outside labels the next.
        // One already read (and removed) with its element has no parent any more.
        if (child.parent && $c.parents(rule.select!).length === 0) label = plain($c).replace(/[:：]\s*$/, '') || undefined;
        return;
      }
      if (rule.label) {
        // Only a label that leads the element labels it: one after text (an inline <span> an editor
        // put in the middle of a sentence) is part of the text.
        const inner = findIn($c, rule.label).first();
        if (inner.length && leads($, inner[0], child)) {
          label = plain(inner).replace(/[:：]\s*$/, '') || undefined;
          inner.remove(); // $c lives in this turn's private clone
        }
      }
      const kept = keepLines(ctx, block($c, true));
      if (kept.length > 0) {
        const text = kept.join('\n');
        if (label && !ctx.sections.has(label)) ctx.sections.set(label, text);
        lines.push(label ? `${label}：${text}` : text);
      }
      label = undefined;
    });
  }
  let text = lines.join('\n');
  if (rule.stripPrefix) text = text.replace(new RegExp(`^(?:${rule.stripPrefix})`, 'u'), '').trim();
  return text;
}

/** Marks a label's place in blockText output: LABEL_OPEN, the label's text, LABEL_CLOSE. */
const LABEL_OPEN = '\uE001';
const LABEL_CLOSE = '\uE002';

/**
 * The elements' text split at their labels (TextRule.splitAtLabels): the text before the first label
 * is unlabelled; each label's text runs to the next label (across paragraphs and line breaks), read
 * as "label：text" and kept as that label's section; a label with no text after it gives nothing. An
 * element inside another one of the set is read with that one.
 */
function splitAtLabels(ctx: ReadCtx, els: Cheerio<Element>, labelSel: string): string[] {
  const { $ } = ctx;
  const labels = new Set<AnyNode>();
  const set = new Set<AnyNode>(els.toArray());
  const lines: string[] = [];
  for (const el of els.toArray()) {
    let nested = false;
    for (let up = el.parent; up && !nested; up = up.parent) nested = set.has(up);
    if (nested) continue;
    for (const l of findIn($(el), labelSel).toArray()) labels.add(l);
    const text = blockText($(el), true, (n) => (labels.has(n) ? `${LABEL_OPEN}${plain($(n)).replace(/[:：]\s*$/, '').replace(/[\uE001\uE002]/g, '')}${LABEL_CLOSE}` : undefined));
    const parts = text.split(/\uE001([^\uE002]*)\uE002/u);
    const trimmed = (t: string) => t.split('\n').map((l) => l.trim()).join('\n');
    lines.push(...keepLines(ctx, trimmed(parts[0])));
    for (let i = 1; i < parts.length; i += 2) {
      const label = parts[i];
      const kept = keepLines(ctx, trimmed(parts[i + 1] ?? ''));
      if (kept.length === 0) continue;
      const value = kept.join('\n');
      if (!label) {
        lines.push(value);
        continue;
      }
      if (!ctx.sections.has(label)) ctx.sections.set(label, value);
      lines.push(`${label}：${value}`);
    }
  }
  return lines;
}

/** No text comes before `el` inside `container` (markup whitespace and comments are not text). */
function leads($: CheerioAPI, el: AnyNode, container: AnyNode): boolean {
  for (let n: AnyNode | null = el; n && n !== container; n = n.parent) {
    for (let p = n.prev; p; p = p.prev) {
      if (p.type !== 'comment' && collapseLine($(p).text()) !== '') return false;
    }
  }
  return true;
}

/** Lines that are only placeholders (after removing every placeholder string and punctuation) go. */
function keepLines(ctx: ReadCtx, text: string): string[] {
  const out: string[] = [];
  for (const line of text.split('\n')) {
    if (!line) continue;
    let rest = line;
    let hit = false;
    for (const p of ctx.site.placeholders) {
      if (rest.includes(p)) {
        hit = true;
        rest = rest.split(p).join('');
      }
    }
    if (hit && /^[\s\p{P}\p{S}]*$/u.test(rest)) {
      ctx.placeholders++;
      continue;
    }
    if (ctx.notices.length > 0 && ctx.notices.some((re) => re.test(line))) {
      ctx.placeholders++;
      continue;
    }
    out.push(line);
  }
  return out;
}

/** Text with <br> as line breaks, markup whitespace collapsed, hidden content removed (`owned`: el is already a private copy). */
function block(el: Cheerio<AnyNode>, owned = false): string {
  return blockText(el, owned);
}

/** One-line text of an element, hidden content removed. */
function plain(el: Cheerio<AnyNode>): string {
  if (findIn(el, HIDDEN).length === 0) return cleanText(el.text()).replace(/\n/g, ' ');
  const clone = el.clone();
  detach(findIn(clone, HIDDEN));
  return cleanText(clone.text()).replace(/\n/g, ' ');
}

function readField(ctx: ReadCtx, rules: FieldRule[], scope?: Cheerio<AnyNode>): string | undefined {
  for (const r of rules) {
    let v: string | undefined;
    if (r.section !== undefined) v = ctx.sections.get(r.section);
    else {
      // The first (or last) match with text: read from that end, stopping there (a breadcrumb of 100,000 links is not read whole).
      const m = (scope ? findIn(scope, r.select!) : ctx.$(r.select!)).toArray();
      if (r.pick === 'last') m.reverse();
      for (const node of m) {
        if (inHidden(node)) continue;
        const el = ctx.$(node);
        if (r.attr) {
          const a = el.attr(r.attr) ?? '';
          if (a.trim() !== '') v = collapseLine(a);
        } else if (el.text().trim() !== '') {
          const t = plain(el);
          if (t !== '') v = t;
        }
        if (v !== undefined) break;
      }
    }
    if (v === undefined) continue;
    if (r.strip) v = v.replace(new RegExp(r.strip, 'gu'), '').trim();
    if (r.capture) v = new RegExp(r.capture, 'u').exec(v)?.[1]?.trim();
    if (v) return v;
  }
  return undefined;
}
