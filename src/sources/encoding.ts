/**
 * Bytes → text for the importers, streaming: UTF-8 or GB18030/GBK.
 *
 * 'auto' decides per line (a line = the bytes up to and including an LF, which is a character
 * boundary in both encodings; a CSV row or JSON element that spans lines is decided line by
 * line), because real files are concatenations and one can switch encoding midway:
 *   - the first SNIFF_BYTES give the file's prior (UTF-8 when those bytes are almost all valid
 *     UTF-8, GB18030 otherwise; see sniffEncoding) — reported through `resolved`;
 *   - a pure-ASCII line is the same in both;
 *   - otherwise the line is decoded both ways unless the prior's decoding is clean and plausible,
 *     and the decoding with the higher plausibility wins (plausibility(): validity first — every
 *     U+FFFD costs much — then the share of common Chinese characters, GB2312 level 1, against
 *     mojibake indicators: rare ideographs, private-use, kana, box drawing, Latin/Greek/Cyrillic
 *     letters, C1 controls). So a UTF-8 row after a GB18030 start is read as UTF-8 even when its
 *     GB18030 decoding has no U+FFFD (鎴戝ご寰堢棝 for 我头很痛), and the other way round.
 * A UTF-8 byte-order mark is stripped at the start of the input and at the start of any line
 * (concatenated files carry theirs into the middle). A UTF-16 byte-order mark at the start (FF FE,
 * FE FF: Windows "Unicode" saves; neither can begin valid UTF-8 or GB18030) makes 'auto' read the
 * whole input as UTF-16LE/BE, streaming; so does a head without a mark that holds NUL bytes and
 * reads as clean text in exactly one UTF-16 byte order (sniffUtf16: Excel's and .NET's
 * "Unicode" saves written without one). A UTF-32 mark (FF FE 00 00, 00 00 FE FF) makes it read
 * the input as UTF-32LE/BE (checked first: the LE one begins with the UTF-16LE mark). An explicitly named encoding is used as is,
 * streaming. A line with no LF for MAX_LINE_BYTES is cut at a point that is a character boundary
 * in both encodings (two consecutive ASCII bytes), so memory stays bounded.
 *
 * A line neither of whose readings is plausible and that is Chinese text once mis-read as Latin-1
 * or CP1252 and saved again (åŒ»ç”Ÿ) is read through the bytes it stands for (undoLatin1Mojibake).
 *
 * Must not hide bad bytes: an invalid sequence (in the sniffed window or later) decodes to
 * U+FFFD, which the importers turn into an `import.encoding` reject for the dialogue holding it
 * (see item.ts). Nothing here drops or guesses characters.
 */
import * as nodeBuffer from 'node:buffer';
import iconv from 'iconv-lite';
import { CmtError } from '../core/errors.js';
import type { ImportInput } from './types.js';

export type Encoding = ImportInput['encoding'];
export type ResolvedEncoding = 'utf-8' | 'gb18030' | 'gbk' | WideEncoding;
/** Encodings read whole by decodeWide (a byte-order mark, or NUL bytes in one UTF-16 order). */
type WideEncoding = 'utf-16le' | 'utf-16be' | 'utf-32le' | 'utf-32be';

/** How many leading bytes 'auto' looks at before deciding. */
export const SNIFF_BYTES = 64 * 1024;

/** The replacement character decoders emit for invalid input. */
export const REPLACEMENT_CHAR = '\ufffd';

export interface Utf8Stats {
  /** Well-formed multibyte sequences. */
  valid: number;
  /** Bytes that start no well-formed sequence. */
  invalid: number;
}

/**
 * Counts well-formed multibyte UTF-8 sequences and invalid bytes. A sequence cut off by the end
 * of `buf` counts as neither when `final` is false (the rest is in the next chunk).
 */
