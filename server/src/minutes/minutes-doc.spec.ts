import {
  appendParagraph,
  checkClientUpdate,
  docFromState,
  ensureSections,
  readSections,
  replaceText,
  resolutionsOf,
  sectionsOf,
  textOf,
} from './minutes-doc';
import * as Y from './yjs';

const fresh = (agenda: string[]) => {
  const doc = new Y.Doc();
  ensureSections(doc, agenda);
  return doc;
};
const copyOf = (doc: Y.Doc) => docFromState(Y.encodeStateAsUpdate(doc));

describe('the minutes document', () => {
  it('has a section per agenda item, adds new ones and never removes what was written', () => {
    const doc = fresh(['学习党章', '讨论']);
    expect(readSections(doc).map((s) => [s.key, s.title])).toEqual([
      ['item-1', '学习党章'],
      ['item-2', '讨论'],
    ]);
    textOf(sectionsOf(doc).get(1)).insert(0, '已讨论');
    ensureSections(doc, ['学习党章', '讨论']);
    expect(sectionsOf(doc).length).toBe(2);
    ensureSections(doc, ['讨论', '新议题']);
    expect(readSections(doc).map((s) => s.title)).toEqual(['学习党章', '讨论', '新议题']);
    expect(readSections(doc)[1].text).toBe('已讨论');
    expect(readSections(fresh([]))).toEqual([{ key: 'general', title: '会议内容', text: '' }]);
  });

  it('merges two concurrent inserts at the same place without losing either', () => {
    const a = fresh(['议题']);
    const b = copyOf(a);
    textOf(sectionsOf(a).get(0)).insert(0, '甲的发言');
    textOf(sectionsOf(b).get(0)).insert(0, '乙的发言');
    const ua = Y.encodeStateAsUpdate(a);
    const ub = Y.encodeStateAsUpdate(b);
    Y.applyUpdate(a, ub);
    Y.applyUpdate(b, ua);
    const text = readSections(a)[0].text;
    expect(readSections(b)[0].text).toBe(text);
    expect(text.length).toBe(8);
    expect(text).toMatch(/^(甲的发言乙的发言|乙的发言甲的发言)$/);
  });

  it('replaces a text with the smallest edit, so a concurrent edit elsewhere survives', () => {
    const doc = fresh([]);
    const text = textOf(sectionsOf(doc).get(0));
    text.insert(0, '会议讨论了三项工作。');
    const other = copyOf(doc);
    textOf(sectionsOf(other).get(0)).insert(0, '【补】');
    replaceText(text, '会议讨论了四项工作。');
    Y.applyUpdate(doc, Y.encodeStateAsUpdate(other));
    expect(text.toString()).toBe('【补】会议讨论了四项工作。');
    appendParagraph(resolutionsOf(doc), '决议一');
    appendParagraph(resolutionsOf(doc), '决议二');
    expect(resolutionsOf(doc).toString()).toBe('决议一\n决议二\n');
  });

  it('lets a client write into the texts, not change the sections or add shared types', () => {
    const server = fresh(['议题']);
    const edit = (fn: (doc: Y.Doc) => void) => {
      const client = copyOf(server);
      const before = Y.encodeStateVector(client);
      fn(client);
      return Y.encodeStateAsUpdate(client, before);
    };
    expect(
      checkClientUpdate(
        server,
        edit((d) => textOf(sectionsOf(d).get(0)).insert(0, '正常记录')),
      ),
    ).toBe('ok');
    expect(
      checkClientUpdate(
        server,
        edit((d) => resolutionsOf(d).insert(0, '决议')),
      ),
    ).toBe('ok');
    expect(
      checkClientUpdate(
        server,
        edit((d) => sectionsOf(d).delete(0, 1)),
      ),
    ).toBe('structure');
    expect(
      checkClientUpdate(
        server,
        edit((d) => sectionsOf(d).get(0).set('title', '改过的议题')),
      ),
    ).toBe('structure');
    expect(
      checkClientUpdate(
        server,
        edit((d) => d.getMap('other').set('x', '1')),
      ),
    ).toBe('structure');
    expect(checkClientUpdate(server, new Uint8Array([1, 2, 3, 4, 5]))).toBe('corrupt');
    expect(
      checkClientUpdate(
        server,
        edit((d) => resolutionsOf(d).insert(0, '字'.repeat(500_001))),
      ),
    ).toBe('too_long');
    // An update that depends on changes the server never got cannot be applied whole.
    const client = copyOf(server);
    textOf(sectionsOf(client).get(0)).insert(0, '先');
    const sv = Y.encodeStateVector(client);
    textOf(sectionsOf(client).get(0)).insert(1, '后');
    expect(checkClientUpdate(server, Y.encodeStateAsUpdate(client, sv))).toBe('corrupt');
  });
});
