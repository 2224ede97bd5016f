/**
 * Cells a spreadsheet would read as a formula (or as the start of one, after a leading tab or carriage return)
 * are prefixed with `'`, so an exported file cannot run `=HYPERLINK(...)`, `=cmd|...` and the like when opened
 * (OWASP "CSV injection"). Only text goes through it: numbers are written as numbers.
 */
export function neutraliseFormula(text: string): string {
  // The full-width forms too (＝＋－＠): spreadsheets in Chinese locales take them for the ASCII ones.
  return /^[=+\-@\t\r\uff1d\uff0b\uff0d\uff20]/.test(text) ? `'${text}` : text;
}

export type CsvCell = string | number | null | undefined;

/**
 * One CSV record (RFC 4180): text neutralised, quoted when it holds a comma, quote, CR or LF — or a semicolon or
 * tab, which Excel in locales whose list separator is `;` splits on (`a;=HYPERLINK(…)` would become a formula
 * cell of its own); CRLF-terminated.
 */
export function csvRecord(cells: readonly CsvCell[]): string {
  return (
    cells
      .map((cell) => {
        if (cell === null || cell === undefined) return '';
        if (typeof cell === 'number') return String(cell);
        const text = neutraliseFormula(cell);
        return /[",;\t\r\n]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
      })
      .join(',') + '\r\n'
  );
}

/** A whole CSV file as Excel opens it: UTF-8 with a byte order mark (or Excel guesses GBK and garbles Chinese). */
export function csvFile(records: readonly (readonly CsvCell[])[]): Buffer {
  return Buffer.from(`\uFEFF${records.map(csvRecord).join('')}`, 'utf8');
}