export function utf8Stats(buf: Uint8Array, final: boolean): Utf8Stats {
  let valid = 0;
  let invalid = 0;
  const n = buf.length;
  let i = 0;
  while (i < n) {
    const b = buf[i];
    if (b < 0x80) {
      i++;
      continue;
    }
    let len: number;
    let lo = 0x80;
    let hi = 0xbf;
    if (b >= 0xc2 && b <= 0xdf) len = 2;
    else if (b >= 0xe0 && b <= 0xef) {
      len = 3;
      if (b === 0xe0) lo = 0xa0; // overlong
      else if (b === 0xed) hi = 0x9f; // surrogates
    } else if (b >= 0xf0 && b <= 0xf4) {
      len = 4;
      if (b === 0xf0) lo = 0x90;
      else if (b === 0xf4) hi = 0x8f;
    } else {
      invalid++;
      i++;
      continue;
    }
    let ok = true;
    let k = 1;
    for (; k < len; k++) {
      if (i + k >= n) break;
      const c = buf[i + k];
      const min = k === 1 ? lo : 0x80;
      const max = k === 1 ? hi : 0xbf;
      if (c < min || c > max) {
        ok = false;
        break;
      }
    }
    if (ok && k < len) {
      // cut off by the end of the window
      if (final) invalid++;
      break;
    }
    if (ok) {
      valid++;
      i += len;
    } else {
      invalid++;
      i++;
    }
  }
  return { valid, invalid };
}

/**
 * The sniffing rule: UTF-8 when there are no invalid bytes, or when well-formed multibyte
 * sequences outnumber invalid bytes 8:1 (a UTF-8 file with a damaged stretch: decoding it as
 * GB18030 would garble everything without a single U+FFFD; as UTF-8 only the damaged dialogue
 * is rejected). GBK/GB18030 Chinese text forms well-formed UTF-8 only by accident, far below
 * that ratio (the Toyhom CSV: 11k accidental vs 40k invalid in its first 64 KiB).
 */
export function sniffEncoding(head: Uint8Array, final: boolean): 'utf-8' | 'gb18030' {
  const { valid, invalid } = utf8Stats(head, final);
  if (invalid === 0) return 'utf-8';
  return valid >= 8 * invalid ? 'utf-8' : 'gb18030';
}

function hasUtf8Bom(b: Uint8Array): boolean {
  return b.length >= 3 && b[0] === 0xef && b[1] === 0xbb && b[2] === 0xbf;
}

/**
 * The UTF-16 byte order of a head without a byte-order mark, read from its text: only a head
 * holding a NUL byte is looked at (UTF-8 and GB18030 text never holds one, so no such file is
 * ever asked), and it is UTF-16 in the byte order whose decoding is clean — no U+FFFD (a lone
 * surrogate), no U+0000 and no C0 control but tab, LF and CR —, holds MIN_UTF16_ASCII ASCII
 * characters at least (line ends, JSON syntax, CSV commas: each is a NUL byte beside an ASCII
 * one; stray NULs in a UTF-8 file make one each at most) and reads as text (utf16Score above 0:
 * ASCII and common Chinese outweigh mojibake indicators), while the other order's
 * decoding does not (the wrong order turns ASCII into U+XX00 and hanzi into Hangul, Yi, private
 * use and lone surrogates). Deciding by the text and not by the NULs' offsets, because CJK text
 * puts NULs on both sides (一 is U+4E00). A UTF-8 file with a stray NUL or a zero-filled tail (a
 * crashed write) fails this and stays UTF-8. An odd last byte is not looked at (the decoder turns
 * it into U+FFFD later).
 */
export function sniffUtf16(head: Uint8Array): 'utf-16le' | 'utf-16be' | undefined {
  const nul = head.indexOf(0);
  if (nul < 0 || utf8Lead(head.subarray(0, nul))) return undefined;
  const even = head.subarray(0, head.length & ~1);
  const le = utf16Score(even, 'utf-16le');
  const be = utf16Score(even, 'utf-16be');
  if (le > 0 && be <= 0) return 'utf-16le';
  if (be > 0 && le <= 0) return 'utf-16be';
  return undefined;
}

/**
 * The bytes before a head's first NUL begin with UTF-8 text: MIN_UTF8_LEAD bytes at least of valid
 * UTF-8 holding MIN_UTF8_LEAD_MULTI multibyte characters (Chinese text) before the first byte that
 * is not. A UTF-16 file puts a NUL beside
 * every ASCII character (line ends, JSON syntax) and its hanzi almost never read as valid UTF-8 for
 * long, so such a head is a UTF-8 file with a part in another encoding later (a UTF-16 export
 * appended): it is read as UTF-8, and that part becomes import.encoding rejects, not the whole file
 * garbled as UTF-16.
 */
