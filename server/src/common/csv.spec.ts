import { parse } from 'csv-parse/sync';
import { csvFile, csvRecord, neutraliseFormula } from './csv';

describe('CSV writing', () => {
  it('neutralises text a spreadsheet would take for a formula, and nothing else', () => {
    for (const s of [
      '=1+1',
      '+86 138',
      '-2',
      '@SUM(A1)',
      '\t=1',
      '\r=1',
      '＝1+1',
      '＋86',
      '－2',
      '＠SUM(A1)',
    ]) {
      expect(neutraliseFormula(s)).toBe(`'${s}`);
    }
    for (const s of ['张三', 'a=b', '', ' =1', "'=1"]) expect(neutraliseFormula(s)).toBe(s);
  });

  it('quotes a cell with a semicolon or tab, so a `;`-separated reading cannot split a formula out of it', () => {
    expect(csvRecord(['a;=HYPERLINK("x")', 'b\t=1', 'c'])).toBe('"a;=HYPERLINK(""x"")","b\t=1",c\r\n');
    // Read with `;` as the separator, the cell stays one cell: no field of its own starts with `=`.
    expect(parse(csvRecord(['a;=1+1']), { delimiter: ';' })).toEqual([['a;=1+1']]);
  });

  it('quotes as RFC 4180 says and reads back to the same (neutralised) values', () => {
    const rows = [
      ['姓名', 'x'],
      ['a,b', 'say "hi"'],
      ['line\nbreak', '=HYPERLINK("x")'],
      [-3, 2.5],
    ] as const;
    expect(csvRecord(['a,b', 'say "hi"'])).toBe('"a,b","say ""hi"""\r\n');
    const buf = csvFile(rows);
    expect([...buf.subarray(0, 3)]).toEqual([0xef, 0xbb, 0xbf]);
    expect(parse(buf, { bom: true })).toEqual([
      ['姓名', 'x'],
      ['a,b', 'say "hi"'],
      ['line\nbreak', `'=HYPERLINK("x")`],
      ['-3', '2.5'],
    ]);
  });
});
