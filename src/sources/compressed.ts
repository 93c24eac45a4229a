/**
 * Compressed and archived inputs (a downloaded `train.jsonl.gz`, a `.zip` of the dump).
 * A gzip file (one member or several concatenated, as `cat a.gz b.gz` makes) is read as the text
 * it holds: decompressed as it streams, so memory does not grow with it. Two things end it early,
 * each with one reject after what was read (the importer sees its input end there and reports a
 * record cut at that point as it reports any truncated input):
 *  - a corrupt or cut gzip stream (a download that stopped): `import.truncated`, naming the
 *    compressed and decompressed bytes read;
 *  - a stream that expands beyond GZIP_MAX_RATIO times the compressed bytes read once past
 *    GZIP_SLACK_BYTES (a decompression bomb; real dumps expand 3-10 times): `import.encoding`.
 * Bytes after the last member that start no new one (a file appended, cat a.gz notes.txt) are
 * one `import.parse_error` reject after everything the members hold was read; zero padding is fine.
 * A member's CRC and size (its trailer) are checked: a mismatch is corrupt data.
 * A gzip that holds gzip again is refused as below (the inner bytes are no text).
 * zip, bzip2, xz, zstd and 7-Zip, by their magic number, are one `import.encoding` reject that
 * names the compression and what to do: Node has no streaming decoder for the last three, and a zip
 * holds files, not one text. Other inputs pass through untouched, chunk for chunk. It reads at most
 * MAGIC_BYTES ahead.
 */
import * as zlib from 'node:zlib';
import { createInflateRaw } from 'node:zlib';
import type { Origin } from '../../schemas/dialogue.js';
import { readAhead } from './encoding.js';
import { rejectItem } from './item.js';
import type { FileFormat, ImportInput, Importer } from './types.js';

/** The longest magic number looked for. */
const MAGIC_BYTES = 6;

/** Decompressed bytes a gzip input may hold beyond GZIP_MAX_RATIO × its compressed bytes read. */
export const GZIP_SLACK_BYTES = 64 << 20;
/** How many times its compressed size a gzip input may expand (past GZIP_SLACK_BYTES). */
export const GZIP_MAX_RATIO = 200;

const MAGICS: ReadonlyArray<{ name: string; bytes: number[]; fix: string }> = [
  { name: 'gzip', bytes: [0x1f, 0x8b], fix: 'decompress it (gunzip FILE) and run again' },
  { name: 'zip', bytes: [0x50, 0x4b, 0x03, 0x04], fix: 'extract it (unzip FILE) and name the extracted file(s) in the source path' },
  { name: 'zip', bytes: [0x50, 0x4b, 0x05, 0x06], fix: 'it is an empty zip archive: extract the dump and name its file(s)' },
  { name: 'bzip2', bytes: [0x42, 0x5a, 0x68], fix: 'decompress it (bunzip2 FILE) and run again' },
  { name: 'xz', bytes: [0xfd, 0x37, 0x7a, 0x58, 0x5a, 0x00], fix: 'decompress it (unxz FILE) and run again' },
  { name: 'zstd', bytes: [0x28, 0xb5, 0x2f, 0xfd], fix: 'decompress it (unzstd FILE) and run again' },
  { name: '7-Zip', bytes: [0x37, 0x7a, 0xbc, 0xaf, 0x27, 0x1c], fix: 'extract it (7z x FILE) and name the extracted file(s)' },
];

/** The compression `head` starts with, if any (bzip2 only with its block size digit 1-9 after "BZh"). */
export function compressionOf(head: Buffer): (typeof MAGICS)[number] | undefined {
  return MAGICS.find((m) => {
    if (head.length < m.bytes.length || !m.bytes.every((b, k) => head[k] === b)) return false;
    return m.name !== 'bzip2' || (head.length > 3 && head[3] >= 0x31 && head[3] <= 0x39);
  });
}

