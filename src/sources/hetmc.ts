/**
 * HET-MC (chunyu) .dialog files: blocks separated by blank lines, each
 *   id\t<n>\tdepartment\t<d>\tdisease\t<x>
 *   P\t<utterance>\t<label>      (or D\t...; label 0/1/2 is not kept; a tab inside the utterance is kept;
 *                                tags in lower case, p/d/sum1, read the same)
 *   SUM1\t... / SUM2.<k>\t...    (summaries, not turns)
 * One block is one dialogue (sourceId = its id, department and disease kept). A block whose
 * header or lines do not parse is an `import.parse_error` reject. Blocks always start with their
 * id header: P/D lines after a blank line inside a block (before its first D turn, say) continue
 * the block the last header opened, as SUM lines after one do; a P/D line after a blank line once
 * the block has its SUM lines starts a block of its own (a dialogue whose header was lost:
 * `import.parse_error`), as does any other line. Blocks whose tabs an editor or a
 * copy turned into runs of spaces (or some of them: a mix) are read the same way: the header by its
 * keys (id, department, disease), a line's tag up to its first space or tab, and a last digit after
 * spaces as the label when every turn of the block ends with one (when only some do, the block is
 * an `import.parse_error`: a number ending an utterance could not be told from a label). A last
 * block cut mid-line, or missing its SUM lines in a file whose other blocks have them, is
 * `import.truncated` (files
 * re-exported without summaries have none anywhere). An input with nothing but whitespace is one
 * `import.truncated` reject (as for the JSON formats). Only the current block is held in memory.
 */
import type { Origin, RawDialogue, RawTurn } from '../../schemas/dialogue.js';
import { decodeText } from './encoding.js';
import { dialogueItem, NO_FINAL_NEWLINE, rejectItem } from './item.js';
import { BoundedBlock, LineReader, MAX_UNIT_CHARS } from './lines.js';
import type { ImportInput, ImportItem, Importer } from './types.js';

/** The label column of a P/D line (0, 1 or 2 in the dump). */
const LABEL = /^\s*\d+\s*$/;

/**
 * The header with its tabs turned into spaces (or a mix): the keys themselves delimit the values
 * (the department runs to the `disease` key). Matched in linear time: lines may be long.
 */
const SPACED_HEAD = /^id[\t ]+(\S+)[\t ]+(?:department|apartment)(?=[\t ]|$)/;
/** A header glued to the end of the line before it (no line break between): the line, and the header (tab-separated with a numeric id, as the dumps write it: a turn that says id and department in words is no header). */
const GLUED_HEAD = /^(.*\S)\t?(id\t\d+\t(?:department|apartment)(?:\t.*)?)$/;
const DISEASE_KEY = /(?:^|[\t ])disease(?=[\t ]|$)/;
const HEADER_KEYS = new Set(['id', 'department', 'apartment', 'disease']);
/** The first token of a line: its tag (P, D, SUM1, SUM2.0 …, id). */
const TAG_END = /[\t ]/;
/**
 * The text of a trimmed utterance before a label after spaces (a tab turned into spaces: one last
 * digit, as the dump's 0/1/2), else undefined. No regex: utterances may hold long runs of spaces.
 */
function beforeSpacedLabel(text: string): string | undefined {
  const n = text.length;
  if (n < 3) return undefined;
  const last = text.charCodeAt(n - 1);
  const before = text.charCodeAt(n - 2);
  if (last < 48 || last > 57 || (before !== 32 && before !== 9)) return undefined;
  return text.slice(0, n - 2).trim();
}

/**
 * The header's fields: the published tab columns, else the same keys separated by spaces
 * (`spaced`); the tab columns as they split when neither reads (the caller rejects a header
 * without an id).
 */
function headerMeta(line: string): { meta: Map<string, string>; spaced: boolean } {
  const header = line.split('\t');
  const meta = new Map<string, string>();
  for (let k = 0; k + 1 < header.length; k += 2) meta.set(header[k].trim(), header[k + 1].trim());
  if (header[0] === 'id' && [...meta.keys()].every((key) => HEADER_KEYS.has(key))) return { meta, spaced: false };
  const head = SPACED_HEAD.exec(line);
  if (!head) return { meta, spaced: false };
  const rest = line.slice(head[0].length);
  const key = DISEASE_KEY.exec(rest);
  if (!key) return { meta, spaced: false };
  const department = rest.slice(0, key.index).trim();
  const disease = rest.slice(key.index + key[0].length).trim();
  return { meta: new Map([['id', head[1]], ['department', department], ['disease', disease]]), spaced: true };
}

