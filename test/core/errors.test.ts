import { describe, expect, it } from '@jest/globals';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { mkdir } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { CmtError, systemError, writeFailureKind } from '../../src/core/errors.js';

describe('system errors and what a failed write asks for', () => {
  it('knows a real Node error (from the main realm, not jest\'s) and nothing else', async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'cmt-err-'));
    const file = path.join(dir, 'f');
    writeFileSync(file, 'x');
    const real = await mkdir(path.join(file, 'sub')).catch((e: unknown) => e);
    expect(systemError(real)).toMatchObject({ code: 'ENOTDIR', syscall: 'mkdir' });
    expect(writeFailureKind(systemError(real)!.code)).toBe('path');
    expect(systemError(new CmtError('CMT_USAGE', 'x'))).toBeUndefined(); // a code, but no syscall
    expect(systemError(new Error('plain'))).toBeUndefined();
    expect(systemError('ENOSPC')).toBeUndefined();
    expect(systemError(null)).toBeUndefined();
  });

  it('sorts errno codes into space, permission, path and other', () => {
    expect(['ENOSPC', 'EDQUOT'].map(writeFailureKind)).toEqual(['space', 'space']);
    expect(['EACCES', 'EPERM', 'EROFS'].map(writeFailureKind)).toEqual(['permission', 'permission', 'permission']);
    expect(['ENOTDIR', 'EEXIST', 'EISDIR'].map(writeFailureKind)).toEqual(['path', 'path', 'path']);
    expect([undefined, 'EIO', 'ENOENT'].map(writeFailureKind)).toEqual(['other', 'other', 'other']);
  });
});
