/**
 * Decoding a page's bytes to text. The declared charset comes from the Content-Type header, else the
 * first <meta charset> / <meta http-equiv="Content-Type"> in the document head; but declarations lie
 * on Chinese sites in both directions (the saved haodf page declares gbk and is UTF-8; old GBK pages sit
 * behind servers that send charset=utf-8), so the bytes decide:
 *   1. a byte-order mark wins;
 *   2. bytes that are valid UTF-8 are UTF-8 (GBK text is practically never valid UTF-8);
 *   3. else, bytes holding a run of MIXED_UTF8_RUN UTF-8 characters (outside scripts, styles and
 *      comments) mix two encodings: not decoded;
 *   4. else the declared charset, if it decodes without replacement characters;
 *   5. else GB18030 (a superset of GBK and GB2312), if it decodes cleanly;
 *   6. else the page cannot be decoded (parse.charset).
 * A body cut in the middle of a multi-byte character is not a charset error: the partial character is
 * dropped (truncation is judged separately).
 * Must not: parse the document beyond its head's meta tags.
 */
import * as cheerio from 'cheerio';
import iconv from 'iconv-lite';

export type DecodedBy = 'bom' | 'declared' | 'sniffed';

export type DecodeResult =
  | { ok: true; text: string; charset: string; by: DecodedBy; declared?: string; declaredIn?: 'header' | 'meta'; mismatch: boolean }
  | { ok: false; detail: string; declared?: string; declaredIn?: 'header' | 'meta' };

/** Canonical decoder name for a charset label; GBK and GB2312 decode as their superset GB18030. */
export function canonicalCharset(label: string): string | undefined {
  const l = label.trim().toLowerCase().replace(/^["']|["']$/g, '');
  if (l === 'utf-8' || l === 'utf8' || l === 'unicode-1-1-utf-8') return 'utf-8';
  if (['gbk', 'gb2312', 'gb_2312-80', 'x-gbk', 'cp936', 'ms936', 'windows-936', 'gb18030', 'euc-cn', 'csgb2312'].includes(l)) return 'gb18030';
  return iconv.encodingExists(l) ? l : undefined;
}

export function charsetFromContentType(contentType: string | undefined): string | undefined {
  if (!contentType) return undefined;
  const m = /charset\s*=\s*("?)([^";,\s]+)\1/i.exec(contentType);
  return m ? m[2].toLowerCase() : undefined;
}

/** The first charset declared by a meta tag in the first 4 KiB (the HTML prescan looks at 1 KiB; some pages need more). */
export function charsetFromMeta(body: Buffer): string | undefined {
  const head = body.subarray(0, 4096).toString('latin1');
  const $ = cheerio.load(head, { scriptingEnabled: false });
  let found: string | undefined;
  $('meta').each((_, el) => {
    const $el = $(el);
    const direct = $el.attr('charset');
    if (direct) {
      found = direct.trim().toLowerCase();
      return false;
    }
    if (($el.attr('http-equiv') ?? '').toLowerCase() === 'content-type') {
      const c = charsetFromContentType($el.attr('content'));
      if (c) {
        found = c;
        return false;
      }
    }
    return undefined;
  });
  return found;
}

/** Length of the longest prefix of `buf` that does not end inside a UTF-8 multi-byte sequence. */
function withoutPartialUtf8Tail(buf: Buffer): Buffer {
  const n = buf.length;
  for (let back = 1; back <= Math.min(3, n); back++) {
    const b = buf[n - back];
    if ((b & 0xc0) === 0x80) continue; // continuation byte: look further back for the lead
    const need = b >= 0xf0 ? 4 : b >= 0xe0 ? 3 : b >= 0xc0 ? 2 : 1;
    return need > back ? buf.subarray(0, n - back) : buf;
  }
  return buf;
}

const fatalUtf8 = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true });

function tryUtf8(buf: Buffer): string | undefined {
  try {
    return fatalUtf8.decode(withoutPartialUtf8Tail(buf));
  } catch {
    return undefined;
  }
}

function tryIconv(buf: Buffer, charset: string): string | undefined {
  let text = iconv.decode(buf, charset);
  // One replacement character at the very end is a multi-byte character cut by truncation.
  if (text.endsWith('\uFFFD')) text = text.slice(0, -1);
  return text.includes('\uFFFD') ? undefined : text;
}

/**
 * This many 3-byte UTF-8 characters in a row (CJK, its punctuation, full-width forms) in bytes that are
 * not UTF-8 as a whole mean a page of mixed encodings. GBK text forms such runs only by chance: the
 * longest in 3.5 MB of real GBK (../shared/data, toyhom CSV and the medical2 GBK sample) is 2.
 */
export const MIXED_UTF8_RUN = 4;

