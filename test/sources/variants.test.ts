/**
 * Realistic variants of the six dump layouts (re-exports, other tools, other platforms): each is
 * read record by record like the published layout, and a damaged record costs only itself.
 * All fixture text here is written for these tests.
 */
import { describe, expect, it } from '@jest/globals';
import iconv from 'iconv-lite';
import { importCmtMedQa } from '../../src/sources/cmtmedqa.js';
import { importHetmc } from '../../src/sources/hetmc.js';
import { importHuatuo } from '../../src/sources/huatuo.js';
import { importMedDialog } from '../../src/sources/meddialog.js';
import { importMie } from '../../src/sources/mie.js';
import { importToyhom } from '../../src/sources/toyhom.js';
import { collect, importText, turnsOf } from './helpers.js';

const kinds = (items: Awaited<ReturnType<typeof collect>>['items']) => items.map((i) => (i.kind === 'reject' ? i.reject.reason : 'dialogue'));

function cmtLine(id: string, q: string, a: string): string {
  return JSON.stringify({ id, cate1: '内科', cate2: '消化内科', instruction: q, input: '', output: a, history: [] });
}

describe('MedDialog speaker lines', () => {
  it('reads a 大夫： line as a doctor turn of its own, not as text of the turn before', async () => {
    const text = 'id=5\n\nDescription\n疾病：胃痛\n\nDialogue\n病人：\n胃痛一天\n大夫：\n吃了什么\n病人：\n火锅\n\n';
    const { dialogues } = await importText(importMedDialog, text, 'daifu.txt');
    expect(turnsOf(dialogues[0])).toEqual([['病人', '胃痛一天'], ['大夫', '吃了什么'], ['病人', '火锅']]);
  });
});
