/**
 * Toyhom Chinese-medical-dialogue-data: a GB18030 CSV with header department,title,ask,answer
 * (RFC-4180 quoting: fields may hold commas, quotes and newlines; copies re-saved with ';' or tab
 * separators, or CR line ends, are read by their header's separator and first line end). Each row is a single-turn
 * dialogue: the patient asks (`ask`, or `title` when ask is empty), the doctor answers; department
 * and title are kept; sourceId is `row-<n>` (n = 1-based data row, header excluded).
 * A row with the wrong number of fields is an `import.parse_error`; a file ending inside a quoted
 * field is `import.truncated`, and so is a last row without a final newline (the dump ends every
 * row with one: a row cut in an unquoted field would otherwise be accepted with the cut text); a header that is not those four columns is an `import.schema`
 * reject and nothing else is read (the columns could not be told apart).
 */
import type { Origin, RawDialogue } from '../../schemas/dialogue.js';
import { csvRows } from './csv.js';
import { decodeText } from './encoding.js';
import { dialogueItem, rejectItem } from './item.js';
import type { ImportInput, Importer } from './types.js';

const COLUMNS = ['department', 'title', 'ask', 'answer'] as const;
/** The header decides: re-saved copies come ';'- (Excel, decimal-comma locales) or tab-separated. */
const SEPARATORS = [',', ';', '\t'];

export const importToyhom: Importer = async function* (input: ImportInput) {
  let col: Record<(typeof COLUMNS)[number], number> | null = null;
  let width = 0;
  let n = 0;
  const originOf = (row: number): Origin => ({ format: 'toyhom', file: input.file, sourceId: `row-${row}`, position: row });
  for await (const ev of csvRows(decodeText(input.bytes, input.encoding), { separators: SEPARATORS })) {
    if (!col) {
      const names = ev.fields.map((f) => f.trim().toLowerCase());
      const idx = COLUMNS.map((c) => names.indexOf(c));
      if (ev.kind !== 'row' || idx.some((i) => i < 0)) {
        yield rejectItem(
          'import.schema',
          `the header is not ${COLUMNS.join(',')} (record ${ev.record}); the file was not read further`,
          { format: 'toyhom', file: input.file, sourceId: 'header', position: 0 },
          ev.fields.join(','),
        );
        return;
      }
      col = { department: idx[0], title: idx[1], ask: idx[2], answer: idx[3] };
      width = names.length;
      continue;
    }
    n++;
    if (ev.kind === 'truncated') {
      yield rejectItem('import.truncated', `the input ends inside a quoted field of row ${n} (record ${ev.record})`, originOf(n), ev.fields);
      continue;
    }
    if (ev.unterminated) {
      yield rejectItem('import.truncated', `the input ends without a final newline inside row ${n} (record ${ev.record}): the row may be cut`, originOf(n), ev.fields);
      continue;
    }
    const f = ev.fields;
    if (f.length !== width) {
      yield rejectItem('import.parse_error', `row ${n} (record ${ev.record}) has ${f.length} fields, the header has ${width}`, originOf(n), f);
      continue;
    }
    const department = f[col.department].trim();
    const title = f[col.title].trim();
    const ask = f[col.ask].trim();
    const d: Omit<RawDialogue, 'id'> = {
      origin: originOf(n),
      turns: [
        { speaker: 'patient', text: ask || title },
        { speaker: 'doctor', text: f[col.answer].trim() },
      ],
      singleTurn: true,
    };
    if (department) d.department = department;
    if (title) d.title = title;
    yield dialogueItem(d);
  }
};
