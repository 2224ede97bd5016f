import { voteChoiceLabelsZh } from '@branchmeet/shared';
import {
  AlignmentType,
  BorderStyle,
  Document,
  HeadingLevel,
  Paragraph,
  Table,
  TableCell,
  TableRow,
  TextRun,
  WidthType,
} from 'docx';
import { numeral, paragraphsOf, reviewLine, signatureText, type PrintedMinutes } from './minutes-print';
import { chinaMinute, headerRows, sectionHeading, votesToList } from './minutes-text';

/**
 * The minutes as DOCX in the usual 会议记录 layout: title, a table of the header fields, the content by agenda
 * item, resolutions and votes, attachments, signature lines of host and recorder, 散会; each record of a period
 * from a new page.
 */
export function minutesDocx(records: PrintedMinutes[]): Document {
  const children: (Paragraph | Table)[] = [];
  if (!records.length) children.push(new Paragraph({ children: [new TextRun('本期间没有会议记录。')] }));
  records.forEach((r, i) => children.push(...docxRecord(r, i > 0)));
  return new Document({
    creator: '支部云会',
    title: records.length === 1 ? `${records[0].document.fields.title} 会议记录` : '会议记录',
    styles: {
      default: {
        document: { run: { font: { ascii: 'SimSun', eastAsia: '宋体', hAnsi: 'SimSun' }, size: 24 } },
      },
    },
    sections: [{ children }],
  });
}

function docxRecord(r: PrintedMinutes, newPage: boolean): (Paragraph | Table)[] {
  const d = r.document;
  const f = d.fields;
  const out: (Paragraph | Table)[] = [];
  out.push(
    new Paragraph({
      heading: HeadingLevel.TITLE,
      alignment: AlignmentType.CENTER,
      pageBreakBefore: newPage,
      children: [new TextRun({ text: '会议记录', bold: true, size: 36 })],
    }),
    new Paragraph({
      alignment: AlignmentType.CENTER,
      spacing: { after: 200 },
      children: [new TextRun({ text: `${f.unitName}  ${f.title}`, size: 24 })],
    }),
  );
  const border = { style: BorderStyle.SINGLE, size: 4, color: '000000' };
  const borders = { top: border, bottom: border, left: border, right: border };
  const cell = (text: string, width: number, bold = false) =>
    new TableCell({
      width: { size: width, type: WidthType.PERCENTAGE },
      borders,
      children: text
        .split('\n')
        .map((line) => new Paragraph({ children: [new TextRun({ text: line, bold })] })),
    });
  out.push(
    new Table({
      width: { size: 100, type: WidthType.PERCENTAGE },
      rows: headerRows(f).map(
        ([label, value]) => new TableRow({ children: [cell(label, 20, true), cell(value, 80)] }),
      ),
    }),
  );
  const heading = (text: string) =>
    new Paragraph({
      heading: HeadingLevel.HEADING_2,
      spacing: { before: 240, after: 120 },
      children: [new TextRun({ text, bold: true })],
    });
  const body = (text: string) =>
    paragraphsOf(text.trim() || '（无）').map(
      (line) => new Paragraph({ indent: { firstLine: 480 }, children: [new TextRun(line)] }),
    );
  out.push(heading('会议内容'));
  d.sections.forEach((s, i) => {
    const title = sectionHeading(d, i, numeral(i));
    if (title)
      out.push(
        new Paragraph({ spacing: { before: 120 }, children: [new TextRun({ text: title, bold: true })] }),
      );
    out.push(...body(s.text));
  });
  out.push(heading('决议'), ...body(d.resolutions));
  const closed = votesToList(d);
  if (closed.length) {
    out.push(heading('表决情况'));
    const header = [
      '表决事项',
      '应到',
      '实到',
      voteChoiceLabelsZh.yes,
      voteChoiceLabelsZh.no,
      voteChoiceLabelsZh.abstain,
      '结果',
    ];
    const widths = [40, 10, 10, 10, 10, 10, 10];
    out.push(
      new Table({
        width: { size: 100, type: WidthType.PERCENTAGE },
        rows: [
          new TableRow({ children: header.map((h, i) => cell(h, widths[i], true)) }),
          ...closed.map(
            (v) =>
              new TableRow({
                children: [
                  v.subject,
                  String(v.expectedVoters),
                  String(v.presentVoters ?? 0),
                  String(v.yes ?? 0),
                  String(v.no ?? 0),
                  String(v.abstain ?? 0),
                  v.passed ? '通过' : '未通过',
                ].map((t, i) => cell(t, widths[i])),
              }),
          ),
        ],
      }),
    );
  }
  if (d.attachments.length)
    out.push(heading('附件'), ...d.attachments.map((a, i) => new Paragraph(`${i + 1}. ${a}`)));
  out.push(
    new Paragraph({
      spacing: { before: 360 },
      children: [new TextRun(`主持人（签字）：${signatureText(d.signatures.host)}`)],
    }),
    new Paragraph({
      spacing: { before: 120 },
      children: [new TextRun(`记录人（签字）：${signatureText(d.signatures.recorder)}`)],
    }),
    new Paragraph({
      spacing: { before: 240 },
      alignment: AlignmentType.CENTER,
      children: [
        new TextRun({ text: f.actualEnd ? `散会（${chinaMinute(f.actualEnd)}）` : '散会', bold: true }),
      ],
    }),
    new Paragraph({
      spacing: { before: 240 },
      children: [new TextRun({ text: reviewLine(r), size: 20, color: '555555' })],
    }),
  );
  return out;
}
