import { describe, expect, it } from 'vitest';
import * as Y from 'yjs';
import { applyEdit, diffText, mapIndex } from './text-binding';

describe('the textarea binding', () => {
  it('finds the one edit between two texts, where the caret says for repeated characters', () => {
    expect(diffText('会议内容', '会议的内容')).toEqual({ index: 2, remove: 0, insert: '的' });
    expect(diffText('会议内容', '会内容')).toEqual({ index: 1, remove: 1, insert: '' });
    expect(diffText('abc', 'aXc')).toEqual({ index: 1, remove: 1, insert: 'X' });
    expect(diffText('同同', '同同同', 3)).toEqual({ index: 2, remove: 0, insert: '同' });
    expect(diffText('同同', '同同同', 1)).toEqual({ index: 0, remove: 0, insert: '同' });
    expect(diffText('一样', '一样')).toBeNull();
  });

  it('keeps the caret in place when someone else types before it, at it, or deletes across it', () => {
    const doc = new Y.Doc();
    const text = doc.getText('t');
    text.insert(0, '会议讨论了工作');
    const deltas: Y.YTextEvent['delta'][] = [];
    text.observe((e) => deltas.push(e.delta));
    applyEdit(text, { index: 0, remove: 0, insert: '本次' }, 'remote');
    expect(mapIndex(4, deltas[0])).toBe(6); // typed before the caret: the caret moves on
    applyEdit(text, { index: 6, remove: 0, insert: '认真' }, 'remote');
    expect(mapIndex(6, deltas[1])).toBe(6); // typed at the caret: the caret stays before it
    applyEdit(text, { index: 1, remove: 4, insert: '' }, 'remote');
    expect(mapIndex(3, deltas[2])).toBe(1); // deleted across the caret: it lands where the deletion was
    expect(mapIndex(8, deltas[2])).toBe(4);
    expect(text.toString()).toBe('本论认真了工作');
  });
});