/** What ended a gzip input early, if anything. */
interface GzipEnd {
  kind?: 'corrupt' | 'bomb';
  detail?: string;
  /** Bytes after the last member that start no new one (and are not zero padding): read past, reported. */
  trailing?: number;
  compressed: number;
  decompressed: number;
}

/** The bytes of `first` then the rest of `it` (unless `done`), counting them into `end.compressed` when given. */
async function* counted(first: Buffer[], it: AsyncIterator<Buffer>, done: boolean, end?: GzipEnd): AsyncGenerator<Buffer> {
  try {
    for (const b of first) {
      if (end) end.compressed += b.length;
      yield b;
    }
    if (done) return;
    for (;;) {
      const r = await it.next();
      if (r.done) return;
      if (end) end.compressed += r.value.length;
      yield r.value;
    }
  } finally {
    await it.return?.();
  }
}

/** Where a gzip member's header ends in `b` (RFC 1952), 'more' if `b` holds only part of it, 'not-gzip' if `b` starts no member. */
function memberHeaderEnd(b: Buffer): number | 'more' | 'not-gzip' {
  if (b.length >= 1 && b[0] !== 0x1f) return 'not-gzip';
  if (b.length >= 2 && b[1] !== 0x8b) return 'not-gzip';
  if (b.length >= 3 && b[2] !== 8) return 'not-gzip';
  if (b.length < 10) return 'more';
  const flags = b[3]!;
  if (flags & 0xe0) return 'not-gzip'; // reserved bits (RFC 1952): no member
  let q = 10;
  if (flags & 4) {
    if (b.length < q + 2) return 'more';
    q += 2 + b.readUInt16LE(q);
  }
  for (const bit of [8, 16]) {
    if (flags & bit) {
      const z = b.indexOf(0, q);
      if (z === -1) return 'more';
      q = z + 1;
    }
  }
  if (flags & 2) q += 2;
  return b.length < q ? 'more' : q;
}

/** Bytes of input written to a member's inflater at a time (its output is checked between them). */
const INFLATE_SLICE = 16 << 10;
/** A member header longer than this (its file name or comment never ends) is corrupt. */
const MAX_HEADER_BYTES = 64 << 10;

const crc32 = (zlib as { crc32?: (data: Buffer, value?: number) => number }).crc32;

/**
 * The decompressed bytes of a gzip input, member by member (a raw inflater per member, its header
 * and trailer read here): stops (with `end.kind` set) at a corrupt or cut stream or a bomb. Node's
 * gunzip fails on bytes after the last member that start no new one (cat a.gz notes.txt) and
 * drops what it decompressed from the same write, so a small file lost all its text; here the
 * members are read whole and the trailing bytes are reported (`end.trailing`). Trailing zero
 * bytes (padding) are not.
 */
