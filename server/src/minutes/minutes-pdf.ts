import type { Writable } from 'node:stream';
import PDFDocument from 'pdfkit';
import { numeral, paragraphsOf, reviewLine, signatureText, type PrintedMinutes } from './minutes-print';
import { chinaMinute, headerRows, sectionHeading, voteLine, votesToList } from './minutes-text';

/**
 * The minutes as PDF, the same layout as the DOCX, with the embedded CJK font (PDF_CJK_FONT, as the sign-in
 * sheet); each record of a period from a new page. Resolves once `out` has the whole file.
 */
export function writeMinutesPdf(
  records: PrintedMinutes[],
  out: Writable,
  font: { path: string; name: string },
): Promise<void> {
  const doc = new PDFDocument({ size: 'A4', margin: 56, info: { Title: '会议记录' }, bufferPages: false });
  const done = new Promise<void>((resolve, reject) => {
    out.once('finish', resolve);
    out.once('error', reject);
    doc.once('error', reject);
  });
  doc.pipe(out);
  // A collection (.ttc) needs the face's name.
  doc.registerFont('cjk', font.path, /\.(ttc|dfont)$/i.test(font.path) ? font.name : undefined);
  doc.font('cjk');
  const left = doc.page.margins.left;
  const width = doc.page.width - left - doc.page.margins.right;
  const bottom = () => doc.page.height - doc.page.margins.bottom;
  const ensure = (h: number) => {
    if (doc.y + h > bottom()) doc.addPage();
  };
  if (!records.length) doc.fontSize(12).text('本期间没有会议记录。', left, doc.y, { width });
  records.forEach((r, index) => {
    if (index > 0) doc.addPage();
    const d = r.document;
    doc.fontSize(20).text('会议记录', left, doc.page.margins.top, { width, align: 'center' });
    doc
      .moveDown(0.2)
      .fontSize(11)
      .text(`${d.fields.unitName}  ${d.fields.title}`, { width, align: 'center' });
    doc.moveDown(0.6);
    // The header table: label and value per row, both with borders.
    const labelW = 80;
    doc.fontSize(10.5).lineWidth(0.5);
    for (const [label, value] of headerRows(d.fields)) {
      const h = Math.max(20, doc.heightOfString(value, { width: width - labelW - 10 }) + 10);
      ensure(h);
      const y = doc.y;
      doc.rect(left, y, labelW, h).stroke();
      doc.rect(left + labelW, y, width - labelW, h).stroke();
      doc.text(label, left + 5, y + 5, { width: labelW - 10 });
      doc.text(value, left + labelW + 5, y + 5, { width: width - labelW - 10 });
      doc.x = left;
      doc.y = y + h;
    }
    const heading = (text: string) => {
      ensure(40);
      doc.moveDown(0.8).fontSize(13).text(text, left, doc.y, { width });
      doc.moveDown(0.3).fontSize(10.5);
    };
    const body = (text: string) => {
      for (const line of paragraphsOf(text.trim() || '（无）'))
        doc.text(line, left, doc.y, { width, indent: 21 });
    };
    heading('会议内容');
    d.sections.forEach((s, i) => {
      ensure(30);
      const title = sectionHeading(d, i, numeral(i));
      if (title) doc.fontSize(11).text(title, left, doc.y, { width });
      doc.fontSize(10.5);
      body(s.text);
      doc.moveDown(0.3);
    });
    heading('决议');
    body(d.resolutions);
    const closed = votesToList(d);
    if (closed.length) {
      heading('表决情况');
      for (const v of closed) doc.text(voteLine(v, d.fields.agenda), left, doc.y, { width });
    }
    if (d.attachments.length) {
      heading('附件');
      d.attachments.forEach((a, i) => doc.text(`${i + 1}. ${a}`, left, doc.y, { width }));
    }
    ensure(170);
    doc.moveDown(1.5).fontSize(11);
    doc.text(`主持人（签字）：${signatureText(d.signatures.host)}`, left, doc.y, { width });
    doc.moveDown(0.6).text(`记录人（签字）：${signatureText(d.signatures.recorder)}`, left, doc.y, { width });
    doc
      .moveDown(1)
      .fontSize(12)
      .text(d.fields.actualEnd ? `散会（${chinaMinute(d.fields.actualEnd)}）` : '散会', left, doc.y, {
        width,
        align: 'center',
      });
    doc
      .moveDown(1)
      .fontSize(9)
      .fillColor('#555555')
      .text(reviewLine(r), left, doc.y, { width })
      .fillColor('#000000');
  });
  doc.end();
  return done;
}
