import type * as Y from 'yjs';

/** One edit: delete `remove` characters at `index`, then insert `insert` there. */
export interface TextEdit {
  index: number;
  remove: number;
  insert: string;
}

/** The smallest single edit that turns `prev` into `next` (common prefix and suffix kept). */
export function diffText(prev: string, next: string, cursor?: number): TextEdit | null {
  if (prev === next) return null;
  const max = Math.min(prev.length, next.length);
  let start = 0;
  while (start < max && prev.charCodeAt(start) === next.charCodeAt(start)) start++;
  // Where the caret is tells a repeated character apart: "aa" → "aaa" typed at the end inserts at the end.
  if (cursor !== undefined) start = Math.min(start, Math.max(0, cursor - (next.length - prev.length)));
  let end = 0;
  while (
    end < max - start &&
    prev.charCodeAt(prev.length - 1 - end) === next.charCodeAt(next.length - 1 - end)
  )
    end++;
  return { index: start, remove: prev.length - start - end, insert: next.slice(start, next.length - end) };
}

export function applyEdit(text: Y.Text, edit: TextEdit, origin: unknown): void {
  text.doc!.transact(() => {
    if (edit.remove > 0) text.delete(edit.index, edit.remove);
    if (edit.insert) text.insert(edit.index, edit.insert);
  }, origin);
}

type Delta = Y.YTextEvent['delta'];

/**
 * Where a position of the old text is after a change (a Y.Text event's delta): text inserted before it shifts it,
 * text inserted exactly at it stays after it (someone else typing where the caret is does not move the caret).
 */
export function mapIndex(index: number, delta: Delta): number {
  let old = 0;
  let result = index;
  for (const op of delta) {
    if (op.retain !== undefined) old += op.retain;
    else if (op.insert !== undefined) {
      const len = typeof op.insert === 'string' ? op.insert.length : 1;
      if (old < index) result += len;
    } else if (op.delete !== undefined) {
      if (old < index) result -= Math.min(op.delete, index - old);
      old += op.delete;
    }
    if (old >= index && op.insert === undefined) break;
  }
  return Math.max(0, result);
}