/** Byte ranges no reader sees as text: <script> and <style> content, comments (a UTF-8 snippet pasted there harms no turn). */
function hiddenRanges(b: Buffer): Array<[number, number]> {
  const lower = Buffer.from(b);
  for (let i = 0; i < lower.length; i++) if (lower[i] >= 0x41 && lower[i] <= 0x5a) lower[i] += 0x20;
  const pairs: Array<[string, string]> = [['<script', '</script'], ['<style', '</style'], ['<!--', '-->']];
  // Each opener's next position, searched again only once the scan has passed it: linear overall.
  const nextAt = pairs.map(([open]) => lower.indexOf(open, 0, 'latin1'));
  const out: Array<[number, number]> = [];
  let i = 0;
  for (;;) {
    let p = -1;
    for (let k = 0; k < pairs.length; k++) {
      if (nextAt[k] >= 0 && nextAt[k] < i) nextAt[k] = lower.indexOf(pairs[k][0], i, 'latin1');
      if (nextAt[k] >= 0 && (p < 0 || nextAt[k] < nextAt[p])) p = k;
    }
    if (p < 0) return out;
    const [open, close] = pairs[p];
    const from = nextAt[p];
    const end = lower.indexOf(close, from + open.length, 'latin1');
    const stop = end < 0 ? lower.length : end + close.length;
    out.push([from, stop]);
    i = stop;
  }
}

/** The longest run of consecutive 3-byte UTF-8 sequences (lead E2–EF) in the bytes outside scripts, styles and comments, and where it starts. */
export function utf8Run(b: Buffer): { chars: number; at: number } {
  let best = 0;
  let bestAt = -1;
  let run = 0;
  let at = -1;
  const hidden = hiddenRanges(b);
  let h = 0;
  for (let i = 0; i < b.length; ) {
    if (h < hidden.length && i >= hidden[h][0]) {
      if (i < hidden[h][1]) i = hidden[h][1];
      h++;
      run = 0;
      continue;
    }
    const c = b[i];
    if (c >= 0xe2 && c <= 0xef && i + 2 < b.length) {
      const c1 = b[i + 1];
      const c2 = b[i + 2];
      if (c1 >= 0x80 && c1 <= (c === 0xed ? 0x9f : 0xbf) && c2 >= 0x80 && c2 <= 0xbf) {
        if (run === 0) at = i;
        if (++run > best) {
          best = run;
          bestAt = at;
        }
        i += 3;
        continue;
      }
    }
    run = 0;
    i++;
  }
  return { chars: best, at: bestAt };
}

export function decodeHtml(body: Buffer, contentType?: string): DecodeResult {
  const fromHeader = charsetFromContentType(contentType);
  const fromMeta = fromHeader ? undefined : charsetFromMeta(body);
  const declared = fromHeader ?? fromMeta;
  const declaredIn = fromHeader ? ('header' as const) : fromMeta ? ('meta' as const) : undefined;
  const declaredCanon = declared ? canonicalCharset(declared) : undefined;
  const info = { declared, declaredIn };

  if (body[0] === 0xef && body[1] === 0xbb && body[2] === 0xbf) {
    const text = tryUtf8(body.subarray(3));
    if (text !== undefined) return { ok: true, text, charset: 'utf-8', by: 'bom', ...info, mismatch: declaredCanon !== undefined && declaredCanon !== 'utf-8' };
  }
  if ((body[0] === 0xff && body[1] === 0xfe) || (body[0] === 0xfe && body[1] === 0xff)) {
    const charset = body[0] === 0xff ? 'utf-16le' : 'utf-16be';
    const text = tryIconv(body.subarray(2), charset);
    if (text !== undefined) return { ok: true, text, charset, by: 'bom', ...info, mismatch: declaredCanon !== undefined && declaredCanon !== charset };
  }

  const utf8 = tryUtf8(body);
  if (utf8 !== undefined) {
    const mismatch = declaredCanon !== undefined && declaredCanon !== 'utf-8' && /[^\x00-\x7f]/.test(utf8);
    // Pure ASCII under a gbk declaration reads the same either way: that counts as following the declaration.
    const by: DecodedBy = declaredCanon !== undefined && !mismatch ? 'declared' : 'sniffed';
    return { ok: true, text: utf8, charset: 'utf-8', by, ...info, mismatch };
  }
  // Not UTF-8 as a whole: a long run of UTF-8 characters inside is a page of two encodings, which no
  // single charset reads right (the run would decode as GBK mojibake, or the rest as UTF-8 garbage).
  const mixed = utf8Run(body);
  if (mixed.chars >= MIXED_UTF8_RUN) {
    const what = declared ? `declared ${declared} (${declaredIn})` : 'no declared charset';
    return { ok: false, detail: `bytes mix encodings: ${mixed.chars} UTF-8 characters in a row at byte ${mixed.at} of a page that is not valid UTF-8; ${what}`, ...info };
  }
  if (declaredCanon && declaredCanon !== 'utf-8') {
    const text = tryIconv(body, declaredCanon);
    if (text !== undefined) return { ok: true, text, charset: declaredCanon, by: 'declared', ...info, mismatch: false };
  }
  if (declaredCanon !== 'gb18030') {
    const text = tryIconv(body, 'gb18030');
    if (text !== undefined) return { ok: true, text, charset: 'gb18030', by: 'sniffed', ...info, mismatch: declaredCanon !== undefined };
  }
  const what = declared ? `declared ${declared} (${declaredIn})` : 'no declared charset';
  return { ok: false, detail: `bytes are neither valid UTF-8 nor ${declaredCanon && declaredCanon !== 'gb18030' && declaredCanon !== 'utf-8' ? `${declaredCanon} nor ` : ''}GB18030; ${what}`, ...info };
}
