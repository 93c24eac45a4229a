/**
 * A source that names the wrong encoding (`encoding: gb18030` on a UTF-8 file, or the other way
 * round) is a config mistake caught on the file's first bytes: read as named, the text would be
 * mojibake without one undecodable byte, and every dialogue would pass as garbage.
 */
import { describe, expect, it } from '@jest/globals';
import { existsSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import iconv from 'iconv-lite';
import { CmtError } from '../../src/core/errors.js';
import { checkInputs } from '../../src/pipeline/preflight.js';
import { checkNamedEncoding } from '../../src/sources/encoding.js';
import { pipelineFrom, runPipeline, tmpDir } from '../support/run.js';

const text = Array.from({ length: 40 }, (_, i) => `${i + 1},内科,头痛怎么办,最近三天头痛，晚上睡不好,建议先测血压，注意休息\n`).join('');

function codeOf(fn: () => void): string | undefined {
  try {
    fn();
  } catch (e) {
    return e instanceof CmtError ? e.code : `raw ${(e as Error).message}`;
  }
  return undefined;
}

describe('a named encoding the file contradicts', () => {
  const utf8 = Buffer.from(text, 'utf8');
  const gb = iconv.encode(text, 'gb18030');

  it('is refused in both directions, and the right name or plain ASCII passes', () => {
    expect(codeOf(() => checkNamedEncoding('gb18030', utf8))).toBe('CMT_CONFIG_INVALID');
    expect(codeOf(() => checkNamedEncoding('gbk', utf8))).toBe('CMT_CONFIG_INVALID');
    expect(codeOf(() => checkNamedEncoding('utf-8', gb))).toBe('CMT_CONFIG_INVALID');
    expect(codeOf(() => checkNamedEncoding('utf-8', utf8))).toBeUndefined();
    expect(codeOf(() => checkNamedEncoding('gb18030', gb))).toBeUndefined();
    expect(codeOf(() => checkNamedEncoding('gbk', gb))).toBeUndefined();
    expect(codeOf(() => checkNamedEncoding('gb18030', Buffer.from('id,text\n1,hello\n')))).toBeUndefined();
    expect(codeOf(() => checkNamedEncoding('utf-8', Buffer.alloc(0)))).toBeUndefined();
  });

  it('passes a file the name reads plausibly even with a few lines of the other encoding, and a head cut mid-character', () => {
    const mixed = Buffer.concat([utf8, iconv.encode('1,内科,胃疼,吃什么药,先别吃辣\n', 'gb18030'), utf8]);
    expect(codeOf(() => checkNamedEncoding('utf-8', mixed))).toBeUndefined();
    // No line end at all, cut inside a character: judged on whole characters only.
    const oneLine = Buffer.from(text.replace(/\n/g, ' '), 'utf8');
    expect(codeOf(() => checkNamedEncoding('utf-8', oneLine.subarray(0, oneLine.length - 1)))).toBeUndefined();
    expect(codeOf(() => checkNamedEncoding('gb18030', oneLine.subarray(0, oneLine.length - 1)))).toBe('CMT_CONFIG_INVALID');
  });

  it('stops the run with the source and file named, and writes no output', async () => {
    const dir = tmpDir();
    writeFileSync(path.join(dir, 'qa.json'), JSON.stringify(Array.from({ length: 30 }, (_, i) => ({ id: `q${i}`, instruction: ['我最近总是头痛，晚上睡不好，需要吃药吗'], input: '', output: ['建议先测量血压，注意休息，必要时到神经内科就诊'] }))));
    const p = pipelineFrom({ name: 'enc', sources: [{ format: 'huatuo', path: 'qa.json', encoding: 'gb18030' }] }, dir);
    const out = path.join(dir, 'out');
    let err: unknown;
    try {
      await runPipeline(p, out);
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(CmtError);
    expect((err as CmtError).code).toBe('CMT_CONFIG_INVALID');
    expect((err as Error).message).toMatch(/^sources\[0\] qa\.json: the file is named encoding: gb18030, but its text reads as utf-8/);
    expect(existsSync(out)).toBe(false);
  });

  it('is found before any work, whichever source names the wrong encoding', async () => {
    const dir = tmpDir();
    writeFileSync(path.join(dir, 'a.csv'), iconv.encode(`department,title,ask,answer\n${text}`, 'gb18030'));
    writeFileSync(path.join(dir, 'b.csv'), `department,title,ask,answer\n${text}`);
    const p = pipelineFrom({ name: 'enc2', sources: [{ format: 'toyhom', path: 'a.csv', encoding: 'gb18030' }, { format: 'toyhom', path: 'b.csv', encoding: 'gbk' }] }, dir);
    await expect(checkInputs(p)).rejects.toThrow(/^sources\[1\] b\.csv: the file is named encoding: gbk, but its text reads as utf-8/);
    const fixed = pipelineFrom({ name: 'enc2', sources: [{ format: 'toyhom', path: 'a.csv', encoding: 'gb18030' }, { format: 'toyhom', path: 'b.csv', encoding: 'utf-8' }] }, dir);
    await expect(checkInputs(fixed)).resolves.toBeUndefined();
  });
});
