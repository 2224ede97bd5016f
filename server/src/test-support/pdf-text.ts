import { execFileSync } from 'node:child_process';

/**
 * The text and page count of a PDF by pdf.js (npm pdf-parse), in a child process: pdf.js loads its worker with
 * a dynamic `import()`, which jest's module sandbox does not allow.
 */
export function pdfContent(pdf: Buffer): { text: string; pages: number } {
  const script = `
    const { PDFParse } = require('pdf-parse');
    const chunks = [];
    process.stdin.on('data', (c) => chunks.push(c)).on('end', async () => {
      const parser = new PDFParse({ data: new Uint8Array(Buffer.concat(chunks)) });
      const result = await parser.getText();
      process.stdout.write(JSON.stringify({ text: result.text, pages: result.pages.length }));
      await parser.destroy();
    });`;
  return JSON.parse(
    execFileSync(process.execPath, ['-e', script], { input: pdf, cwd: __dirname, encoding: 'utf8' }),
  ) as { text: string; pages: number };
}
