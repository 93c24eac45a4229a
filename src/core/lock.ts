/**
 * Advisory lock files: `open(path, 'wx')` (O_CREAT|O_EXCL) holding {pid, host, token, since, what},
 * so two cmtmedqa processes that would write the same thing (an output directory, a persistent
 * index) cannot interleave: the second fails at once with CMT_OUTPUT_LOCKED and what to do.
 * A lock whose process is gone (same host, pid no longer alive, or the pid is this process's own:
 * pid 1 in containers) is stale and taken over; a lock of
 * another host cannot be checked from here, so it is only ever removed by hand.
 * Must not: block or retry (a second run fails fast), or remove a lock it did not write.
 */
import { randomBytes } from 'node:crypto';
import { open, readFile, stat, unlink } from 'node:fs/promises';
import os from 'node:os';
import { CmtError, writeFailureKind } from './errors.js';

export interface LockInfo {
  pid: number;
  host: string;
  token: string;
  since: string;
  what: string;
}

/** A lock file left empty or half-written (a crash between create and write) is stale after this long. */
const TORN_STALE_MS = 30_000;

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'EPERM';
  }
}

async function readLock(file: string): Promise<LockInfo | undefined> {
  try {
    const v = JSON.parse(await readFile(file, 'utf8')) as Partial<LockInfo>;
    if (typeof v.pid === 'number' && typeof v.host === 'string' && typeof v.token === 'string') return v as LockInfo;
  } catch {
    /* torn or not ours: decided by age below */
  }
  return undefined;
}

/** Throws CMT_OUTPUT_LOCKED when `held` is a live lock (or one of another host, which cannot be checked). */
function refuseIfHeld(file: string, held: LockInfo, what: string): void {
  if (held.host !== os.hostname()) {
    throw new CmtError('CMT_OUTPUT_LOCKED', `${what} is locked by process ${held.pid} on host ${held.host} since ${held.since} (${file}); wait for that run to finish, or, if no run is active there, delete ${file}`, { file, holder: held });
  }
  // Our own pid holds it only with a token this process took; otherwise it was a run before us
  // with the same pid (pid 1 in a container, or a reused pid), now gone.
  if (held.pid === process.pid ? HELD.has(held.token) : alive(held.pid)) {
    throw new CmtError('CMT_OUTPUT_LOCKED', `${what} is in use by another run (process ${held.pid}, since ${held.since}); wait for it to finish or write elsewhere (lock ${file})`, { file, holder: held });
  }
}

/** Tokens of the locks this process holds now. */
const HELD = new Set<string>();

export class FileLock {
  private released = false;
  private constructor(readonly file: string, readonly info: LockInfo) {}

  /** Takes the lock or throws CMT_OUTPUT_LOCKED naming the holder. `what` says what it guards (for messages). */
  static async acquire(file: string, what: string): Promise<FileLock> {
    const info: LockInfo = { pid: process.pid, host: os.hostname(), token: randomBytes(8).toString('hex'), since: new Date().toISOString(), what };
    for (let attempt = 0; attempt < 3; attempt++) {
      try {
        const fh = await open(file, 'wx');
        try {
          await fh.writeFile(`${JSON.stringify(info)}\n`);
        } catch (e) {
          // Created but not written (a full disk): the empty file is ours; leave none behind to block later runs.
          await fh.close().catch(() => {});
          await unlink(file).catch(() => {});
          throw e;
        }
        await fh.close();
        HELD.add(info.token);
        return new FileLock(file, info);
      } catch (e) {
        if ((e as NodeJS.ErrnoException).code !== 'EEXIST') {
          const code = (e as NodeJS.ErrnoException).code;
          const todo = writeFailureKind(code) === 'space' ? 'free space on that filesystem and run again' : 'check that its directory exists and is writable';
          throw new CmtError('CMT_OUTPUT_INVALID', `cannot create the lock file ${file} for ${what}: ${(e as Error).message}; ${todo}`, { file });
        }
      }
      const held = await readLock(file);
      if (held) {
        refuseIfHeld(file, held, what);
        // Stale: its process is gone. Remove it only if it is still that same stale lock.
        const again = await readLock(file);
        if (again?.token === held.token) await unlink(file).catch(() => {});
        continue;
      }
      const age = await stat(file).then((s) => Date.now() - s.mtimeMs, () => 0);
      if (age < TORN_STALE_MS) {
        throw new CmtError('CMT_OUTPUT_LOCKED', `${what} is being locked by another run right now (${file}); try again in a moment, or delete the file if no run is active`, { file });
      }
      await unlink(file).catch(() => {});
    }
    throw new CmtError('CMT_OUTPUT_LOCKED', `could not take the lock ${file} for ${what} (another run keeps taking it); wait for it to finish`, { file });
  }

  /** Throws CMT_OUTPUT_LOCKED, as acquire would, when `file` is a live lock now; takes nothing (a check before slow work). */
  static async check(file: string, what: string): Promise<void> {
    const held = await readLock(file);
    if (held) refuseIfHeld(file, held, what);
  }

  /** Removes the lock file if it is still this lock's. */
  async release(): Promise<void> {
    if (this.released) return;
    this.released = true;
    HELD.delete(this.info.token);
    const held = await readLock(this.file);
    if (held?.token === this.info.token) await unlink(this.file).catch(() => {});
  }
}