function utf8Lead(b: Uint8Array): boolean {
  if (b.length < MIN_UTF8_LEAD) return false;
  let multi = 0;
  let i = 0;
  while (i < b.length) {
    const c = b[i];
    if (c < 0x80) {
      i++;
      continue;
    }
    const n = c >= 0xc2 && c <= 0xdf ? 2 : c >= 0xe0 && c <= 0xef ? 3 : c >= 0xf0 && c <= 0xf4 ? 4 : 0;
    let ok = n > 0 && i + n <= b.length;
    for (let k = 1; ok && k < n; k++) ok = (b[i + k] & 0xc0) === 0x80;
    if (!ok) break; // the UTF-8 text ends here (a mark or bytes of the other part): judged on what came before
    multi++;
    i += n;
  }
  return i >= MIN_UTF8_LEAD && multi >= MIN_UTF8_LEAD_MULTI;
}

const MIN_UTF8_LEAD = 32;
const MIN_UTF8_LEAD_MULTI = 4;

/** The fewest ASCII characters a head read as UTF-16 must hold (see sniffUtf16). */
const MIN_UTF16_ASCII = 8;

/**
 * How much the UTF-16 decoding of `b` reads as text: -Infinity when it is not clean or holds
 * fewer than MIN_UTF16_ASCII ASCII characters (see sniffUtf16), else plausibility()'s score plus one per ASCII character (which plausibility does
 * not count: a header line or JSON syntax is text too). A unit cut by the end is left out.
 */
function utf16Score(b: Uint8Array, enc: 'utf-16le' | 'utf-16be'): number {
  const s = new TextDecoder(enc, { fatal: false, ignoreBOM: true }).decode(b, { stream: true });
  let ascii = 0;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c < 0x20 ? c !== 9 && c !== 10 && c !== 13 : c === 0xfffd) return -Infinity;
    if (c < 0x80) ascii++;
  }
  return ascii < MIN_UTF16_ASCII ? -Infinity : plausibility(s).score + ascii;
}

/**
 * The UTF-32 byte order a leading byte-order mark names, if any. Checked before UTF-16's: FF FE 00 00
 * starts with the UTF-16LE mark, and read so every character came with a NUL (one garbled reject).
 */
function utf32Bom(b: Uint8Array): 'utf-32le' | 'utf-32be' | undefined {
  if (b.length < 4) return undefined;
  if (b[0] === 0xff && b[1] === 0xfe && b[2] === 0 && b[3] === 0) return 'utf-32le';
  if (b[0] === 0 && b[1] === 0 && b[2] === 0xfe && b[3] === 0xff) return 'utf-32be';
  return undefined;
}

/** The UTF-16 byte order a leading byte-order mark names, if any. */
function utf16Bom(b: Uint8Array): 'utf-16le' | 'utf-16be' | undefined {
  if (b.length < 2) return undefined;
  if (b[0] === 0xff && b[1] === 0xfe) return 'utf-16le';
  if (b[0] === 0xfe && b[1] === 0xff) return 'utf-16be';
  return undefined;
}

interface ChunkDecoder {
  write(b: Buffer): string;
  end(): string;
}

function makeDecoder(enc: ResolvedEncoding): ChunkDecoder {
  if (enc === 'utf-8') {
    // fatal: false → invalid bytes become U+FFFD; the default ignoreBOM: false strips a BOM.
    const td = new TextDecoder('utf-8', { fatal: false });
    return {
      write: (b) => td.decode(b, { stream: true }),
      end: () => td.decode(),
    };
  }
  const d = iconv.getDecoder(enc, { stripBOM: true });
  return {
    write: (b) => d.write(b),
    end: () => d.end() ?? '',
  };
}


/** 'auto' decodes the complete lines of a chunk in spans of about this many bytes (each yielded as its own string). */
const SPAN_BYTES = 64 << 10;

