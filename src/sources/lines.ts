/**
 * Splits decoded text chunks into lines (LF or CRLF), streaming: only the unfinished last line
 * of a chunk is held over. After iteration, `terminated` says whether the input ended with a
 * newline — an input cut mid-line is how a truncated line/block file shows itself.
 * A byte-order mark (U+FEFF) at the start of a line is dropped: concatenated files carry theirs
 * into the middle, and it must not hide the line's first token (MedDialog's `id=`).
 */
export class LineReader implements AsyncIterable<string[]> {
  /** True once the input is exhausted, when its last character was a newline (or it was empty). */
  terminated = true;

  constructor(private readonly text: AsyncIterable<string>) {}

  /** Yields the complete lines of each chunk as one batch (cheaper than one await per line). */
  async *[Symbol.asyncIterator](): AsyncGenerator<string[]> {
    let carry = '';
    for await (const chunk of this.text) {
      if (chunk.length === 0) continue;
      const batch: string[] = [];
      let start = 0;
      let nl = chunk.indexOf('\n');
      if (nl >= 0) {
        batch.push(stripCr(carry + chunk.slice(0, nl)));
        carry = '';
        start = nl + 1;
        nl = chunk.indexOf('\n', start);
        while (nl >= 0) {
          batch.push(stripCr(chunk.slice(start, nl)));
          start = nl + 1;
          nl = chunk.indexOf('\n', start);
        }
      }
      carry += chunk.slice(start);
      this.terminated = carry.length === 0;
      if (batch.length) yield batch;
    }
    if (carry.length > 0) {
      this.terminated = false;
      yield [stripCr(carry)];
    }
  }
}

function stripCr(line: string): string {
  const s = line.length > 0 && line.charCodeAt(0) === 0xfeff ? line.slice(1) : line;
  return s.length > 0 && s.charCodeAt(s.length - 1) === 13 ? s.slice(0, -1) : s;
}
