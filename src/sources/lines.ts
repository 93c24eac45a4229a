/**
 * Splits decoded text chunks into lines (LF or CRLF, or CR alone when the first line end is a CR
 * not followed by LF: classic Mac files, which Python's universal newlines read the same way),
 * streaming: only the unfinished last line of a chunk is held over. After iteration, `terminated`
 * says whether the input ended with a newline — an input cut mid-line is how a truncated
 * line/block file shows itself.
 * A byte-order mark (U+FEFF) at the start of a line is dropped: concatenated files carry theirs
 * into the middle, and it must not hide the line's first token (MedDialog's `id=`).
 */

/**
 * The line end `text` uses, from its first one: '\r' for a CR not followed by LF, else '\n'
 * (LF or CRLF); undefined while `text` holds none, or ends on a CR that could start a CRLF.
 */
export function lineEndOf(text: string): '\n' | '\r' | undefined {
  const lf = text.indexOf('\n');
  const cr = text.indexOf('\r');
  if (cr < 0 || (lf >= 0 && lf < cr)) return lf < 0 ? undefined : '\n';
  if (cr + 1 === text.length) return undefined;
  return text.charCodeAt(cr + 1) === 10 ? '\n' : '\r';
}

export class LineReader implements AsyncIterable<string[]> {
  /** True once the input is exhausted, when its last character was a newline (or it was empty). */
  terminated = true;

  constructor(private readonly text: AsyncIterable<string>) {}

  /** Yields the complete lines of each chunk as one batch (cheaper than one await per line). */
  async *[Symbol.asyncIterator](): AsyncGenerator<string[]> {
    let carry = '';
    /** The line end, once the first one was seen. */
    let eol: '\n' | '\r' | undefined;
    for await (let chunk of this.text) {
      if (chunk.length === 0) continue;
      if (eol === undefined) {
        eol = lineEndOf(carry + chunk);
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
        batch.push(stripCr(carry + chunk.slice(0, nl)));
        carry = '';
        start = nl + 1;
        nl = chunk.indexOf(eol, start);
        while (nl >= 0) {
          batch.push(stripCr(chunk.slice(start, nl)));
          start = nl + 1;
          nl = chunk.indexOf(eol, start);
        }
      }
      carry += chunk.slice(start);
      this.terminated = carry.length === 0;
      if (batch.length) yield batch;
    }
    if (eol === undefined && carry.endsWith('\r')) {
      // The only line end is a CR at the very end of the input.
      this.terminated = true;
      yield [stripCr(carry)];
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