/** Lines longer than this (no LF) are decided in pieces, cut at a boundary safe in both encodings. */
export const MAX_LINE_BYTES = 1 << 20;

let level1: Uint8Array | undefined;
/** GB2312 level-1 hanzi (the 3,755 most common characters, GBK B0A1–D7F9) as a code-unit table. */
function level1Table(): Uint8Array {
  if (level1) return level1;
  const t = new Uint8Array(0x10000);
  const bytes: number[] = [];
  for (let hi = 0xb0; hi <= 0xd7; hi++) for (let lo = 0xa1; lo <= 0xfe; lo++) bytes.push(hi, lo);
  const s = iconv.decode(Buffer.from(bytes), 'gbk');
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c >= 0x4e00 && c <= 0x9fff) t[c] = 1;
  }
  level1 = t;
  return t;
}

export interface Plausibility {
  score: number;
  /** U+FFFD count. */
  bad: number;
  /** Clean and made of what Chinese text is made of (no mojibake indicator dominates). */
  plausible: boolean;
}

/** How much a decoded line looks like real (Chinese or ASCII) text; see the header. */
export function plausibility(s: string): Plausibility {
  const t = level1Table();
  let score = 0;
  let bad = 0;
  let common = 0;
  let odd = 0;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c < 0x80) continue;
    if (c === 0xfffd) {
      bad++;
      score -= 20;
    } else if (c >= 0x4e00 && c <= 0x9fff) {
      if (t[c] === 1) {
        common++;
        score += 2;
      } else {
        odd++;
        score -= 1;
      }
    } else if ((c >= 0x3000 && c <= 0x303f) || (c >= 0xff00 && c <= 0xffef) || (c >= 0x2010 && c <= 0x206f) || c === 0xfeff) {
      score += 1; // CJK and general punctuation, full-width forms
    } else if (c >= 0xd800 && c <= 0xdfff) {
      // an astral character (emoji): neutral; skip its low surrogate
      if (c <= 0xdbff) i++;
    } else {
      // Latin-1/extended, Greek, Cyrillic … kana, box drawing, PUA, CJK extension A, C1 controls
      odd++;
      score -= c < 0xa0 || (c >= 0xe000 && c <= 0xf8ff) ? 3 : 1;
    }
  }
  return { score, bad, plausible: bad === 0 && odd <= common / 4 };
}

const utf8Strict = new TextDecoder('utf-8', { fatal: false, ignoreBOM: true });

function isAscii(b: Uint8Array): boolean {
  for (let i = 0; i < b.length; i++) if (b[i] >= 0x80) return false;
  return true;
}

function decodeAs(enc: 'utf-8' | 'gb18030', b: Buffer): string {
  return enc === 'utf-8' ? decodeUtf8(b) : iconv.decode(b, 'gb18030', { stripBOM: false });
}

/** buffer.transcode (ICU, absent from builds without it), isUtf8 and isAscii (simdutf) when Node has them. */
const { transcode, isUtf8, isAscii: isAsciiFast } = nodeBuffer as Partial<Pick<typeof nodeBuffer, 'transcode' | 'isUtf8' | 'isAscii'>>;

/** Below this, TextDecoder is as fast as checking and transcoding. */
const TRANSCODE_MIN_BYTES = 1024;

/**
 * UTF-8 bytes as text, exactly as utf8Strict decodes them. Valid UTF-8 has one decoding, which
 * ICU's transcode to UTF-16 gives several times faster than TextDecoder for Chinese text; pure
 * ASCII is its Latin-1 reading. Anything else (invalid bytes, whose U+FFFD replacements must
 * follow TextDecoder's rule, or a short span) goes through TextDecoder.
 */
function decodeUtf8(b: Buffer): string {
  if (b.length >= TRANSCODE_MIN_BYTES && transcode && isUtf8 && isAsciiFast) {
    if (isAsciiFast(b)) return b.toString('latin1');
    if (isUtf8(b)) return transcode(b, 'utf8', 'utf16le').toString('utf16le');
  }
  return utf8Strict.decode(b);
}

