/**
 * robots.txt: parse (RFC 9309 groups, Allow/Disallow with longest-match precedence, `*` and `$`
 * wildcards, Crawl-delay), pick the group for our user-agent token, and decide URLs; fetched once per
 * origin (scheme, host, port) and cached for the run.
 *
 * When robots.txt cannot be had, we do what Google documents
 * (developers.google.com/search/docs/crawling-indexing/robots/robots_txt#http-status-codes):
 *   - 2xx: obey it.
 *   - 4xx other than 429 (404, 403, 410 …), or a redirect chain we cannot follow: there is no robots.txt,
 *     everything is allowed.
 *   - 429, 5xx (after the fetcher's retries) or unreachable (network error, timeout): assume the site is
 *     telling us to stay away; everything is disallowed for this run.
 * Patterns are matched by a linear scan (matchPattern), never compiled to a regex: `/**********X`
 * as `^/.*.*.*…X` backtracks exponentially and blocks the process on every URL check.
 * Crawl-delay: a value that is not a non-negative number (NaN, negative) is ignored; a delay longer than the pipeline's `maxCrawlDelaySec` is not obeyed by waiting (a
 * setTimeout that long overflows, and a run cannot sit for hours on one host): every URL of that
 * host is refused with basis 'crawl_delay_too_long' (reject `scrape.crawl_delay_too_long`).
 * Must not: fetch pages, or decide anything from page content.
 */
import type { Logger } from '../core/logger.js';

export interface RobotsRule {
  allow: boolean;
  /** The path pattern as written (after trimming). */
  pattern: string;
  /** Pattern normalised for matching (percent-encoding upper-cased, non-ASCII encoded). */
  norm: string;
  /** The literal pieces between '*'s, and whether a final '$' anchors the end. */
  parts: string[];
  anchored: boolean;
}

export interface RobotsGroup {
  agents: string[];
  rules: RobotsRule[];
  crawlDelaySec?: number;
}

export interface RobotsFile {
  groups: RobotsGroup[];
}

export interface RobotsPolicy {
  /** Which group applied: our token, '*', or '' (no group: allow all). */
  group: string;
  rules: RobotsRule[];
  crawlDelaySec?: number;
}

