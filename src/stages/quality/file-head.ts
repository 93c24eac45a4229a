/**
 * File-level decisions read off a file's first dialogues (file-spin.ts, length-cap.ts): the items
 * of the file are held until the head is read, the decision is made once, and then every item,
 * held or not, goes on through `mark`. Every executor reads a file in order, so all decide alike.
 */
import type { RawDialogue } from '../../../schemas/dialogue.js';
import type { ImportItem } from '../../sources/types.js';

/**
 * Holds items until `full(dialogues)` says the head is read (or the file ends), calls `decide`
 * on the head's dialogues, and yields every item through the mark it returns.
 */
export async function* markByHead(
  items: AsyncIterable<ImportItem>,
  full: (head: RawDialogue[], last: RawDialogue) => boolean,
  decide: (head: RawDialogue[]) => (item: ImportItem) => ImportItem,
): AsyncGenerator<ImportItem> {
  const it = items[Symbol.asyncIterator]();
  const held: ImportItem[] = [];
  const head: RawDialogue[] = [];
  let done = false;
  try {
    for (;;) {
      const r = await it.next();
      if (r.done) {
        done = true;
        break;
      }
      held.push(r.value);
      if (r.value.kind === 'dialogue') {
        head.push(r.value.dialogue);
        if (full(head, r.value.dialogue)) break;
      }
    }
    const mark = decide(head);
    for (const item of held) yield mark(item);
    held.length = 0;
    if (done) return;
    for (;;) {
      const r = await it.next();
      if (r.done) return;
      yield mark(r.value);
    }
  } finally {
    await it.return?.(undefined);
  }
}