/** One line (or piece of a line) decoded by the rule in the header; `prior` breaks ties. */
export function decodeLine(b: Buffer, prior: 'utf-8' | 'gb18030'): string {
  if (b.length >= 3 && b[0] === 0xef && b[1] === 0xbb && b[2] === 0xbf) b = b.subarray(3);
  if (isAscii(b)) return b.toString('latin1');
  const first = decodeAs(prior, b);
  const p1 = plausibility(first);
  if (p1.plausible) return first;
  // Valid UTF-8 whose letters are accented Latin inside Latin words (café, Größe, señor): a Latin
  // line, not GBK (it read as caf茅, a plausible GB18030 line of common hanzi).
  if (prior === 'utf-8' && p1.bad === 0 && LATIN_WORDS.test(first)) return first;
  const other = prior === 'utf-8' ? 'gb18030' : 'utf-8';
  const second = decodeAs(other, b);
  const p2 = plausibility(second);
  if (p2.plausible) return p2.score > p1.score ? second : first;
  const repaired = undoLatin1Mojibake(prior === 'utf-8' ? first : second);
  if (repaired !== undefined) return repaired;
  return p2.score > p1.score ? second : first;
}

/** A text whose non-ASCII characters are all accented Latin letters next to an ASCII letter (inside a word). */
const LATIN_WORDS = /^(?:[\x00-\x7f]|(?<=[A-Za-z])[\u00c0-\u024f]+|[\u00c0-\u024f]+(?=[A-Za-z]))*$/;

/** CP1252's characters for bytes 0x80–0x9F (the rest of the range reads as Latin-1, C1 controls included). */
const CP1252_HIGH = '\u20ac\u0081\u201a\u0192\u201e\u2026\u2020\u2021\u02c6\u2030\u0160\u2039\u0152\u008d\u017d\u008f\u0090\u2018\u2019\u201c\u201d\u2022\u2013\u2014\u02dc\u2122\u0161\u203a\u0153\u009d\u017e\u0178';
const CP1252_BYTE = new Map<number, number>();
for (let i = 0; i < 32; i++) CP1252_BYTE.set(CP1252_HIGH.charCodeAt(i), 0x80 + i);
const utf8Fatal = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true });

/**
 * A line that is Chinese text whose bytes were once read as Latin-1 or CP1252 and saved again as
 * UTF-8 (åŒ»ç”Ÿ for 医生, ÎÒÍ·ºÜÍ´ for GBK 我头很痛: a tool that did not know the encoding).
 * Its UTF-8 reading is Latin letters and its GB18030 reading rare ideographs, so neither is
 * plausible; the bytes it stands for are got back exactly (each character one byte) and decoded
 * as UTF-8 or GB18030. Undefined unless every character maps to one byte and one of the two
 * decodings is clean and plausible, so ordinary Latin text (café, naïve) is never touched.
 */
export function undoLatin1Mojibake(text: string): string | undefined {
  const bytes = Buffer.allocUnsafe(text.length);
  let high = 0;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c < 0x100) {
      bytes[i] = c;
      if (c >= 0x80) high++;
    } else {
      const b = CP1252_BYTE.get(c);
      if (b === undefined) return undefined;
      bytes[i] = b;
      high++;
    }
  }
  if (high < 2) return undefined;
  let best: string | undefined;
  let bestScore = -Infinity;
  try {
    const u = utf8Fatal.decode(bytes);
    const p = plausibility(u);
    if (p.plausible && p.score > 0) [best, bestScore] = [u, p.score];
  } catch {
    // not UTF-8 underneath
  }
  // GBK underneath: every character is two bytes, so every run of non-ASCII characters has an even
  // length (a Latin word's é, ö stand alone: café is not caf茅).
  if (evenHighRuns(text)) {
    const g = iconv.decode(bytes, 'gb18030', { stripBOM: false });
    const pg = plausibility(g);
    if (pg.plausible && pg.score > bestScore && pg.score > 0) best = g;
  }
  return best;
}

/** Every maximal run of characters at or above U+0080 has an even length, and one is 4 or longer. */
function evenHighRuns(text: string): boolean {
  let run = 0;
  let long = false;
  for (let i = 0; i <= text.length; i++) {
    if (i < text.length && text.charCodeAt(i) >= 0x80) {
      run++;
      continue;
    }
    if (run % 2 === 1) return false;
    if (run >= 4) long = true;
    run = 0;
  }
  return long;
}

