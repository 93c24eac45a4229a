/**
 * Bytes → text for the importers, streaming: UTF-8 or GB18030/GBK.
 *
 * 'auto' strips a UTF-8 BOM and sniffs the first SNIFF_BYTES: UTF-8 when those bytes are
 * (almost all) valid UTF-8, GB18030 otherwise. Decoders are stateful, so a multibyte character
 * or a GBK pair split across chunks comes out whole.
 *
 * Must not hide bad bytes: an invalid sequence (in the sniffed window or later) decodes to
 * U+FFFD, which the importers turn into an `import.encoding` reject for the dialogue holding it
 * (see item.ts). Nothing here drops or guesses characters.
 */
import iconv from 'iconv-lite';
import type { ImportInput } from './types.js';

export type Encoding = ImportInput['encoding'];
export type ResolvedEncoding = 'utf-8' | 'gb18030' | 'gbk';

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

/** Decodes a byte stream chunk by chunk; `resolved` (when given) receives the encoding used. */
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

async function* decodeFrom(
  it: AsyncIterator<Buffer>,
  encoding: Encoding,
  resolved?: (enc: ResolvedEncoding) => void,
): AsyncGenerator<string> {
  let decoder: ChunkDecoder;
  if (encoding === 'auto') {
    // Hold chunks until SNIFF_BYTES (or the end), decide, then decode what was held.
    const held: Buffer[] = [];
    let size = 0;
    let done = false;
    while (size < SNIFF_BYTES) {
      const r = await it.next();
      if (r.done) {
        done = true;
        break;
      }
      held.push(r.value);
      size += r.value.length;
    }
    const head = Buffer.concat(held, size);
    const body = hasUtf8Bom(head) ? head.subarray(3) : head;
    const enc = sniffEncoding(body.subarray(0, SNIFF_BYTES), done && body.length <= SNIFF_BYTES);
    resolved?.(enc);
    decoder = makeDecoder(enc);
    const first = decoder.write(enc === 'utf-8' ? head : body);
    if (first) yield first;
    if (done) {
      const tail = decoder.end();
      if (tail) yield tail;
      return;
    }
  } else {
    resolved?.(encoding);
    decoder = makeDecoder(encoding);
  }
  for (;;) {
    const r = await it.next();
    if (r.done) break;
    const s = decoder.write(r.value);
    if (s) yield s;
  }
  const tail = decoder.end();
  if (tail) yield tail;
}
