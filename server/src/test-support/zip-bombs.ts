import { createDeflateRaw } from 'node:zlib';

/**
 * Hand-made XLSX files for the upload limits: a zip writer that deflates each entry from a
 * generator of chunks, so a file that inflates to hundreds of MB is made without ever holding them in memory.
 */
const table = Array.from({ length: 256 }, (_, n) => {
  let c = n;
  for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
  return c >>> 0;
});
function crc32(crc: number, buf: Buffer): number {
  let c = ~crc >>> 0;
  for (let i = 0; i < buf.length; i++) c = table[(c ^ buf[i]) & 0xff] ^ (c >>> 8);
  return ~c >>> 0;
}

interface Entry {
  name: string;
  chunks: () => Iterable<Buffer>;
  /** Declare this uncompressed size instead of the real one (a lying entry). */
  declare?: number;
}

async function deflate(chunks: Iterable<Buffer>, withCrc: boolean, level: number) {
  const z = createDeflateRaw({ level });
  const out: Buffer[] = [];
  z.on('data', (b: Buffer) => out.push(b));
  const done = new Promise((resolve) => z.on('end', resolve));
  let size = 0;
  let crc = 0;
  for (const chunk of chunks) {
    size += chunk.length;
    if (withCrc) crc = crc32(crc, chunk);
    if (!z.write(chunk)) await new Promise((r) => z.once('drain', r));
  }
  z.end();
  await done;
  return { data: Buffer.concat(out), size, crc };
}

export async function zipFile(entries: Entry[], withCrc = true, level = 1): Promise<Buffer> {
  const locals: Buffer[] = [];
  const central: Buffer[] = [];
  let offset = 0;
  for (const e of entries) {
    const { data, size, crc } = await deflate(e.chunks(), withCrc, level);
    const name = Buffer.from(e.name);
    const declared = e.declare ?? size;
    const local = Buffer.alloc(30);
    local.writeUInt32LE(0x04034b50, 0);
    local.writeUInt16LE(20, 4);
    local.writeUInt16LE(8, 8);
    local.writeUInt32LE(crc, 14);
    local.writeUInt32LE(data.length, 18);
    local.writeUInt32LE(declared, 22);
    local.writeUInt16LE(name.length, 26);
    const cd = Buffer.alloc(46);
    cd.writeUInt32LE(0x02014b50, 0);
    cd.writeUInt16LE(20, 4);
    cd.writeUInt16LE(20, 6);
    cd.writeUInt16LE(8, 10);
    cd.writeUInt32LE(crc, 16);
    cd.writeUInt32LE(data.length, 20);
    cd.writeUInt32LE(declared, 24);
    cd.writeUInt16LE(name.length, 28);
    cd.writeUInt32LE(offset, 42);
    locals.push(local, name, data);
    central.push(cd, name);
    offset += 30 + name.length + data.length;
  }
  const cdSize = central.reduce((n, b) => n + b.length, 0);
  const end = Buffer.alloc(22);
  end.writeUInt32LE(0x06054b50, 0);
  end.writeUInt16LE(entries.length, 8);
  end.writeUInt16LE(entries.length, 10);
  end.writeUInt32LE(cdSize, 12);
  end.writeUInt32LE(offset, 16);
  return Buffer.concat([...locals, ...central, end]);
}

const once = (s: string) => () => [Buffer.from(s)];
const frame: Entry[] = [
  {
    name: '[Content_Types].xml',
    chunks: once(
      '<?xml version="1.0" encoding="UTF-8"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types"><Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/><Default Extension="xml" ContentType="application/xml"/><Override PartName="/xl/workbook.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/><Override PartName="/xl/worksheets/sheet1.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/></Types>',
    ),
  },
  {
    name: '_rels/.rels',
    chunks: once(
      '<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" Target="xl/workbook.xml"/></Relationships>',
    ),
  },
  {
    name: 'xl/workbook.xml',
    chunks: once(
      '<?xml version="1.0" encoding="UTF-8"?><workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships"><sheets><sheet name="花名册" sheetId="1" r:id="rId1"/></sheets></workbook>',
    ),
  },
  {
    name: 'xl/_rels/workbook.xml.rels',
    chunks: once(
      '<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet" Target="worksheets/sheet1.xml"/></Relationships>',
    ),
  },
];

const cell = (ref: string, text: string) => `<c r="${ref}" t="inlineStr"><is><t>${text}</t></is></c>`;
function* sheetRows(rows: number): Iterable<Buffer> {
  yield Buffer.from(
    `<?xml version="1.0" encoding="UTF-8"?><worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetData><row r="1">${cell('A1', '姓名')}${cell('B1', '手机号')}</row>`,
  );
  let batch: string[] = [];
  for (let r = 2; r <= rows + 1; r++) {
    batch.push(`<row r="${r}">${cell(`A${r}`, `党员${r}`)}${cell(`B${r}`, String(13100000000 + r))}</row>`);
    if (batch.length === 5000) {
      yield Buffer.from(batch.join(''));
      batch = [];
    }
  }
  yield Buffer.from(`${batch.join('')}</sheetData></worksheet>`);
}

/** A roster XLSX of `rows` data rows (name and phone), written as inline strings. */
export const xlsxWithRows = (rows: number, withCrc = true) =>
  zipFile([...frame, { name: 'xl/worksheets/sheet1.xml', chunks: () => sheetRows(rows) }], withCrc);

/** An XLSX whose sheet inflates to `mb` MB of blanks (about 1 KB per MB compressed); `lie` declares 1 KB. */
export function xlsxBomb(mb: number, lie = false): Promise<Buffer> {
  const blank = Buffer.alloc(1024 * 1024, 0x20);
  return zipFile(
    [
      ...frame,
      {
        name: 'xl/worksheets/sheet1.xml',
        chunks: function* () {
          for (let i = 0; i < mb; i++) yield blank;
        },
        declare: lie ? 1024 : undefined,
      },
    ],
    false,
    9,
  );
}
