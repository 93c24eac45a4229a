/**
 * Where the scraper may connect: the pipeline's allow-list of hosts, and the address rules that keep a
 * hostile or mistaken URL (or a DNS answer, or a redirect) from reaching loopback, private networks or
 * the cloud metadata endpoint. The check runs inside the socket connector's DNS lookup, so the address
 * that is checked is the address that is connected to (no DNS-rebinding window).
 * Must not: fetch anything itself, or relax a rule for anything but an exact "host:port" allow-list entry.
 */
import dns from 'node:dns';
import net, { BlockList } from 'node:net';
import { buildConnector } from 'undici';

/** One allow-list entry: "host" (any port) or "host:port" (that port only); IPv6 as "[::1]" or "[::1]:8080". */
export interface AllowEntry {
  host: string;
  port?: number;
}

export interface AllowList {
  readonly entries: readonly AllowEntry[];
  /** Is this URL's host (and port, where the entry names one) on the list? */
  hostAllowed(url: URL): boolean;
  /** Is exactly `host:port` on the list? Only such entries may reach loopback/private addresses. */
  exactAllowed(host: string, port: number): boolean;
}

export function parseAllowHosts(list: readonly string[]): AllowList {
  const entries = list.map(parseEntry);
  return {
    entries,
    hostAllowed(url: URL): boolean {
      const host = normaliseHost(url.hostname);
      const port = portOf(url);
      return entries.some((e) => e.host === host && (e.port === undefined || e.port === port));
    },
    exactAllowed(host: string, port: number): boolean {
      const h = normaliseHost(host);
      return entries.some((e) => e.host === h && e.port === port);
    },
  };
}

function parseEntry(raw: string): AllowEntry {
  const s = raw.trim().toLowerCase();
  // Bracketed IPv6, with or without a port.
  const v6 = /^\[([^\]]+)\](?::(\d+))?$/.exec(s);
  if (v6) return v6[2] ? { host: v6[1], port: Number(v6[2]) } : { host: v6[1] };
  if (net.isIPv6(s)) return { host: s };
  const i = s.lastIndexOf(':');
  if (i > 0 && /^\d+$/.test(s.slice(i + 1))) return { host: normaliseHost(s.slice(0, i)), port: Number(s.slice(i + 1)) };
  return { host: normaliseHost(s) };
}

/** Lower case, no IPv6 brackets, no trailing dot. */
export function normaliseHost(host: string): string {
  let h = host.toLowerCase();
  if (h.startsWith('[') && h.endsWith(']')) h = h.slice(1, -1);
  if (h.endsWith('.')) h = h.slice(0, -1);
  return h;
}

export function portOf(url: URL): number {
  if (url.port) return Number(url.port);
  return url.protocol === 'https:' ? 443 : 80;
}

// Ranges no scraped page may live on. The issue names loopback, RFC 1918, link-local (incl. the
// 169.254.169.254 metadata endpoint), CGNAT, unique-local and IPv6 loopback; the unspecified,
// multicast, reserved and benchmarking ranges are refused too, since no public site is served there.
const BLOCKED: Array<[string, number, 'ipv4' | 'ipv6', string]> = [
  ['0.0.0.0', 8, 'ipv4', 'unspecified'],
  ['10.0.0.0', 8, 'ipv4', 'private'],
  ['100.64.0.0', 10, 'ipv4', 'cgnat'],
  ['127.0.0.0', 8, 'ipv4', 'loopback'],
  ['169.254.0.0', 16, 'ipv4', 'link-local'],
  ['172.16.0.0', 12, 'ipv4', 'private'],
  ['192.0.0.0', 24, 'ipv4', 'ietf-reserved'],
  ['192.168.0.0', 16, 'ipv4', 'private'],
  ['198.18.0.0', 15, 'ipv4', 'benchmarking'],
  ['224.0.0.0', 4, 'ipv4', 'multicast'],
  ['240.0.0.0', 4, 'ipv4', 'reserved'],
  ['::', 128, 'ipv6', 'unspecified'],
  ['::1', 128, 'ipv6', 'loopback'],
  ['fc00::', 7, 'ipv6', 'unique-local'],
  ['fe80::', 10, 'ipv6', 'link-local'],
  ['ff00::', 8, 'ipv6', 'multicast'],
];
const blockLists = new Map<string, BlockList>();
for (const [addr, prefix, type, label] of BLOCKED) {
  let b = blockLists.get(label);
  if (!b) blockLists.set(label, (b = new BlockList()));
  b.addSubnet(addr, prefix, type);
}

/** The name of the forbidden range `ip` falls in, or undefined for a public address. */
export function forbiddenRange(ip: string): string | undefined {
  const family = net.isIP(ip);
  if (family === 0) return 'not-an-ip';
  if (family === 6) {
    // IPv4-mapped (::ffff:a.b.c.d) and NAT64 (64:ff9b::a.b.c.d) carry an IPv4 address that is what
    // really gets reached; judge that one.
    const embedded = embeddedIPv4(ip);
    if (embedded) return forbiddenRange(embedded);
  }
  const type = family === 4 ? 'ipv4' : 'ipv6';
  for (const [label, list] of blockLists) if (list.check(ip, type)) return label;
  return undefined;
}

