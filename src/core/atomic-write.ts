/**
 * Writing a file whole or not at all: the bytes go to a temp file beside it, renamed into place, so
 * a reader sees the old file or the new one, never part of one. A failed write (a full disk, a
 * directory in the way) removes its temp file and rethrows: nothing half-written stays behind.
 * Temp names carry the pid and a random suffix, so concurrent writers of one file never share one.
 */
import { randomBytes } from 'node:crypto';
import { mkdir, rename, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';

export async function writeFileAtomic(file: string, data: string | Uint8Array): Promise<void> {
  await mkdir(path.dirname(path.resolve(file)), { recursive: true });
  const tmp = `${file}.${process.pid}-${randomBytes(4).toString('hex')}.tmp`;
  try {
    await writeFile(tmp, data);
    await rename(tmp, file);
  } catch (e) {
    await rm(tmp, { force: true }).catch(() => {});
    throw e;
  }
}
