import type { Writable } from 'node:stream';
import { parse as parseCsv } from 'csv-parse/sync';
import ExcelJS from 'exceljs';
import { rosterColumns } from '@branchmeet/shared';
import { DomainError } from '../common/domain-error';

export type RosterColumnKey = (typeof rosterColumns)[number]['key'];

/** A data row of a roster file: its row number as a spreadsheet shows it, and its cells by column. */
export interface RawRosterRow {
  row: number;
  cells: Partial<Record<RosterColumnKey, string>>;
}

const MAX_ROWS = 50_000;

/** Reads an XLSX (first sheet) or CSV roster into rows of trimmed strings, keyed by the header row. */
export async function readRosterFile(file: {
  buffer: Buffer;
  originalname: string;
}): Promise<RawRosterRow[]> {
  const isXlsx = file.buffer.subarray(0, 2).toString('latin1') === 'PK';
  const table = isXlsx ? await readXlsx(file.buffer) : readCsv(file.buffer);
  if (table.length === 0) throw new DomainError('import_empty', 400, 'import.emptyFile');
  if (table.length - 1 > MAX_ROWS) {
    throw new DomainError('import_too_large', 400, 'import.tooManyRows', { max: MAX_ROWS });
  }
  const header = table[0].map((h) => h.trim().toLowerCase());
  const index = new Map<RosterColumnKey, number>();
  for (const col of rosterColumns) {
    const at = header.findIndex((h) => h === col.zh || h === col.en);
    if (at >= 0) index.set(col.key, at);
  }
  const missing = rosterColumns.filter((c) => (c.key === 'name' || c.key === 'phone') && !index.has(c.key));
  if (missing.length) {
    throw new DomainError('import_bad_header', 400, 'import.badHeader', {
      missing: missing.map((c) => `${c.zh} (${c.en})`).join(', '),
    });
  }
  const rows: RawRosterRow[] = [];
  table.slice(1).forEach((values, i) => {
    if (values.every((v) => v.trim() === '')) return;
    const cells: RawRosterRow['cells'] = {};
    for (const [key, at] of index) cells[key] = (values[at] ?? '').trim();
    rows.push({ row: i + 2, cells });
  });
  return rows;
}

function readCsv(buffer: Buffer): string[][] {
  try {
    return parseCsv(buffer, { bom: true, relax_column_count: true, skip_empty_lines: false }) as string[][];
  } catch (e) {
    throw new DomainError('import_unreadable', 400, 'import.unreadable', {
      format: 'CSV',
      reason: (e as Error).message,
    });
  }
}

async function readXlsx(buffer: Buffer): Promise<string[][]> {
  const workbook = new ExcelJS.Workbook();
  try {
    await workbook.xlsx.load(buffer as unknown as ArrayBuffer);
  } catch (e) {
    throw new DomainError('import_unreadable', 400, 'import.unreadable', {
      format: 'XLSX',
      reason: (e as Error).message,
    });
  }
  const sheet = workbook.worksheets[0];
  if (!sheet) return [];
  const table: string[][] = [];
  sheet.eachRow({ includeEmpty: true }, (row, rowNumber) => {
    const values: string[] = [];
    row.eachCell({ includeEmpty: true }, (cell, col) => {
      values[col - 1] = cell.text ?? '';
    });
    table[rowNumber - 1] = Array.from(values, (v) => v ?? '');
  });
  return Array.from(table, (r) => r ?? []);
}

/**
 * Writes rows as an XLSX with a bold, frozen header; streamed, so memory stays flat for large rosters.
 * `preamble`: lines above the header (a title block: label and value per line), the header row follows them.
 *
 * Text is written as string cells, which Excel never evaluates (a formula is a cell of its own type), so names
 * such as `=HYPERLINK(...)` are safe here without the CSV writer's `'` prefix.
 */
export async function writeXlsx(
  out: Writable,
  sheets: {
    name: string;
    columns: { header: string; key: string; width: number }[];
    rows: Record<string, unknown>[];
    preamble?: (string | number)[][];
  }[],
): Promise<void> {
  const workbook = new ExcelJS.stream.xlsx.WorkbookWriter({
    stream: out,
    useSharedStrings: false,
    useStyles: true,
  });
  for (const s of sheets) {
    const headerRow = (s.preamble?.length ?? 0) + 1;
    const sheet = workbook.addWorksheet(s.name, { views: [{ state: 'frozen', ySplit: headerRow }] });
    if (s.preamble?.length) {
      sheet.columns = s.columns.map(({ key, width }) => ({ key, width }));
      for (const line of s.preamble) sheet.addRow(line).commit();
      const header = sheet.addRow(s.columns.map((c) => c.header));
      header.font = { bold: true };
      header.commit();
    } else {
      sheet.columns = s.columns;
      sheet.getRow(1).font = { bold: true };
      sheet.getRow(1).commit();
    }
    for (const r of s.rows) sheet.addRow(r).commit();
    sheet.commit();
  }
  await workbook.commit();
}
