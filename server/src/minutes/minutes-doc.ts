import { MINUTES_YDOC, type MinutesSection } from '@branchmeet/shared';
import * as Y from './yjs';

/**
 * The Yjs document of a meeting's minutes: a Y.Array `sections` of Y.Maps { key, title, text: Y.Text } (one per
 * agenda item, or one general section when the meeting has no agenda) and a Y.Text `resolutions`. Only the
 * server adds sections; clients write into the texts.
 */
export const GENERAL_SECTION = { key: 'general', title: '会议内容' } as const;
/** The longest the whole written text may grow (characters). */
export const MINUTES_MAX_CHARS = 500_000;

export type SectionMap = Y.YMap<string | Y.Text>;

export const sectionsOf = (doc: Y.Doc) => doc.getArray<SectionMap>(MINUTES_YDOC.sections);
export const resolutionsOf = (doc: Y.Doc) => doc.getText(MINUTES_YDOC.resolutions);

export function docFromState(state: Uint8Array | null, updates: readonly Uint8Array[] = []): Y.Doc {
  const doc = new Y.Doc();
  if (state && state.length) Y.applyUpdate(doc, state);
  for (const u of updates) Y.applyUpdate(doc, u);
  return doc;
}

/**
 * Adds a section for each agenda item that has none yet (matched by title, in agenda order; the general section
 * when there is no agenda and no section at all). Never removes a section: what was written stays.
 */
export function ensureSections(doc: Y.Doc, agenda: readonly string[]): void {
  const sections = sectionsOf(doc);
  const titles = new Set(sections.toArray().map((s) => s.get('title') as string));
  const wanted = agenda.length ? agenda : sections.length ? [] : [GENERAL_SECTION.title];
  const missing = wanted.filter((title) => !titles.has(title));
  if (!missing.length) return;
  doc.transact(() => {
    let n = sections.length;
    for (const title of missing) {
      const section = new Y.YMap<string | Y.Text>();
      section.set('key', agenda.length ? `item-${++n}` : GENERAL_SECTION.key);
      section.set('title', title);
      section.set('text', new Y.Text());
      sections.push([section]);
    }
  });
}

export function readSections(doc: Y.Doc): MinutesSection[] {
  return sectionsOf(doc)
    .toArray()
    .map((s) => ({
      key: String(s.get('key')),
      title: String(s.get('title')),
      text: textOf(s).toString(),
    }));
}

export function textOf(section: SectionMap): Y.Text {
  const text = section.get('text');
  if (!(text instanceof Y.Text)) throw new Error('a minutes section without its text');
  return text;
}

/** Replaces a Y.Text's content by `next` with the smallest edit (common prefix and suffix kept). */
export function replaceText(text: Y.Text, next: string): void {
  const prev = text.toString();
  if (prev === next) return;
  let start = 0;
  const max = Math.min(prev.length, next.length);
  while (start < max && prev.charCodeAt(start) === next.charCodeAt(start)) start++;
  let end = 0;
  while (
    end < max - start &&
    prev.charCodeAt(prev.length - 1 - end) === next.charCodeAt(next.length - 1 - end)
  )
    end++;
  text.doc!.transact(() => {
    const removed = prev.length - start - end;
    if (removed > 0) text.delete(start, removed);
    const inserted = next.slice(start, next.length - end);
    if (inserted) text.insert(start, inserted);
  });
}

/** Appends a paragraph to a Y.Text (a blank line before it unless the text is empty). */
export function appendParagraph(text: Y.Text, paragraph: string): void {
  const current = text.toString();
  const sep = current === '' ? '' : current.endsWith('\n') ? '' : '\n';
  text.insert(current.length, `${sep}${paragraph}\n`);
}

/**
 * What a well-formed client update may do: write into the texts. Applied to a copy first; refused if it removed
 * or changed a section, added shared types the document does not have, or grew the text past the limit.
 */
export function checkClientUpdate(
  doc: Y.Doc,
  update: Uint8Array,
): 'ok' | 'corrupt' | 'structure' | 'too_long' {
  const copy = new Y.Doc();
  try {
    Y.applyUpdate(copy, Y.encodeStateAsUpdate(doc));
    Y.applyUpdate(copy, update);
  } catch {
    return 'corrupt';
  }
  // An update whose dependencies are missing stays pending: nothing of it is applied, which is not allowed.
  const pending = copy.store as unknown as { pendingStructs: unknown; pendingDs: unknown };
  if (pending.pendingStructs || pending.pendingDs) return 'corrupt';
  const before = sectionsOf(doc).toArray();
  const after = sectionsOf(copy).toArray();
  if (after.length !== before.length) return 'structure';
  for (let i = 0; i < after.length; i++) {
    const a = after[i];
    const b = before[i];
    if (a.get('key') !== b.get('key') || a.get('title') !== b.get('title')) return 'structure';
    if (!(a.get('text') instanceof Y.Text) || [...a.keys()].length !== 3) return 'structure';
  }
  if ([...copy.share.keys()].some((k) => k !== 'sections' && k !== 'resolutions')) return 'structure';
  const chars = readSections(copy).reduce((n, s) => n + s.text.length, 0) + resolutionsOf(copy).length;
  if (chars > MINUTES_MAX_CHARS) return 'too_long';
  return 'ok';
}

export const toBase64 = (bytes: Uint8Array) => Buffer.from(bytes).toString('base64');
export const fromBase64 = (text: string) => new Uint8Array(Buffer.from(text, 'base64'));
