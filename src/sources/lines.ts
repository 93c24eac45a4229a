/**
 * Splits decoded text chunks into lines (LF or CRLF; or CR alone in a file whose first
 * LINE_END_SNIFF_CHARS hold CRs and no LF at all: classic Mac and old Excel-for-Mac saves),
 * streaming: only the unfinished last line of a chunk is held over. After iteration, `terminated`
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

/** How much text decides a file's line end when no LF comes first. */
export const LINE_END_SNIFF_CHARS = 64 * 1024;

/**
 * Decides a file's line end from its first text: '\n' (LF or CRLF; a lone CR is then text) as
 * soon as an LF appears, '\r' when LINE_END_SNIFF_CHARS (or the whole input) passed holding CRs
 * and no LF ('\n' when it held neither). One stray CR before the first LF does not turn an LF file into a CR file. Each
 * chunk is looked at once (held-over text is not scanned again).
 */
export class LineEndSniffer {
  private seen = 0;
  private sawCr = false;

  /** The line end once decided by the text fed so far, else undefined. */
  feed(chunk: string): '\n' | '\r' | undefined {
    if (chunk.indexOf('\n') >= 0) return '\n';
    if (!this.sawCr && chunk.indexOf('\r') >= 0) this.sawCr = true;
    this.seen += chunk.length;
    if (this.seen < LINE_END_SNIFF_CHARS) return undefined;
    return this.sawCr ? '\r' : '\n'; // neither: one long line so far, LF is the default
  }

  /** The line end at the end of the input (no LF anywhere): '\r' if it held a CR. */
  end(): '\n' | '\r' {
    return this.sawCr ? '\r' : '\n';
  }
}

export class LineReader implements AsyncIterable<string[]> {
  /** True once the input is exhausted, when its last character was a newline (or it was empty). */
  terminated = true;

  constructor(private readonly text: AsyncIterable<string>) {}

  /** Yields the complete lines of each chunk as one batch (cheaper than one await per line). */
  async *[Symbol.asyncIterator](): AsyncGenerator<string[]> {
    let carry = '';
    /** The line end, once decided (LineEndSniffer). */
    let eol: '\n' | '\r' | undefined;
    const sniffer = new LineEndSniffer();
    for await (let chunk of this.text) {
      if (chunk.length === 0) continue;
      if (eol === undefined) {
        eol = sniffer.feed(chunk);
        if (eol === undefined) {
          carry += chunk;
          continue;
        }
        chunk = carry + chunk;
        carry = '';
      }
      const batch: string[] = [];
      let start = 0;
      let nl = chunk.indexOf(eol);
      if (nl >= 0) {
        batch.push(stripCr(carry.length > MAX_UNIT_CHARS ? carry : carry + chunk.slice(0, nl)));
        carry = '';
        start = nl + 1;
        nl = chunk.indexOf(eol, start);
        while (nl >= 0) {
          batch.push(stripCr(chunk.slice(start, nl)));
          start = nl + 1;
          nl = chunk.indexOf(eol, start);
        }
      }
      // An over-long line is kept only to one character past MAX_UNIT_CHARS (see there).
      const room = MAX_UNIT_CHARS + 1 - carry.length;
      if (room > 0) carry += chunk.length - start > room ? chunk.slice(start, start + room) : chunk.slice(start);
      this.terminated = carry.length === 0 && start >= chunk.length;
      if (batch.length) yield batch;
    }
    if (eol === undefined && carry.length > 0) {
      // Undecided to the end: a short input with no LF (its lines end in CR, or it is one line).
      const lines = carry.split(sniffer.end());
      const last = lines.pop()!;
      if (lines.length) yield lines.map(stripCr);
      this.terminated = last.length === 0;
      if (last.length) yield [stripCr(last)];
    } else if (carry.length > 0) {
      this.terminated = false;
      yield [stripCr(carry)];
    }
  }
}

function stripCr(line: string): string {
  const s = line.length > 0 && line.charCodeAt(0) === 0xfeff ? line.slice(1) : line;
  return s.length > 0 && s.charCodeAt(s.length - 1) === 13 ? s.slice(0, -1) : s;
}
