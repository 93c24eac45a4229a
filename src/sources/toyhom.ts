/**
 * Toyhom Chinese-medical-dialogue-data: a GB18030 CSV with header department,title,ask,answer
 * (RFC-4180 quoting: fields may hold commas, quotes and newlines; copies re-saved with ';' or tab
 * separators, or CR line ends, are read by their header's separator and first line end). Each row is a single-turn
 * dialogue: the patient asks (`ask`, or `title` when ask is empty or a placeholder such as 无), the doctor answers; department
 * and title are kept; sourceId is `row-<n>` (n = 1-based data row, header excluded).
 * A row with the wrong number of fields is an `import.parse_error`, unless the difference is only
 * empty cells (after the header's last column, or under unnamed trailing header columns:
 * onlyEmptyBeyond); a file ending inside a quoted
 * field is `import.truncated`, and so is a last row without a final newline (the dump ends every
 * row with one: a row cut in an unquoted field would otherwise be accepted with the cut text).
 * Columns are found by their header names, in any order, in English or Chinese (HEADER_NAMES:
 * 科室, 标题, 问题/问, 回答/答 …, translated and re-saved copies); department and title are
 * optional, an answer column and an ask or title column are not. A header that does not name
 * them, or names one column twice, is an `import.schema` reject and nothing else is read (the
 * columns could not be told apart). Columns the header names otherwise are not read. A row made
 * only of header names later in the file is the header of a file concatenated after the first
 * (it maps the columns from there on), not a dialogue. An empty input (no header row) is one
 * `import.truncated` reject, as for the JSON formats; a line of only spaces or tabs is a blank
 * line (skipped, as pandas reads it), so a file of nothing else is empty too. A file saved without its header row is read
 * in the published column order department,title,ask,answer when its first row is clearly a
 * dialogue (isHeaderlessData: four fields, none a header name, a short Chinese department, over
 * 20 characters of Chinese in ask or answer); its rows are numbered as the same rows under a header would be.
 */
import type { Origin, RawDialogue } from '../../schemas/dialogue.js';
import { csvRows } from './csv.js';
import { decodeText } from './encoding.js';
import { clip, dialogueItem, MAX_REJECT_INPUT_CHARS, NO_FINAL_NEWLINE, rejectItem } from './item.js';
import { MAX_UNIT_CHARS } from './lines.js';
import type { ImportInput, Importer } from './types.js';

const COLUMNS = ['department', 'title', 'ask', 'answer'] as const;
/**
 * An ask cell that holds no question: empty, or a placeholder the site wrote for a question asked
 * in the title only (无, 暂无, 没有, 空, null, -); the title is the patient's question then.
 */
const NO_ASK = /^(?:|无|暂无|没有|空|null|none|n\/a|-+|—+)[。.！!]?$/i;
type Column = (typeof COLUMNS)[number];

/** The header names each column goes by (compared trimmed and lower-cased). */
export const HEADER_NAMES: Record<Column, readonly string[]> = {
  department: ['department', 'dept', '科室', '部门', '科别', '所属科室', '就诊科室'],
  title: ['title', '标题', '主题', '问题标题'],
  ask: ['ask', 'question', '问题', '问', '提问', '问题描述', '病情描述', '患者问题'],
  answer: ['answer', '回答', '答', '回复', '答案', '医生回答', '医生回复'],
};

/** The column of each header field (-1: none), or why the header cannot be read. */
function columnsOf(names: string[]): Record<Column, number> | string {
  const col: Record<Column, number> = { department: -1, title: -1, ask: -1, answer: -1 };
  for (let k = 0; k < names.length; k++) {
    const c = COLUMNS.find((x) => HEADER_NAMES[x].includes(names[k]));
    if (!c) continue;
    if (col[c] >= 0) return `it names the ${c} column twice (fields ${col[c] + 1} and ${k + 1})`;
    col[c] = k;
  }
  if (col.answer < 0) return 'it names no answer column';
  if (col.ask < 0 && col.title < 0) return 'it names neither an ask nor a title column';
  return col;
}

const ALL_NAMES = new Set(Object.values(HEADER_NAMES).flat());

/**
 * Every field is a header name, or empty (a header written with trailing separators, or pandas'
 * unnamed index column), and at least two are names: a header row, not a dialogue (no real row is
 * made of them).
 */
function isHeader(fields: string[]): boolean {
  let names = 0;
  for (const f of fields) {
    const t = f.trim().toLowerCase();
    if (t === '') continue;
    if (!ALL_NAMES.has(t)) return false;
    names++;
  }
  return names >= 2;
}

/**
 * A row whose width differs from the header's only by empty cells that hold nothing: empty cells
 * after the header's last column (a separator written after each row's last cell), or cells
 * missing under header columns without a name (department,title,ask,answer,, over rows of four).
 * Before, each such row was an import.parse_error, so a whole re-saved file was lost.
 */
function onlyEmptyBeyond(fields: string[], header: string[]): boolean {
  if (fields.length > header.length) return fields.slice(header.length).every((f) => f.trim() === '');
  return header.slice(fields.length).every((h) => h === '');
}

/** Sentence punctuation: a department name holds none. */
const SENTENCE = /[，。？！；、,.?!;…]/;
const HAN = /[\u4e00-\u9fff]/;

