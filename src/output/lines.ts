/** Reading JSON-lines files (plain or gzip) as a stream of lines, without readline's overhead. */
import { createReadStream } from 'node:fs';
import { pipeline } from 'node:stream';
import { createGunzip } from 'node:zlib';
import { StringDecoder } from 'node:string_decoder';

export async function* readLines(path: string): AsyncGenerator<string> {
  const raw = createReadStream(path, { highWaterMark: 1 << 20 });
  // pipeline, not pipe: a read error (a missing file) must reach the loop below as a rejection,
  // not escape as an unhandled 'error' event of the file stream.
  const stream = path.endsWith('.gz') ? pipeline(raw, createGunzip(), () => {}) : raw;
  const dec = new StringDecoder('utf8');
  let rest = '';
  for await (const chunk of stream) {
    const text = rest + dec.write(chunk as Buffer);
    let start = 0;
    let nl: number;
    while ((nl = text.indexOf('\n', start)) !== -1) {
      if (nl > start) yield text.slice(start, nl);
      start = nl + 1;
    }
    rest = text.slice(start);
  }
  rest += dec.end();
  if (rest.length > 0) yield rest;
}