async function* gunzipped(compressed: AsyncGenerator<Buffer>, end: GzipEnd): AsyncGenerator<Buffer> {
  const it = compressed[Symbol.asyncIterator]();
  let pending: Buffer = Buffer.alloc(0);
  let srcDone = false;
  const more = async (): Promise<boolean> => {
    if (srcDone) return false;
    const r = await it.next();
    if (r.done) {
      srcDone = true;
      return false;
    }
    pending = pending.length ? Buffer.concat([pending, r.value]) : r.value;
    return true;
  };
  const corrupt = (detail: string) => {
    end.kind = 'corrupt';
    end.detail = detail;
  };
  let members = 0;
  try {
    for (;;) {
      let q = memberHeaderEnd(pending);
      while (q === 'more' && pending.length <= MAX_HEADER_BYTES && (await more())) q = memberHeaderEnd(pending);
      if (q === 'more' && pending.length > MAX_HEADER_BYTES) return corrupt(`no end of the gzip member header in its first ${MAX_HEADER_BYTES} bytes (a name or comment without its NUL)`);
      if (pending.length === 0 && srcDone) {
        if (members === 0) corrupt('no gzip member');
        return;
      }
      if (q === 'not-gzip') {
        if (members === 0) return corrupt('incorrect header check');
        // What follows the last member: zero padding is fine, anything else is counted and reported.
        let trailing = pending.length;
        let zeros = pending.every((x) => x === 0);
        while (!srcDone) {
          const r = await it.next();
          if (r.done) srcDone = true;
          else {
            trailing += r.value.length;
            if (zeros) zeros = r.value.every((x) => x === 0);
          }
        }
        if (!zeros) end.trailing = trailing;
        return;
      }
      if (q === 'more') return corrupt('the input ends inside a gzip member header');
      const ir = createInflateRaw();
      const out: Buffer[] = [];
      let ended = false;
      let error: Error | undefined;
      ir.on('data', (c: Buffer) => out.push(c));
      ir.once('end', () => (ended = true));
      ir.once('error', (e: Error) => (error = e));
      let size = 0;
      let crc = 0;
      const recent: Buffer[] = [];
      let fedRecent = 0;
      let fed = 0;
      /** Hands on what the inflater made; false when that makes the input a bomb (then stop). */
      const drain = function* (): Generator<Buffer, boolean> {
        for (const c of out.splice(0)) {
          size += c.length;
          if (crc32) crc = crc32(c, crc);
          end.decompressed += c.length;
          if (end.decompressed > GZIP_SLACK_BYTES && end.decompressed > GZIP_MAX_RATIO * end.compressed) {
            end.kind = 'bomb';
            return false;
          }
          yield c;
        }
        return true;
      };
      let chunk: Buffer = pending.subarray(q);
      pending = Buffer.alloc(0);
      try {
        for (;;) {
          if (chunk.length) {
            recent.push(chunk);
            fedRecent += chunk.length;
            fed += chunk.length;
            if (recent.length > 2) fedRecent -= recent.shift()!.length;
            // In slices, so one read chunk of a bomb never expands whole before the check below;
            // an error destroys the inflater without calling the write callback, so wake on it too.
            for (let at = 0; at < chunk.length && !error && !ended; at += INFLATE_SLICE) {
              await new Promise<void>((res) => {
                const wake = () => res();
                ir.once('close', wake);
                ir.write(chunk.subarray(at, at + INFLATE_SLICE), () => {
                  ir.off('close', wake);
                  res();
                });
              });
              if (error) break;
              await new Promise<void>((res) => setImmediate(res));
              if (!(yield* drain())) return;
            }
          } else if (srcDone && !ended) {
            await new Promise<void>((res) => {
              ir.once('close', res);
              ir.end();
            });
          }
          await new Promise<void>((res) => setImmediate(res));
          if (!(yield* drain())) return;
          if (error) return corrupt(error.message);
          if (ended) break;
          if (srcDone) return corrupt('unexpected end of file');
          const r = await it.next();
          if (r.done) {
            srcDone = true;
            chunk = Buffer.alloc(0);
          } else chunk = r.value;
        }
        // What this member's deflate data did not use (the inflater stops at its end) is the start
        // of its trailer and of what follows; it lies in the last chunks fed.
        const unused = fed - ir.bytesWritten;
        if (unused < 0 || unused > fedRecent) return corrupt(`the gzip member ends where it cannot be found (${unused} bytes unused)`);
        const tail = recent.length === 1 ? recent[0]! : Buffer.concat(recent);
        pending = tail.subarray(tail.length - unused);
      } finally {
        ir.destroy();
      }
      while (pending.length < 8 && (await more()));
      if (pending.length < 8) return corrupt('the input ends before the gzip member trailer (CRC and size)');
      if (pending.readUInt32LE(4) !== size >>> 0) return corrupt(`the gzip member trailer gives ${pending.readUInt32LE(4)} bytes, ${size >>> 0} were decompressed`);
      if (crc32 && pending.readUInt32LE(0) !== crc >>> 0) return corrupt('incorrect data check (the gzip member CRC does not match its data)');
      pending = pending.subarray(8);
      members++;
    }
  } catch (e) {
    corrupt(e instanceof Error ? e.message : String(e));
  } finally {
    await it.return?.(undefined);
  }
}