/**
 * A first row that is clearly a dialogue in the published column order, not a header: four fields,
 * none of them a header name, the first a short Chinese department name (at most 12 characters, no
 * sentence punctuation; the published ones have at most 5), and the ask or the answer Chinese text
 * of over 20 characters (every row of the published sample has one; no header name is so long).
 * A file saved without its header row (`to_csv(header=False)`, a `split -l` chunk) starts so.
 */
function isHeaderlessData(fields: string[]): boolean {
  if (fields.length !== COLUMNS.length) return false;
  const t = fields.map((f) => f.trim());
  if (t.some((f) => ALL_NAMES.has(f.toLowerCase()))) return false;
  const [department, , ask, answer] = t;
  if (department.length > 12 || !HAN.test(department) || SENTENCE.test(department)) return false;
  return answer.length > 0 && [ask, answer].some((f) => f.length > 20 && HAN.test(f));
}

const HEADER_HELP = COLUMNS.map((c) => `${c} (${HEADER_NAMES[c].join('/')})`).join(', ');
/** The header decides: re-saved copies come ';'- (Excel, decimal-comma locales) or tab-separated. */
const SEPARATORS = [',', ';', '\t'];

export const importToyhom: Importer = async function* (input: ImportInput) {
  let col: Record<Column, number> | null = null;
  /** The header's names (trimmed, lower case; '' for an unnamed column). */
  let header: string[] = [];
  let n = 0;
  const originOf = (row: number): Origin => ({ format: 'toyhom', file: input.file, sourceId: `row-${row}`, position: row });
  for await (const ev of csvRows(decodeText(input.bytes, input.encoding), { separators: SEPARATORS })) {
    // A line of only spaces or tabs is a blank line, as pandas reads it: before, it was taken for
    // the header (a whitespace-only file was import.schema, the rows after it not read) or a
    // one-field row (an import.parse_error counted as a dialogue).
    if (ev.kind === 'row' && ev.fields.length === 1 && !ev.tooLong && ev.fields[0].trim() === '') continue;
    if (!col) {
      const names = ev.fields.map((f) => f.trim().toLowerCase());
      const found = ev.kind === 'row' ? columnsOf(names) : 'the file ends inside it';
      if (typeof found !== 'string') {
        col = found;
        header = names;
        continue;
      }
      if (ev.kind !== 'row' || !isHeaderlessData(ev.fields)) {
        yield rejectItem(
          'import.schema',
          `the header (record ${ev.record}) does not name the columns: ${found}; columns are ${HEADER_HELP}, department and title optional; the file was not read further (a file without a header row is read only when its first row is clearly a dialogue in the order department,title,ask,answer: otherwise add that header line)`,
          { format: 'toyhom', file: input.file, sourceId: 'header', position: 0 },
          ev.fields.join(','),
        );
        return;
      }
      // No header row: the published columns, and this row is the first dialogue.
      col = { department: 0, title: 1, ask: 2, answer: 3 };
      header = [...COLUMNS];
    }
    if (ev.kind === 'row' && !ev.unterminated && isHeader(ev.fields)) {
      // The header again: CSV files concatenated into one (`cat a.csv b.csv`), each with its own.
      const names = ev.fields.map((f) => f.trim().toLowerCase());
      const again = columnsOf(names);
      if (typeof again !== 'string') {
        col = again;
        header = names;
        continue;
      }
    }
    n++;
    if (ev.tooLong) {
      const head = clip(ev.fields.map((f) => f.slice(0, MAX_REJECT_INPUT_CHARS)).join(','));
      yield rejectItem('import.parse_error', `row ${n} (record ${ev.record}) holds over ${MAX_UNIT_CHARS} characters: no question and answer is so long, it was not read (a quote that is never closed?)`, originOf(n), head);
      continue;
    }
    if (ev.kind === 'truncated') {
      yield rejectItem('import.truncated', `the input ends inside a quoted field of row ${n} (record ${ev.record})`, originOf(n), ev.fields);
      continue;
    }
    if (ev.unterminated) {
      yield rejectItem('import.truncated', `the input ends without a final newline inside row ${n} (record ${ev.record}): the row may be cut (${NO_FINAL_NEWLINE})`, originOf(n), ev.fields);
      continue;
    }
    const f = ev.fields;
    if (f.length !== header.length && !onlyEmptyBeyond(f, header)) {
      yield rejectItem('import.parse_error', `row ${n} (record ${ev.record}) has ${f.length} fields, the header has ${header.length}`, originOf(n), f);
      continue;
    }
    const department = col.department >= 0 ? f[col.department].trim() : '';
    const title = col.title >= 0 ? f[col.title].trim() : '';
    const ask = col.ask >= 0 ? f[col.ask].trim() : '';
    const d: Omit<RawDialogue, 'id'> = {
      origin: originOf(n),
      turns: [
        { speaker: 'patient', text: (NO_ASK.test(ask) && title) || ask },
        { speaker: 'doctor', text: f[col.answer].trim() },
      ],
      singleTurn: true,
    };
    if (department) d.department = department;
    if (title) d.title = title;
    yield dialogueItem(d);
  }
  if (!col) {
    yield rejectItem('import.truncated', 'the input is empty (no header row)', { format: 'toyhom', file: input.file, sourceId: 'header', position: 0 }, '');
  }
};
