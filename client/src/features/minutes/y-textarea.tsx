import { Input } from 'antd';
import type { TextAreaRef } from 'antd/es/input/TextArea';
import { useEffect, useRef, useState, type ComponentProps } from 'react';
import type * as Y from 'yjs';
import { applyEdit, diffText, mapIndex } from './text-binding';

const BINDING = 'y-textarea';

type Props = Omit<ComponentProps<typeof Input.TextArea>, 'value' | 'onChange' | 'readOnly'> & {
  text: Y.Text;
  editable: boolean;
};

/**
 * A textarea bound to a Y.Text: typing becomes the smallest Yjs edit; others' edits update the text and keep the
 * caret where it was relative to the text around it. While an input method composes (pinyin), nothing touches
 * the textarea; the composed text is applied at the end, at its place in the text as others changed it.
 */
export function YTextArea({ text, editable, ...props }: Props) {
  const ref = useRef<TextAreaRef>(null);
  const [value, setValue] = useState(() => text.toString());
  const shadow = useRef(value);
  const composing = useRef<{ base: string; deltas: Y.YTextEvent['delta'][] } | null>(null);

  useEffect(() => {
    shadow.current = text.toString();
    setValue(shadow.current);
    const observer = (event: Y.YTextEvent) => {
      if (event.transaction.origin === BINDING) return;
      const next = text.toString();
      shadow.current = next;
      if (composing.current) {
        composing.current.deltas.push(event.delta);
        return;
      }
      const el = ref.current?.resizableTextArea?.textArea;
      const focused = !!el && document.activeElement === el;
      const sel = focused ? [el.selectionStart, el.selectionEnd] : null;
      if (el) el.value = next;
      setValue(next);
      if (el && sel) el.setSelectionRange(mapIndex(sel[0], event.delta), mapIndex(sel[1], event.delta));
    };
    text.observe(observer);
    return () => text.unobserve(observer);
  }, [text]);

  const commit = (next: string, cursor: number) => {
    const edit = diffText(shadow.current, next, cursor);
    shadow.current = next;
    setValue(next);
    if (edit) applyEdit(text, edit, BINDING);
  };

  return (
    <Input.TextArea
      {...props}
      ref={ref}
      value={value}
      readOnly={!editable}
      onChange={(e) => {
        if (composing.current || !editable) {
          setValue(e.target.value);
          return;
        }
        commit(e.target.value, e.target.selectionEnd);
      }}
      onCompositionStart={() => {
        composing.current = { base: shadow.current, deltas: [] };
      }}
      onCompositionEnd={(e) => {
        const state = composing.current;
        composing.current = null;
        if (!state || !editable) return;
        const el = e.currentTarget;
        const edit = diffText(state.base, el.value, el.selectionEnd);
        if (!edit) return;
        // The composed edit, moved through what others changed meanwhile.
        const index = state.deltas.reduce((i, d) => mapIndex(i, d), edit.index);
        const removeEnd = state.deltas.reduce((i, d) => mapIndex(i, d), edit.index + edit.remove);
        applyEdit(text, { index, remove: Math.max(0, removeEnd - index), insert: edit.insert }, BINDING);
        const next = text.toString();
        shadow.current = next;
        el.value = next;
        setValue(next);
        const caret = index + edit.insert.length;
        el.setSelectionRange(caret, caret);
      }}
    />
  );
}