/**
 * Complete lines (`b` ends with LF) decoded as decodeLine decodes each of them, concatenated.
 * Fast path: the whole span decoded at once in the prior, which equals the per-line decodings of
 * every line whose prior decoding is clean and plausible (an LF is a character boundary in both
 * encodings, so without invalid bytes decoding commutes with concatenation; an ASCII line reads
 * the same in both); a line that is not plausible is decided again by decodeLine from its bytes.
 * A span with a UTF-8 byte-order mark at a line start, or with any U+FFFD in its decoding, goes
 * through decodeLine line by line.
 */
export function decodeLines(b: Buffer, prior: 'utf-8' | 'gb18030'): string {
  if (!hasLineBom(b)) {
    const text = decodeAs(prior, b);
    if (text.indexOf(REPLACEMENT_CHAR) < 0) return withImplausibleRedecided(text, b, prior);
  }
  let out = '';
  let start = 0;
  for (;;) {
    const nl = b.indexOf(10, start);
    if (nl < 0) break;
    out += decodeLine(b.subarray(start, nl + 1), prior);
    start = nl + 1;
  }
  if (start < b.length) out += decodeLine(b.subarray(start), prior);
  return out;
}

/** EF BB BF at the start of b or after any LF. */
function hasLineBom(b: Buffer): boolean {
  return hasUtf8Bom(b) || b.indexOf(BOM_AFTER_LF) >= 0;
}
const BOM_AFTER_LF = Buffer.from([10, 0xef, 0xbb, 0xbf]);

/**
 * `text` (the clean decoding of `b`) with every line that plausibility() would not call plausible
 * replaced by decodeLine of that line's bytes (line i of the text is line i of the bytes: no
 * U+FFFD, so every LF byte is one '\n'). Counts as plausibility() does, in one scan.
 */
function withImplausibleRedecided(text: string, b: Buffer, prior: 'utf-8' | 'gb18030'): string {
  const t = level1Table();
  let common = 0;
  let odd = 0;
  let out = '';
  let done = 0; // text before this is in out (or taken as is)
  let lineStart = 0;
  let byteStart = 0;
  const len = text.length;
  for (let i = 0; i <= len; i++) {
    const c = i < len ? text.charCodeAt(i) : 10;
    if (c < 0x80) {
      if (c === 10) {
        const end = Math.min(i + 1, len);
        const byteEnd = i < len ? b.indexOf(10, byteStart) + 1 : b.length;
        if (odd > common / 4 && end > lineStart) {
          out += text.slice(done, lineStart) + decodeLine(b.subarray(byteStart, byteEnd), prior);
          done = end;
        }
        common = 0;
        odd = 0;
        lineStart = end;
        byteStart = byteEnd;
      }
      continue;
    }
    if (c >= 0x4e00 && c <= 0x9fff) {
      if (t[c] === 1) common++;
      else odd++;
    } else if ((c >= 0x3000 && c <= 0x303f) || (c >= 0xff00 && c <= 0xffef) || (c >= 0x2010 && c <= 0x206f) || c === 0xfeff) {
      // punctuation and full-width forms: neither
    } else if (c >= 0xd800 && c <= 0xdfff) {
      if (c <= 0xdbff) i++; // an astral character: neutral
    } else odd++;
  }
  return done === 0 ? text : out + text.slice(done);
}

/** Where to cut a long line: a position preceded by an ASCII byte and holding one (a character start in both encodings). */
function safeCut(b: Buffer, from: number): number {
  for (let i = Math.max(1, from); i < b.length; i++) if (b[i] < 0x80 && b[i - 1] < 0x80) return i;
  return -1;
}

/** The first UTF-8 character start at or after `from` (a byte that is not 10xxxxxx), or `from` when none is within 4 bytes. */
function utf8CharStart(b: Buffer, from: number): number {
  for (let i = from; i < b.length && i < from + 4; i++) if ((b[i] & 0xc0) !== 0x80) return i;
  return from;
}

