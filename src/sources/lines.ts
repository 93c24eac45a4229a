/**
 * Splits decoded text chunks into lines (LF, CRLF or a lone CR, mixed as they come: classic Mac
 * saves, a CR-only consultation pasted into an LF file), streaming: only the unfinished last line of a chunk is held over. After iteration, `terminated`
 * says whether the input ended with a newline — an input cut mid-line is how a truncated
 * line/block file shows itself.
 * A line longer than MAX_UNIT_CHARS is cut one character past it (the importers reject its block).
 * A byte-order mark (U+FEFF) at the start of a line is dropped: concatenated files carry theirs
 * into the middle, and it must not hide the line's first token (MedDialog's `id=`).
 */

/**
 * The most text one line, block or CSV record may hold (2^27 characters; the dumps' longest
 * blocks are some tens of thousands): a longer line is cut one character past it (so the block
 * holding it is seen to be over), and the importers reject a block or record over it as
 * `import.parse_error` keeping only its head, so memory stays bounded and no string outgrows what
 * V8 can hold (2^29 characters).
 */
export const MAX_UNIT_CHARS = 1 << 27;

/**
 * The lines of one block, up to MAX_UNIT_CHARS in all: past that, `over` is set and further lines
 * are counted but not kept (the block is a reject; its first lines are its evidence).
 */
export class BoundedBlock {
  lines: string[] = [];
  chars = 0;
  over = false;

  push(line: string): void {
    this.chars += line.length + 1;
    if (this.chars > MAX_UNIT_CHARS) this.over = true;
    else this.lines.push(line);
  }

  /** Starts the next block (with its first line, if given). */
  reset(first?: string): void {
    this.lines = [];
    this.chars = 0;
    this.over = false;
    if (first !== undefined) this.push(first);
  }
}

export class LineReader implements AsyncIterable<string[]> {
  /** True once the input is exhausted, when its last character was a newline (or it was empty). */
  terminated = true;

  constructor(private readonly text: AsyncIterable<string>) {}

  /**
   * Yields the complete lines of each chunk as one batch (cheaper than one await per line). Line
   * ends are universal, as Python's text files read them (the dumps were written and read that way):
   * LF, CRLF and a lone CR each end a line, in any mix. A lone CR that was text in an LF file merged
   * a consultation into the one before it (its `id=` line stayed inside the last turn).
   */
  async *[Symbol.asyncIterator](): AsyncGenerator<string[]> {
    let carry = '';
    /** The previous chunk ended in CR: held back until we know whether an LF follows. */
    let crPending = false;
    const lines = (chunk: string, last: boolean): string[] => {
      if (crPending) chunk = '\r' + chunk;
      crPending = !last && chunk.length > 0 && chunk.charCodeAt(chunk.length - 1) === 13;
      if (crPending) chunk = chunk.slice(0, -1);
      if (chunk.indexOf('\r') >= 0) chunk = chunk.replace(CR_ENDS, '\n');
      const batch: string[] = [];
      let start = 0;
      let nl = chunk.indexOf('\n');
      if (nl >= 0) {
        batch.push(stripBom(carry.length > MAX_UNIT_CHARS ? carry : carry + chunk.slice(0, nl)));
        carry = '';
        start = nl + 1;
        nl = chunk.indexOf('\n', start);
        while (nl >= 0) {
          batch.push(stripBom(chunk.slice(start, nl)));
          start = nl + 1;
          nl = chunk.indexOf('\n', start);
        }
      }
      // An over-long line is kept only to one character past MAX_UNIT_CHARS (see there).
      const room = MAX_UNIT_CHARS + 1 - carry.length;
      if (room > 0) carry += chunk.length - start > room ? chunk.slice(start, start + room) : chunk.slice(start);
      this.terminated = carry.length === 0 && start >= chunk.length && !crPending;
      return batch;
    };
    for await (const chunk of this.text) {
      if (chunk.length === 0) continue;
      const batch = lines(chunk, false);
      if (batch.length) yield batch;
    }
    if (crPending) {
      const batch = lines('', true);
      if (batch.length) yield batch;
    }
    if (carry.length > 0) {
      this.terminated = false;
      yield [stripBom(carry)];
    }
  }
}

/** CRLF or a lone CR: one line end each. */
const CR_ENDS = /\r\n?/g;

function stripBom(line: string): string {
  return line.length > 0 && line.charCodeAt(0) === 0xfeff ? line.slice(1) : line;
}