/** The end of a line's tag (the index of the tab or space after it, or the line's length). */
function tagEnd(line: string): number {
  const at = line.search(TAG_END);
  return at < 0 ? line.length : at;
}

/**
 * A line's tag in upper case: files re-exported by hand write the tags in lower case too (p, d,
 * sum1), which mean the same.
 */
function tagOf(line: string, end = tagEnd(line)): string {
  return line.slice(0, end).toUpperCase();
}

/** The line is a SUM line (SUM1, SUM2.0 …, in either case). */
function isSummary(line: string): boolean {
  return line.length >= 3 && line.slice(0, 3).toUpperCase() === 'SUM';
}

/**
 * `needsSummaries`: the block is the file's last and the blocks before it had SUM lines, so one
 * without them was cut off; `cut`: the input ended mid-line (no final newline).
 */
function parseBlock(lines: string[], position: number, file: string, needsSummaries: boolean, cut: boolean): ImportItem {
  const { meta, spaced: spacedHeader } = headerMeta(lines[0]);
  const sourceId = meta.get('id') ?? '';
  const origin: Origin = { format: 'hetmc', file, sourceId: sourceId || `block-${position}`, position };
  const raw = () => lines.join('\n');
  if (cut) return rejectItem('import.truncated', `the input ends without a final newline inside block ${position} (id ${sourceId || '?'}): the block may be cut (${NO_FINAL_NEWLINE})`, origin, raw());
  if (!/^id[\t ]/.test(lines[0]) || !sourceId) {
    return rejectItem('import.parse_error', `block ${position} does not start with an "id\\t<n>\\tdepartment\\t...\\tdisease\\t..." header`, origin, raw());
  }
  const turns: RawTurn[] = [];
  let summaries = 0;
  /** Per turn: the text without a label after spaces (when it has one), for the block's decision below. */
  const spaced: Array<string | undefined> = [];
  /** Turns whose line has neither a tab-separated label nor one after spaces. */
  let unlabelled = 0;
  /** Some line's tag is followed by a space, or the header is not in tab columns: the block's tabs were turned into spaces. */
  let converted = spacedHeader;
  for (let k = 1; k < lines.length; k++) {
    const line = lines[k];
    const tab = tagEnd(line);
    const tag = tagOf(line, tab);
    if (tab < line.length && line.charCodeAt(tab) === 32) converted = true;
    if (tag === 'P' || tag === 'D') {
      // The label is the last column: a tab before it belongs to the utterance. Trailing tabs and
      // spaces (a TSV saved from a spreadsheet: "P\t…\t1\t") end no column, so the label before them
      // is still the label and not text.
      const body = line.trimEnd();
      const end = body.lastIndexOf('\t');
      const labelled = end > tab && LABEL.test(body.slice(end + 1));
      const text = (labelled ? body.slice(tab + 1, end) : body.slice(tab + 1)).trim();
      turns.push({ speaker: tag, text });
      const before = labelled ? undefined : beforeSpacedLabel(text);
      spaced.push(before);
      if (!labelled && before === undefined) unlabelled++;
    } else if (tag.startsWith('SUM')) {
      summaries++;
    } else {
      return rejectItem('import.parse_error', `block ${position} (id ${sourceId}) line ${k + 1} is neither a P/D turn nor a SUM line`, origin, raw());
    }
  }
  // Labels after spaces instead of a tab (an editor or a copy turned the tabs into spaces): when
  // every turn has a label, the last number is the label; when only some have, a number at the end
  // of an utterance cannot be told from a label, and the block is not guessed at.
  if (spaced.some((t) => t !== undefined)) {
    if (unlabelled === 0) spaced.forEach((t, k) => { if (t !== undefined) turns[k].text = t; });
    else if (converted) {
      return rejectItem(
        'import.parse_error',
        `block ${position} (id ${sourceId}) has its tabs turned into spaces and only some of its P/D lines end with a label: a number at the end of an utterance cannot be told from a label (restore the tabs: "P<TAB>utterance<TAB>label")`,
        origin,
        raw(),
      );
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

/** A block over MAX_UNIT_CHARS: one reject holding its first lines (see lines.ts). */
function tooLong(block: BoundedBlock, position: number, file: string): ImportItem {
  const sourceId = headerMeta(block.lines[0] ?? '').meta.get('id') ?? '';
  const origin: Origin = { format: 'hetmc', file, sourceId: sourceId || `block-${position}`, position };
  const head = block.lines.slice(0, 20).map((l) => l.slice(0, 500)).join('\n');
  return rejectItem('import.parse_error', `block ${position} (id ${sourceId || '?'}) holds over ${MAX_UNIT_CHARS} characters (${block.chars}): no dialogue is so long, it was not read (a file whose blank lines between blocks are missing?)`, origin, head);
}

/** A block's header line: `id\t…`, or the same keys separated by spaces. */
function isHeader(line: string): boolean {
  return line.startsWith('id\t') || SPACED_HEAD.test(line);
}

/**
 * After a blank line inside a block: a P/D turn continues the block while it has no SUM lines
 * yet (after them it would be the next dialogue with its header lost), a SUM line continues it always.
 */
function continues(line: string, summed: boolean): boolean {
  const tag = tagOf(line);
  if (tag.startsWith('SUM')) return true;
  return (tag === 'P' || tag === 'D') && !summed;
}

export const importHetmc: Importer = async function* (input: ImportInput) {
  const reader = new LineReader(decodeText(input.bytes, input.encoding));
  const block = new BoundedBlock();
  let position = 0;
  /** Some block so far had SUM lines. */
  let summaries = false;
  const close = (): ImportItem => {
    summaries ||= block.lines.some(isSummary);
    ++position;
    return block.over ? tooLong(block, position, input.file) : parseBlock(block.lines, position, input.file, false, false);
  };
  /** A blank line ended the lines so far: the block closes unless the next line continues it. */
  let blank = false;
  /** The block opened with an id header (lines after a blank one may continue it). */
  let headed = false;
  /** The block holds SUM lines (P/D lines after a blank one then start another dialogue). */
  let summed = false;
  const start = (line: string) => {
    block.reset(line);
    headed = isHeader(line);
    summed = isSummary(line);
  };
  const handle = (line: string, out: ImportItem[]) => {
    if (line.trim() === '') {
      if (block.chars > 0) blank = true;
    } else if (block.chars > 0 && isHeader(line)) {
      // the next block (after a blank line or, in a file that lost them, right after the previous block)
      out.push(close());
      start(line);
      blank = false;
    } else if (blank && !(headed && continues(line, summed))) {
      out.push(close());
      start(line);
      blank = false;
    } else {
      // A blank line inside a block (before a turn, or before its SUM lines): blocks always
      // start with an id header, so turns after it belong to the block the last header opened.
      if (block.chars === 0) start(line);
      else block.push(line);
      summed ||= isSummary(line);
      blank = false;
    }
  };
  for await (const batch of reader) {
    const out: ImportItem[] = [];
    for (const whole of batch) {
      // A file that lost its last line break, catenated with the next (cat a.dialog b.dialog): the
      // next block's header glued to this line's end (SUM2.0\t测血压id\t2\tdepartment\t…).
      const glued = whole.includes('id\t') ? GLUED_HEAD.exec(whole) : null;
      if (glued) {
        handle(glued[1], out);
        handle(glued[2], out);
      } else handle(whole, out);
    }
    yield* out;
  }
  if (block.chars > 0 && blank) {
    yield close(); // closed by its blank line, as before the next block
  } else if (block.chars > 0) {
    ++position;
    yield block.over ? tooLong(block, position, input.file) : parseBlock(block.lines, position, input.file, summaries, !reader.terminated);
  }
  else if (position === 0) {
    yield rejectItem('import.truncated', 'the input is empty (nothing but whitespace or a byte-order mark)', { format: 'hetmc', file: input.file, sourceId: 'block-0', position: 0 }, '');
  }
};
