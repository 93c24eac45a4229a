/**
 * HET-MC (chunyu) .dialog files: blocks separated by blank lines, each
 *   id\t<n>\tdepartment\t<d>\tdisease\t<x>
 *   P\t<utterance>\t<label>      (or D\t...; label 0/1/2 is not kept; a tab inside the utterance is kept)
 *   SUM1\t... / SUM2.<k>\t...    (summaries, not turns)
 * One block is one dialogue (sourceId = its id, department and disease kept). A block whose
 * header or lines do not parse is an `import.parse_error` reject; a last block cut mid-line, or
 * missing its SUM lines in a file whose other blocks have them, is `import.truncated` (files
 * re-exported without summaries have none anywhere). An input with nothing but whitespace is one
 * `import.truncated` reject (as for the JSON formats). Only the current block is held in memory.
 */
import type { Origin, RawDialogue, RawTurn } from '../../schemas/dialogue.js';
import { decodeText } from './encoding.js';
import { dialogueItem, rejectItem } from './item.js';
import { LineReader } from './lines.js';
import type { ImportInput, ImportItem, Importer } from './types.js';

/** The label column of a P/D line (0, 1 or 2 in the dump). */
const LABEL = /^\s*\d+\s*$/;

/**
 * `needsSummaries`: the block is the file's last and the blocks before it had SUM lines, so one
 * without them was cut off; `cut`: the input ended mid-line (no final newline).
 */
function parseBlock(lines: string[], position: number, file: string, needsSummaries: boolean, cut: boolean): ImportItem {
  const header = lines[0].split('\t');
  const meta = new Map<string, string>();
  for (let k = 0; k + 1 < header.length; k += 2) meta.set(header[k].trim(), header[k + 1].trim());
  const sourceId = meta.get('id') ?? '';
  const origin: Origin = { format: 'hetmc', file, sourceId: sourceId || `block-${position}`, position };
  const raw = () => lines.join('\n');
  if (cut) return rejectItem('import.truncated', `the input ends inside block ${position} (id ${sourceId || '?'})`, origin, raw());
  if (header[0] !== 'id' || !sourceId) {
    return rejectItem('import.parse_error', `block ${position} does not start with an "id\\t<n>\\tdepartment\\t...\\tdisease\\t..." header`, origin, raw());
  }
  const turns: RawTurn[] = [];
  let summaries = 0;
  for (let k = 1; k < lines.length; k++) {
    const line = lines[k];
    const tab = line.indexOf('\t');
    const tag = tab < 0 ? line : line.slice(0, tab);
    if (tag === 'P' || tag === 'D') {
      // The label is the last column: a tab before it belongs to the utterance.
      const end = line.lastIndexOf('\t');
      const labelled = end > tab && LABEL.test(line.slice(end + 1));
      turns.push({ speaker: tag, text: (labelled ? line.slice(tab + 1, end) : line.slice(tab + 1)).trim() });
    } else if (tag.startsWith('SUM')) {
      summaries++;
    } else {
      return rejectItem('import.parse_error', `block ${position} (id ${sourceId}) line ${k + 1} is neither a P/D turn nor a SUM line`, origin, raw());
    }
  }
  // Every block of such a file closes with its SUM lines: a last block without them was cut off.
  if (needsSummaries && summaries === 0) {
    return rejectItem('import.truncated', `the input ends inside block ${position} (id ${sourceId}) before its SUM lines`, origin, raw());
  }
  const d: Omit<RawDialogue, 'id'> = { origin, turns };
  const department = meta.get('department') ?? meta.get('apartment'); // files in the wild spell the key both ways
  const disease = meta.get('disease');
  if (department) d.department = department;
  if (disease) d.disease = disease;
  return dialogueItem(d);
}

export const importHetmc: Importer = async function* (input: ImportInput) {
  const reader = new LineReader(decodeText(input.bytes, input.encoding));
  let block: string[] = [];
  let position = 0;
  /** Some block so far had SUM lines. */
  let summaries = false;
  const close = (): ImportItem => {
    summaries ||= block.some((l) => l.startsWith('SUM'));
    return parseBlock(block, ++position, input.file, false, false);
  };
  for await (const batch of reader) {
    const out: ImportItem[] = [];
    for (const line of batch) {
      if (line.trim() === '') {
        if (block.length) out.push(close());
        block = [];
      } else if (line.startsWith('id\t') && block.length) {
        // a header right after the previous block, without the blank line between them
        out.push(close());
        block = [line];
      } else block.push(line);
    }
    yield* out;
  }
  if (block.length) yield parseBlock(block, ++position, input.file, summaries, !reader.terminated);
  else if (position === 0) {
    yield rejectItem('import.truncated', 'the input is empty (nothing but whitespace or a byte-order mark)', { format: 'hetmc', file: input.file, sourceId: 'block-0', position: 0 }, '');
  }
};
