/**
 * Compressed and archived inputs (a downloaded `train.jsonl.gz`, a `.zip` of the dump): their bytes
 * are no text in any encoding, and decoding them would give a reject per garbled line or one
 * baffling parse error. An input whose first bytes are the magic number of gzip, zip, bzip2, xz,
 * zstd or 7-Zip is one `import.encoding` reject that names the compression and what to do; it is
 * not decompressed here (a small archive can expand without bound, and a zip holds files, not one
 * text). Other inputs pass through untouched, chunk for chunk. It reads at most MAGIC_BYTES ahead.
 */
import type { Origin } from '../../schemas/dialogue.js';
import { rejectItem } from './item.js';
import type { FileFormat, ImportInput, Importer } from './types.js';

/** The longest magic number looked for. */
const MAGIC_BYTES = 6;

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

/** The importer, with a compressed input turned into one reject before it reads anything. */
export function refusingCompressed(format: FileFormat, importer: Importer): Importer {
  return async function* (input: ImportInput) {
    const it = input.bytes[Symbol.asyncIterator]();
    const held: Buffer[] = [];
    let size = 0;
    let done = false;
    while (size < MAGIC_BYTES) {
      const r = await it.next();
      if (r.done) {
        done = true;
        break;
      }
      held.push(r.value);
      size += r.value.length;
    }
    const magic = compressionOf(held.length === 1 ? held[0] : Buffer.concat(held, size).subarray(0, MAGIC_BYTES));
    if (magic) {
      await it.return?.();
      const origin: Origin = { format, file: input.file, sourceId: 'file', position: 0 };
      yield rejectItem('import.encoding', `the input is ${magic.name}-compressed, not text (it starts with the ${magic.name} magic bytes): ${magic.fix}; nothing of it was read`, origin, '', { evidence: { compression: magic.name } });
      return;
    }
    async function* bytes(): AsyncGenerator<Buffer> {
      yield* held;
      if (done) return;
      try {
        for (;;) {
          const r = await it.next();
          if (r.done) return;
          yield r.value;
        }
      } finally {
        await it.return?.();
      }
    }
    yield* importer({ ...input, bytes: bytes() });
  };
}