/**
 * A UTF-16 or UTF-32 input decoded whole, streaming, from its head on. Both decoders strip the
 * mark and turn an invalid or cut code unit into U+FFFD (the importer rejects that dialogue):
 * TextDecoder for UTF-16 (iconv would drop an odd last byte and keep a lone surrogate), iconv for
 * UTF-32 (TextDecoder has none).
 */
async function* decodeWide(enc: WideEncoding, head: Buffer, it: AsyncIterator<Buffer>, done: boolean): AsyncGenerator<string> {
  let decoder: { write(b: Buffer): string; end(): string | undefined };
  if (enc === 'utf-32le' || enc === 'utf-32be') decoder = iconv.getDecoder(enc, { stripBOM: true });
  else {
    const td = new TextDecoder(enc, { fatal: false });
    decoder = { write: (b) => td.decode(b, { stream: true }), end: () => td.decode() };
  }
  let s = decoder.write(head);
  if (s) yield s;
  while (!done) {
    const r = await it.next();
    if (r.done) break;
    s = decoder.write(r.value);
    if (s) yield s;
  }
  const tail = decoder.end();
  if (tail) yield tail;
}

/** Chunks of `it` until they hold at least `bytes` bytes or it ends (`done`: it ended). */
export async function readAhead(it: AsyncIterator<Buffer>, bytes: number): Promise<{ held: Buffer[]; size: number; done: boolean }> {
  const held: Buffer[] = [];
  let size = 0;
  while (size < bytes) {
    const r = await it.next();
    if (r.done) return { held, size, done: true };
    held.push(r.value);
    size += r.value.length;
  }
  return { held, size, done: false };
}

/** Decodes a byte stream chunk by chunk; `resolved` (when given) receives the encoding used ('auto': the file's prior). */
export async function* decodeText(
  bytes: AsyncIterable<Buffer>,
  encoding: Encoding,
  resolved?: (enc: ResolvedEncoding) => void,
): AsyncGenerator<string> {
  const it = bytes[Symbol.asyncIterator]();
  try {
    yield* decodeFrom(it, encoding, resolved);
  } finally {
    // The consumer may stop early (a test taking the first items): release the file.
    await it.return?.();
  }
}

/**
 * A named encoding that the file's first chunk contradicts: its decoding there is not plausible
 * while the other encoding's is (a UTF-8 file named gb18030 reads as 鎴戝ご寰堢棝, without a
 * single undecodable byte, so no dialogue would be rejected for it). A config mistake: the
 * executors check each file's first SNIFF_BYTES with it before reading the file (read-sources.ts).
 * A file the named encoding reads plausibly passes, whatever 'auto' would say.
 */
export function checkNamedEncoding(named: 'utf-8' | 'gb18030' | 'gbk', head: Buffer): void {
  const body = hasUtf8Bom(head) ? head.subarray(3) : head;
  if (body.length === 0 || isAscii(body)) return;
  // Cut at the last line end (or ASCII byte) so neither decoding sees half a character.
  let end = body.lastIndexOf(10);
  if (end < 0) for (end = body.length - 1; end > 0 && body[end] >= 0x80; end--);
  const sample = body.subarray(0, end + 1);
  const mine = named === 'utf-8' ? decodeUtf8(sample) : iconv.decode(sample, named, { stripBOM: false });
  if (plausibility(mine).plausible) return;
  const other = named === 'utf-8' ? 'gb18030' : 'utf-8';
  if (!plausibility(decodeAs(other, sample)).plausible) return;
  throw new CmtError('CMT_CONFIG_INVALID', `the file is named encoding: ${named}, but its text reads as ${other} (as ${named} it is garbled); set \`encoding: auto\` or \`encoding: ${other}\` for this source`, { encoding: named, readsAs: other });
}