export function parseRobots(text: string): RobotsFile {
  const groups: RobotsGroup[] = [];
  let current: RobotsGroup | undefined;
  let inAgentLines = false;
  for (const rawLine of text.replace(/^\uFEFF/, '').split(/\r\n|\r|\n/)) {
    const line = rawLine.replace(/#.*$/, '').trim();
    const colon = line.indexOf(':');
    if (colon <= 0) continue;
    const key = line.slice(0, colon).trim().toLowerCase().replace(/[\s_]+/g, '-');
    const value = line.slice(colon + 1).trim();
    if (key === 'user-agent' || key === 'useragent') {
      if (!current || !inAgentLines) groups.push((current = { agents: [], rules: [] }));
      current.agents.push(value.toLowerCase());
      inAgentLines = true;
      continue;
    }
    inAgentLines = false;
    if (!current) continue; // rules before any User-agent line belong to no group
    if (key === 'allow' || key === 'disallow') {
      if (value === '') continue; // an empty Disallow allows everything: no rule
      const pattern = value.startsWith('/') || value.startsWith('*') ? value : `/${value}`;
      const norm = normalisePath(pattern);
      current.rules.push({ allow: key === 'allow', pattern: value, norm, ...compilePattern(norm) });
    } else if (key === 'crawl-delay') {
      // NaN and negative values mean nothing; a huge one (1e12, 1e999 = Infinity) is kept, so the cap refuses it.
      const n = value === '' ? NaN : Number(value);
      if (n >= 0) current.crawlDelaySec = Math.max(current.crawlDelaySec ?? 0, n);
    }
  }
  return { groups };
}

/** The product token of a User-Agent string: "cmtmedqa/0.1 (+https://…)" → "cmtmedqa". */
export function productToken(userAgent: string): string {
  return (/^[A-Za-z_-]+/.exec(userAgent.trim())?.[0] ?? userAgent).toLowerCase();
}

/** The rules that apply to `token`: all groups naming it, else all `*` groups, else none (allow all). */
export function policyFor(file: RobotsFile, token: string): RobotsPolicy {
  const t = token.toLowerCase();
  const named = file.groups.filter((g) => g.agents.some((a) => a !== '*' && productToken(a) === t));
  const chosen = named.length > 0 ? named : file.groups.filter((g) => g.agents.includes('*'));
  if (chosen.length === 0) return { group: '', rules: [] };
  const delays = chosen.map((g) => g.crawlDelaySec).filter((d): d is number => d !== undefined);
  return {
    group: named.length > 0 ? t : '*',
    rules: chosen.flatMap((g) => g.rules),
    crawlDelaySec: delays.length > 0 ? Math.max(...delays) : undefined,
  };
}

export interface RobotsMatch {
  allowed: boolean;
  /** The deciding rule as it would be written in robots.txt ("Disallow: /private/"), if any. */
  rule?: string;
}

/** Longest match wins; on equal length Allow wins (RFC 9309 §2.2.2); /robots.txt is always allowed. */
export function decide(policy: RobotsPolicy, url: URL): RobotsMatch {
  const target = normalisePath(url.pathname + url.search);
  if (url.pathname === '/robots.txt') return { allowed: true };
  let best: RobotsRule | undefined;
  for (const r of policy.rules) {
    if (!matchPattern(r, target)) continue;
    if (!best || r.norm.length > best.norm.length || (r.norm.length === best.norm.length && r.allow && !best.allow)) best = r;
  }
  if (!best) return { allowed: true };
  return { allowed: best.allow, rule: `${best.allow ? 'Allow' : 'Disallow'}: ${best.pattern}` };
}

function normalisePath(p: string): string {
  // Percent-encode what is not ASCII, and upper-case existing escapes, so "/%e4%b8%ad", "/%E4%B8%AD"
  // and "/中" compare equal.
  let out = '';
  for (const ch of p) out += ch.charCodeAt(0) > 0x7e ? encodeURIComponent(ch) : ch;
  return out.replace(/%[0-9a-f]{2}/gi, (m) => m.toUpperCase());
}

/** A normalised pattern as literal pieces between '*' (runs of '*' are one) and a '$' end anchor. */
export function compilePattern(norm: string): { parts: string[]; anchored: boolean } {
  const anchored = norm.endsWith('$');
  return { parts: (anchored ? norm.slice(0, -1) : norm).split('*'), anchored };
}

/**
 * Does `target` match? The first piece is a prefix; every later piece is found leftmost after the
 * previous one (leftmost is always safe: it leaves the most room for the rest); with '$' the last
 * piece must end the target, after the others. One pass over the target per piece: linear, no
 * backtracking whatever the number of '*'.
 */
export function matchPattern(p: { parts: string[]; anchored: boolean }, target: string): boolean {
  const { parts, anchored } = p;
  const first = parts[0];
  if (!target.startsWith(first)) return false;
  if (parts.length === 1) return !anchored || target.length === first.length;
  let pos = first.length;
  const lastIdx = parts.length - 1;
  for (let k = 1; k < lastIdx; k++) {
    const piece = parts[k];
    if (piece === '') continue;
    const at = target.indexOf(piece, pos);
    if (at < 0) return false;
    pos = at + piece.length;
  }
  const last = parts[lastIdx];
  if (anchored) return target.length - last.length >= pos && target.endsWith(last);
  return last === '' || target.indexOf(last, pos) >= 0;
}

/** What the fetcher reports for a robots.txt request. */
export type RobotsFetchResult =
  | { kind: 'ok'; status: number; body: string }
  | { kind: 'status'; status: number }
  | { kind: 'unreachable'; detail: string }
  /** The host's address is refused (ssrf.ts): the page will be refused for the same reason. */
  | { kind: 'refused'; detail: string; evidence?: Record<string, unknown> }
  | { kind: 'not_followed'; detail: string };

export type RobotsFetch = (robotsUrl: URL) => Promise<RobotsFetchResult>;

export interface RobotsDecision {
  allowed: boolean;
  robotsUrl: string;
  /** How the decision was made: a rule, no matching rule, or a fallback when robots.txt could not be read. */
  basis: 'rule' | 'no_rule' | 'robots_missing' | 'robots_unavailable' | 'address_refused' | 'crawl_delay_too_long';
  rule?: string;
  group?: string;
  status?: number;
  detail?: string;
  /** For address_refused: the fetcher's evidence (address, range). */
  evidence?: Record<string, unknown>;
  /** For crawl_delay_too_long: the host's Crawl-delay and the cap (seconds). */
  crawlDelaySec?: number;
  maxCrawlDelaySec?: number;
}

/** The default cap on a Crawl-delay we obey (schemas/pipeline.ts scrape.maxCrawlDelaySec). */
export const DEFAULT_MAX_CRAWL_DELAY_SEC = 60;

interface OriginPolicy {
  robotsUrl: string;
  /** undefined = fallback (allow or disallow everything). */
  policy?: RobotsPolicy;
  fallback?: { allowed: boolean; basis: 'robots_missing' | 'robots_unavailable' | 'address_refused'; status?: number; detail: string; evidence?: Record<string, unknown> };
}

/** Fetches robots.txt once per origin (concurrent callers share the fetch) and decides URLs. */
export class RobotsCache {
  private readonly origins = new Map<string, Promise<OriginPolicy>>();
  private readonly token: string;

  constructor(
    private readonly fetchRobots: RobotsFetch,
    userAgent: string,
    private readonly logger: Logger,
    /** Called once per origin with a Crawl-delay (ms, at most maxCrawlDelaySec) from the group that applies to us. */
    private readonly onCrawlDelay: (host: string, ms: number) => void,
    /** A host asking for a longer Crawl-delay has all its URLs refused ('crawl_delay_too_long'). */
    private readonly maxCrawlDelaySec: number = DEFAULT_MAX_CRAWL_DELAY_SEC,
  ) {
    this.token = productToken(userAgent);
  }

  async check(url: URL): Promise<RobotsDecision> {
    const op = await this.originPolicy(url);
    let decision: RobotsDecision;
    if (!op.policy) {
      const f = op.fallback!;
      decision = { allowed: f.allowed, robotsUrl: op.robotsUrl, basis: f.basis, status: f.status, detail: f.detail, evidence: f.evidence };
      if (f.basis === 'robots_unavailable') decision.rule = `(robots.txt unavailable: ${f.detail}) disallow all`;
    } else if (op.policy.crawlDelaySec !== undefined && op.policy.crawlDelaySec > this.maxCrawlDelaySec) {
      decision = {
        allowed: false, robotsUrl: op.robotsUrl, basis: 'crawl_delay_too_long', group: op.policy.group,
        rule: `Crawl-delay: ${op.policy.crawlDelaySec}`, crawlDelaySec: op.policy.crawlDelaySec, maxCrawlDelaySec: this.maxCrawlDelaySec,
        detail: `robots.txt asks for a Crawl-delay of ${op.policy.crawlDelaySec} s, more than scrape.maxCrawlDelaySec (${this.maxCrawlDelaySec} s)`,
      };
    } else {
      const m = decide(op.policy, url);
      decision = { allowed: m.allowed, robotsUrl: op.robotsUrl, basis: m.rule ? 'rule' : 'no_rule', group: op.policy.group };
      if (m.rule) decision.rule = m.rule;
    }
    const log = { url: url.href, allowed: decision.allowed, basis: decision.basis, rule: decision.rule, group: decision.group };
    if (decision.allowed) this.logger.debug(log, 'robots.txt allows URL');
    else this.logger.info(log, 'robots.txt disallows URL');
    return decision;
  }

  private originPolicy(url: URL): Promise<OriginPolicy> {
    let p = this.origins.get(url.origin);
    if (!p) {
      p = this.load(url);
      this.origins.set(url.origin, p);
    }
    return p;
  }

  private async load(url: URL): Promise<OriginPolicy> {
    const robotsUrl = new URL('/robots.txt', url.origin);
    const res = await this.fetchRobots(robotsUrl);
    const base = { robotsUrl: robotsUrl.href };
    let out: OriginPolicy;
    if (res.kind === 'ok') {
      const policy = policyFor(parseRobots(res.body), this.token);
      out = { ...base, policy };
      if (policy.crawlDelaySec !== undefined && policy.crawlDelaySec > this.maxCrawlDelaySec) {
        this.logger.warn({ robotsUrl: robotsUrl.href, crawlDelaySec: policy.crawlDelaySec, maxCrawlDelaySec: this.maxCrawlDelaySec }, 'Crawl-delay above scrape.maxCrawlDelaySec: every URL of this host is refused');
      } else if (policy.crawlDelaySec !== undefined && policy.crawlDelaySec > 0) {
        const ms = Math.ceil(policy.crawlDelaySec * 1000);
        if (policy.crawlDelaySec > 30) this.logger.warn({ robotsUrl: robotsUrl.href, crawlDelaySec: policy.crawlDelaySec }, 'long Crawl-delay: this host will be slow');
        this.onCrawlDelay(url.host, ms);
      }
    } else if (res.kind === 'status' && res.status >= 400 && res.status < 500 && res.status !== 429) {
      out = { ...base, fallback: { allowed: true, basis: 'robots_missing', status: res.status, detail: `HTTP ${res.status}` } };
    } else if (res.kind === 'not_followed') {
      out = { ...base, fallback: { allowed: true, basis: 'robots_missing', detail: res.detail } };
    } else if (res.kind === 'refused') {
      out = { ...base, fallback: { allowed: false, basis: 'address_refused', detail: res.detail, evidence: res.evidence } };
    } else if (res.kind === 'status') {
      out = { ...base, fallback: { allowed: false, basis: 'robots_unavailable', status: res.status, detail: `HTTP ${res.status}` } };
    } else {
      out = { ...base, fallback: { allowed: false, basis: 'robots_unavailable', detail: res.detail } };
    }
    this.logger.info(
      { robotsUrl: robotsUrl.href, group: out.policy?.group, rules: out.policy?.rules.length, crawlDelaySec: out.policy?.crawlDelaySec, fallback: out.fallback },
      'robots.txt loaded',
    );
    return out;
  }
}