/** The first bytes of an input (at least MAGIC_BYTES unless it is shorter), and whether that was all of it. */
async function head(it: AsyncIterator<Buffer>): Promise<{ held: Buffer[]; done: boolean; magic: (typeof MAGICS)[number] | undefined }> {
  const { held, size, done } = await readAhead(it, MAGIC_BYTES);
  const magic = compressionOf(held.length === 1 ? held[0] : Buffer.concat(held, size).subarray(0, MAGIC_BYTES));
  return { held, done, magic };
}

function refusal(format: FileFormat, file: string, magic: (typeof MAGICS)[number], inner: boolean) {
  const origin: Origin = { format, file, sourceId: 'file', position: 0 };
  const what = inner ? `the gzip input holds ${magic.name}-compressed bytes again` : `the input is ${magic.name}-compressed, not text (it starts with the ${magic.name} magic bytes)`;
  const fix = inner ? 'decompress it twice (gunzip, then as its inner format) and run again' : magic.fix;
  return rejectItem('import.encoding', `${what}: ${fix}; nothing of it was read`, origin, '', { evidence: { compression: inner ? `gzip+${magic.name}` : magic.name } });
}

/**
 * The importer, reading a gzip input decompressed and turning any other compressed or archived
 * input into one reject before it reads anything.
 */
export function refusingCompressed(format: FileFormat, importer: Importer): Importer {
  return async function* (input: ImportInput) {
    const it = input.bytes[Symbol.asyncIterator]();
    const first = await head(it);
    if (first.magic?.name !== 'gzip') {
      if (first.magic) {
        await it.return?.();
        yield refusal(format, input.file, first.magic, false);
        return;
      }
      yield* importer({ ...input, bytes: counted(first.held, it, first.done) });
      return;
    }
    const end: GzipEnd = { compressed: 0, decompressed: 0 };
    const inner = gunzipped(counted(first.held, it, first.done, end), end);
    const innerIt = inner[Symbol.asyncIterator]();
    const innerHead = await head(innerIt);
    if (innerHead.magic) {
      await innerIt.return?.(undefined);
      yield refusal(format, input.file, innerHead.magic, true);
      return;
    }
    yield* importer({ ...input, bytes: counted(innerHead.held, innerIt, innerHead.done) });
    const origin: Origin = { format, file: input.file, sourceId: 'file', position: 0 };
    const read = `after ${end.compressed} compressed bytes (${end.decompressed} decompressed)`;
    if (end.trailing !== undefined) {
      // Everything the gzip members hold was read; what follows them is no gzip and no text of the file.
      yield rejectItem('import.parse_error', `${end.trailing} bytes after the end of the gzip data start no gzip member (a file appended to it, cat a.gz notes.txt): they were not read; the ${end.decompressed} decompressed bytes before them were; if those bytes matter, decompress them separately`, origin, '', { evidence: { compression: 'gzip', trailingBytes: end.trailing, compressedBytes: end.compressed, decompressedBytes: end.decompressed } });
    }
    if (end.kind === 'corrupt') {
      yield rejectItem('import.truncated', `the gzip stream ends or breaks ${read}: ${end.detail ?? 'corrupt data'}; what came before was read; if the download was cut, fetch the file again and run again`, origin, '', { evidence: { compression: 'gzip', compressedBytes: end.compressed, decompressedBytes: end.decompressed } });
    } else if (end.kind === 'bomb') {
      yield rejectItem('import.encoding', `the gzip input expands more than ${GZIP_MAX_RATIO} times ${read}, as a decompression bomb does (real dumps expand 3-10 times); the rest was not read; if the file is genuine, decompress it (gunzip FILE) and run on the text`, origin, '', { evidence: { compression: 'gzip', compressedBytes: end.compressed, decompressedBytes: end.decompressed } });
    }
  };
}