async function* decodeFrom(
  it: AsyncIterator<Buffer>,
  encoding: Encoding,
  resolved?: (enc: ResolvedEncoding) => void,
): AsyncGenerator<string> {
  if (encoding !== 'auto') {
    resolved?.(encoding);
    const decoder = makeDecoder(encoding);
    for (;;) {
      const r = await it.next();
      if (r.done) break;
      const s = decoder.write(r.value);
      if (s) yield s;
    }
    const tail = decoder.end();
    if (tail) yield tail;
    return;
  }
  // Hold chunks until SNIFF_BYTES (or the end) and take the file's prior from them.
  const { held, size, done } = await readAhead(it, SNIFF_BYTES);
  const head = Buffer.concat(held, size);
  // UTF-32 first: its LE mark begins with the UTF-16LE one. Either is decoded whole, streaming.
  const wide = utf32Bom(head) ?? utf16Bom(head) ?? sniffUtf16(head.subarray(0, SNIFF_BYTES));
  if (wide) {
    resolved?.(wide);
    yield* decodeWide(wide, head, it, done);
    return;
  }
  const body = hasUtf8Bom(head) ? head.subarray(3) : head;
  const prior = sniffEncoding(body.subarray(0, SNIFF_BYTES), done && body.length <= SNIFF_BYTES);
  resolved?.(prior);

  /** The unfinished line: pieces of earlier chunks (copies, so chunks are not kept alive). */
  let parts: Buffer[] = [];
  let partsLen = 0;
  /** Decoded text of the chunk being fed, in pieces of complete lines (a long span in several). */
  let out: string[] = [];
  const emit = (s: string) => {
    if (s) out.push(s);
  };
  const feed = (chunk: Buffer, final: boolean): string[] => {
    out = [];
    let start = 0;
    const lastNl = chunk.lastIndexOf(10);
    if (lastNl >= 0) {
      // The line the held parts begin, then the chunk's other complete lines as spans of about
      // SPAN_BYTES (cut after an LF: decoding each span equals decoding them all at once, and
      // strings of that size are far cheaper to make than one of the whole chunk).
      const nl = chunk.indexOf(10);
      const piece = chunk.subarray(0, nl + 1);
      emit(decodeLine(parts.length ? Buffer.concat([...parts, piece]) : piece, prior));
      parts = [];
      partsLen = 0;
      start = nl + 1;
      while (lastNl >= start) {
        const cut = start + SPAN_BYTES > lastNl ? lastNl + 1 : chunk.indexOf(10, start + SPAN_BYTES - 1) + 1;
        emit(decodeLines(chunk.subarray(start, cut), prior));
        start = cut;
      }
    }
    if (start < chunk.length) {
      parts.push(Buffer.from(chunk.subarray(start)));
      partsLen += chunk.length - start;
    }
    if (partsLen > MAX_LINE_BYTES) {
      // An over-long line: decide its parts now, each at a boundary safe in both encodings, until
      // at most MAX_LINE_BYTES are held (a chunk may bring many times that: one cut per chunk let
      // the held line grow with the input, concatenated again per chunk).
      let all = Buffer.concat(parts);
      /** A search found no safe boundary up to the end: none lies in what is left after a forced cut either (not searched again). */
      let noSafeCut = false;
      while (all.length > MAX_LINE_BYTES) {
        let cut: number = noSafeCut ? -1 : safeCut(all, MAX_LINE_BYTES >> 1);
        noSafeCut = cut < 0;
        // No boundary safe in both encodings (megabytes without two ASCII bytes in a row): cut
        // anyway, in UTF-8 at a character start so no character is split (U+FFFD would reject it).
        if (cut < 0 && all.length > 4 * MAX_LINE_BYTES) cut = prior === 'utf-8' ? utf8CharStart(all, MAX_LINE_BYTES) : MAX_LINE_BYTES;
        if (cut <= 0) break;
        emit(decodeLine(all.subarray(0, cut), prior));
        all = all.subarray(cut);
      }
      // A copy: the rest must not keep the chunk (or the concatenation) alive.
      parts = [Buffer.from(all)];
      partsLen = all.length;
    }
    if (final && partsLen > 0) {
      emit(decodeLine(Buffer.concat(parts), prior));
      parts = [];
      partsLen = 0;
    }
    return out;
  };
  yield* feed(body, done);
  if (done) return;
  for (;;) {
    const r = await it.next();
    if (r.done) break;
    yield* feed(r.value, false);
  }
  yield* feed(Buffer.alloc(0), true);
}
