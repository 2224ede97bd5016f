import type { Writable } from 'node:stream';
import { inflateRawSync } from 'node:zlib';
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
/**
 * What an XLSX may hold once inflated, in all and per entry (a 50,000-row roster is about 15 MB of XML). A file
 * over it is refused before anything is inflated (by the sizes its zip directory declares), and a file whose
 * entries inflate to more than they declare is refused as soon as they do: a zip bomb never reaches the parser.
 */
const MAX_XLSX_INFLATED = 50 * 1024 * 1024;
const MAX_XLSX_ENTRIES = 200;

const tooLarge = () =>
  new DomainError('import_too_large', 413, 'import.fileTooLarge', { mb: MAX_XLSX_INFLATED / 1024 / 1024 });
const tooManyRows = () => new DomainError('import_too_large', 413, 'import.tooManyRows', { max: MAX_ROWS });
const unreadable = (format: string, reason: string) =>
  new DomainError('import_unreadable', 400, 'import.unreadable', { format, reason });

/** Reads an XLSX (first sheet) or CSV roster into rows of trimmed strings, keyed by the header row. */
export async function readRosterFile(file: {
  buffer: Buffer;
  originalname: string;
}): Promise<RawRosterRow[]> {
  const isXlsx = file.buffer.subarray(0, 2).toString('latin1') === 'PK';
  const table = isXlsx ? await readXlsx(file.buffer) : readCsv(file.buffer);
  if (table.length === 0) throw new DomainError('import_empty', 400, 'import.emptyFile');
  if (table.length - 1 > MAX_ROWS) throw tooManyRows();
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

/** Parses no further than one line past the limit (the header, MAX_ROWS rows, one more to tell it is over). */
function readCsv(buffer: Buffer): string[][] {
  try {
    return parseCsv(buffer, {
      bom: true,
      relax_column_count: true,
      skip_empty_lines: false,
      to_line: MAX_ROWS + 2,
    }) as string[][];
  } catch (e) {
    throw unreadable('CSV', (e as Error).message);
  }
}

/**
 * Checks an XLSX's zip entries before any parser sees it: the sizes its central directory declares, then each
 * entry inflated with a cap of what it declared (a lying entry stops at the cap), and the rows of each sheet
 * counted on the raw XML (a file past the row limit is refused without being parsed).
 */
export function checkZipEntries(buffer: Buffer): void {
  const eocd = buffer.lastIndexOf(Buffer.from([0x50, 0x4b, 0x05, 0x06]));
  if (eocd < 0 || eocd + 22 > buffer.length) throw unreadable('XLSX', 'not a zip file');
  const count = buffer.readUInt16LE(eocd + 10);
  let at = buffer.readUInt32LE(eocd + 16);
  // A roster never needs zip64 (an entry or the archive over 4 GB): its markers are refused.
  if (count === 0xffff || at === 0xffffffff || count > MAX_XLSX_ENTRIES) throw tooLarge();
  const entries: { name: string; method: number; compressed: number; size: number; local: number }[] = [];
  let total = 0;
  for (let i = 0; i < count; i++) {
    if (at + 46 > buffer.length || buffer.readUInt32LE(at) !== 0x02014b50)
      throw unreadable('XLSX', 'broken zip directory');
    const nameLength = buffer.readUInt16LE(at + 28);
    const entry = {
      name: buffer.toString('utf8', at + 46, at + 46 + nameLength),
      method: buffer.readUInt16LE(at + 10),
      compressed: buffer.readUInt32LE(at + 20),
      size: buffer.readUInt32LE(at + 24),
      local: buffer.readUInt32LE(at + 42),
    };
    total += entry.size;
    if (entry.size > MAX_XLSX_INFLATED || total > MAX_XLSX_INFLATED) throw tooLarge();
    entries.push(entry);
    at += 46 + nameLength + buffer.readUInt16LE(at + 30) + buffer.readUInt16LE(at + 32);
  }
  for (const e of entries) {
    if (e.local + 30 > buffer.length || buffer.readUInt32LE(e.local) !== 0x04034b50)
      throw unreadable('XLSX', 'broken zip entry');
    const start = e.local + 30 + buffer.readUInt16LE(e.local + 26) + buffer.readUInt16LE(e.local + 28);
    const data = buffer.subarray(start, start + e.compressed);
    let xml: Buffer;
    if (e.method === 0) {
      if (e.compressed !== e.size) throw tooLarge();
      xml = data;
    } else if (e.method === 8) {
      try {
        xml = inflateRawSync(data, { maxOutputLength: Math.max(1, e.size) });
      } catch (err) {
        if ((err as { code?: string }).code === 'ERR_BUFFER_TOO_LARGE') throw tooLarge();
        throw unreadable('XLSX', (err as Error).message);
      }
    } else throw unreadable('XLSX', `zip compression method ${e.method}`);
    if (/^xl\/worksheets\/[^/]+\.xml$/i.test(e.name) && countRows(xml) - 1 > MAX_ROWS) throw tooManyRows();
  }
}

/** Counts `<row …>` start tags (with or without a namespace prefix) in a sheet's XML, without decoding it. */
function countRows(xml: Buffer): number {
  let rows = 0;
  for (let i = xml.indexOf('row', 0, 'latin1'); i >= 0; i = xml.indexOf('row', i + 3, 'latin1')) {
    const next = xml[i + 3];
    if (next !== 0x20 && next !== 0x3e && next !== 0x2f) continue; // ' ', '>', '/'
    let j = i - 1;
    if (xml[j] === 0x3a) while (j > 0 && xml[j] !== 0x3c && xml[j] !== 0x2f && xml[j] !== 0x20) j--; // a prefix
    if (xml[j] === 0x3c) rows++; // '<' (a closing tag has '/' there)
  }
  return rows;
}

/** The first sheet, after checkZipEntries (sizes and row count within the limits). */
async function readXlsx(buffer: Buffer): Promise<string[][]> {
  checkZipEntries(buffer);
  const workbook = new ExcelJS.Workbook();
  try {
    await workbook.xlsx.load(buffer as unknown as ArrayBuffer);
  } catch (e) {
    throw unreadable('XLSX', (e as Error).message);
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