function embeddedIPv4(ip: string): string | undefined {
  const bytes = ipv6Bytes(ip);
  if (!bytes) return undefined;
  const zero = (from: number, to: number) => bytes.slice(from, to).every((b) => b === 0);
  const mapped = zero(0, 10) && bytes[10] === 0xff && bytes[11] === 0xff;
  const nat64 = bytes[0] === 0x00 && bytes[1] === 0x64 && bytes[2] === 0xff && bytes[3] === 0x9b && zero(4, 12);
  return mapped || nat64 ? bytes.slice(12).join('.') : undefined;
}

function ipv6Bytes(ip: string): number[] | undefined {
  let s = ip.toLowerCase();
  const pct = s.indexOf('%');
  if (pct >= 0) s = s.slice(0, pct);
  let tail: number[] = [];
  const lastColon = s.lastIndexOf(':');
  if (s.slice(lastColon + 1).includes('.')) {
    tail = s.slice(lastColon + 1).split('.').map(Number);
    s = s.slice(0, lastColon + 1) + '0:0';
  }
  const [head, rest] = s.split('::');
  const parse = (part: string | undefined) => (part ? part.split(':').filter((x) => x !== '') : []);
  const h = parse(head);
  const r = rest === undefined ? [] : parse(rest);
  const missing = 8 - h.length - r.length;
  if (missing < 0 || (rest === undefined && missing !== 0)) return undefined;
  const groups = [...h, ...Array<string>(missing).fill('0'), ...r].map((g) => parseInt(g, 16));
  const bytes = groups.flatMap((g) => [g >> 8, g & 0xff]);
  if (tail.length === 4) bytes.splice(12, 4, ...tail);
  return bytes;
}

/** Thrown (through the connector) when a connection would reach a refused address. */
export class AddressRefusedError extends Error {
  readonly code = 'CMT_SCRAPE_ADDRESS_REFUSED';
  constructor(
    readonly host: string,
    readonly port: number,
    readonly address: string,
    readonly range: string,
  ) {
    super(`refusing to connect to ${host}:${port}: it resolves to ${address} (${range}); add "${host}:${port}" to allowHosts to allow it`);
    this.name = 'AddressRefusedError';
  }
}

export function findAddressRefused(err: unknown): AddressRefusedError | undefined {
  for (let e: unknown = err, depth = 0; e && depth < 5; e = (e as { cause?: unknown }).cause, depth++) {
    if (e instanceof AddressRefusedError) return e;
  }
  return undefined;
}

/** Would connecting to `address` for `host:port` be refused? (undefined = allowed) */
export function refuseAddress(allow: AllowList, host: string, port: number, address: string): AddressRefusedError | undefined {
  const range = forbiddenRange(address);
  if (range === undefined || allow.exactAllowed(host, port)) return undefined;
  return new AddressRefusedError(normaliseHost(host), port, address, range);
}

type LookupCallback = (err: NodeJS.ErrnoException | null, address: string | dns.LookupAddress[], family?: number) => void;

function guardedLookup(allow: AllowList, host: string, port: number) {
  return (hostname: string, options: dns.LookupOptions, callback: LookupCallback): void => {
    dns.lookup(hostname, { ...options, all: true }, (err, addresses) => {
      if (err) return callback(err, []);
      // Refuse the host if any answer is forbidden: a name that mixes public and private answers is
      // exactly what a rebinding attack looks like.
      for (const a of addresses) {
        const refused = refuseAddress(allow, host, port, a.address);
        if (refused) return callback(refused as unknown as NodeJS.ErrnoException, []);
      }
      if (addresses.length === 0) return callback(Object.assign(new Error(`no address for ${hostname}`), { code: 'ENOTFOUND' }), []);
      if (options.all) callback(null, addresses);
      else callback(null, addresses[0].address, addresses[0].family);
    });
  };
}

/**
 * An undici connector that checks every address before the socket opens: IP literals directly,
 * names inside the DNS lookup the socket itself uses.
 */
export function guardedConnector(allow: AllowList, base: buildConnector.BuildOptions = {}): buildConnector.connector {
  const plain = buildConnector(base);
  const byHost = new Map<string, buildConnector.connector>();
  return (opts, callback) => {
    const host = normaliseHost(opts.hostname);
    const port = Number(opts.port) || (opts.protocol === 'https:' ? 443 : 80);
    if (net.isIP(host)) {
      const refused = refuseAddress(allow, host, port, host);
      if (refused) return callback(refused, null);
      return plain(opts, callback);
    }
    const key = `${host}:${port}`;
    let connect = byHost.get(key);
    if (!connect) {
      connect = buildConnector({ ...base, lookup: guardedLookup(allow, host, port) } as buildConnector.BuildOptions);
      byHost.set(key, connect);
    }
    return connect(opts, callback);
  };
}
