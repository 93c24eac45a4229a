/** The sha256 and size of a file, streamed in 1 MiB reads (memory does not grow with the file). */
import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';

export async function fileDigest(file: string): Promise<{ bytes: number; sha256: string }> {
  const h = createHash('sha256');
  let bytes = 0;
  for await (const chunk of createReadStream(file, { highWaterMark: 1 << 20 })) {
    h.update(chunk as Buffer);
    bytes += (chunk as Buffer).length;
  }
  return { bytes, sha256: h.digest('hex') };
}

/** The hex sha256 of a file's bytes. */
export async function sha256File(file: string): Promise<string> {
  return (await fileDigest(file)).sha256;
}
