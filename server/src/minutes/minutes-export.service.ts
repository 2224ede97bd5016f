import { existsSync } from 'node:fs';
import type { Writable } from 'node:stream';
import { Inject, Injectable, Logger } from '@nestjs/common';
import {
  minutesEditable,
  minutesStatusLabelsZh,
  voteChoiceLabelsZh,
  type MinutesDocument,
  type MinutesPeriodQuery,
  type MinutesStatus,
} from '@branchmeet/shared';
import {
  AlignmentType,
  BorderStyle,
  Document,
  HeadingLevel,
  Packer,
  Paragraph,
  Table,
  TableCell,
  TableRow,
  TextRun,
  WidthType,
} from 'docx';
import PDFDocument from 'pdfkit';
import type { ExportFile } from '../attendance/attendance-export.service';
import { AuthUser } from '../auth/auth-user';
import { UserDirectory } from '../auth/user-directory.service';
import { DomainError } from '../common/domain-error';
import { APP_CONFIG, AppConfig } from '../config/config';
import { MeetingDirectory } from '../meetings/meeting-directory.service';
import { AccessService } from '../orgs/access.service';
import { chinaMinute, headerRows, sectionHeading, voteLine, votesToList } from './minutes-text';
import type { MinutesEntity } from './minutes.entity';
import { MinutesRepository } from './minutes.repository';
import { MinutesService } from './minutes.service';

/** One record to print: its document and review state. */
export interface PrintedMinutes {
  document: MinutesDocument;
  status: MinutesStatus;
  revision: number;
  reviewedBy: string | null;
  reviewedAt: string | null;
}

const CHINESE_NUMERALS = '一二三四五六七八九十';
const numeral = (i: number) =>
  i < 10 ? CHINESE_NUMERALS[i] : i < 20 ? `十${CHINESE_NUMERALS[i - 10] ?? ''}` : String(i + 1);

const paragraphsOf = (text: string) =>
  text
    .split('\n')
    .map((l) => l.trimEnd())
    .filter((l, i, all) => l !== '' || (i > 0 && all[i - 1] !== ''));

/** The review line at the foot of a record. */
function reviewLine(p: PrintedMinutes): string {
  const base = `审核状态：${minutesStatusLabelsZh[p.status]}`;
  const rev = p.revision > 0 ? `（第 ${p.revision} 版）` : '';
  const who =
    p.reviewedBy && p.status !== 'submitted' ? `  审核人：${p.reviewedBy} ${chinaMinute(p.reviewedAt)}` : '';
  return `${base}${rev}${who}`;
}

const signatureText = (s: MinutesDocument['signatures']['host']) =>
  s ? `${s.name}（${chinaMinute(s.at)}）` : '____________';

/**
 * The minutes as files: DOCX in the usual 会议记录 layout (title, a table of the header fields, the content by
 * agenda item, resolutions and votes, attachments, signature lines of host and recorder, 散会), and PDF with the
 * embedded CJK font (PDF_CJK_FONT, as the sign-in sheet). A period's minutes of a branch go into one file,
 * each record from a new page. Submitted and approved minutes print their newest revision, drafts what is
 * written now.
 */
@Injectable()
export class MinutesExportService {
  private readonly log = new Logger(MinutesExportService.name);

  constructor(
    private readonly repo: MinutesRepository,
    private readonly meetings: MeetingDirectory,
    private readonly users: UserDirectory,
    private readonly access: AccessService,
    private readonly minutes: MinutesService,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  async one(user: AuthUser, meetingId: string, format: 'docx' | 'pdf'): Promise<ExportFile> {
    if (format === 'pdf') this.checkFont();
    const ctx = await this.minutes.context(user, meetingId, 'minutes.export');
    const row = await this.minutes.ensure(user, ctx);
    const printed = await this.printed(row);
    const date = chinaMinute(ctx.meeting.startedAt.toISOString()).slice(0, 10);
    return this.file([printed], `${ctx.meeting.title}-${date}-会议记录`, format);
  }

  async period(
    user: AuthUser,
    unitId: string,
    q: MinutesPeriodQuery,
    format: 'docx' | 'pdf',
  ): Promise<ExportFile> {
    if (format === 'pdf') this.checkFont();
    const { unit } = await this.access.unit(user, unitId, 'minutes.export');
    const rows = await this.repo.ofMeetings(
      await this.meetings.startedBetween(unit.id, new Date(q.from), new Date(q.to)),
    );
    const printed: PrintedMinutes[] = [];
    for (const row of rows) printed.push(await this.printed(row));
    const day = (iso: string) => chinaMinute(iso).slice(0, 10);
    return this.file(printed, `${unit.name}-会议记录-${day(q.from)}至${day(q.to)}`, format);
  }

  private async printed(row: MinutesEntity): Promise<PrintedMinutes> {
    let document: MinutesDocument;
    if (!minutesEditable(row.status) && row.revision > 0) {
      const rev = await this.repo.revision(row.meetingId, row.revision);
      if (!rev) throw new Error(`minutes ${row.meetingId}: revision ${row.revision} is missing`);
      document = rev.document;
    } else {
      document = await this.minutes.document(row);
    }
    const reviewerName = row.reviewedBy
      ? (await this.users.names([row.reviewedBy])).get(row.reviewedBy)
      : undefined;
    const reviewer = reviewerName === undefined ? null : { name: reviewerName };
    return {
      document,
      status: row.status,
      revision: row.revision,
      reviewedBy: reviewer?.name ?? null,
      reviewedAt: row.reviewedAt?.toISOString() ?? null,
    };
  }

  private checkFont(): void {
    const font = this.config.PDF_CJK_FONT;
    if (!existsSync(font)) {
      this.log.error(
        `PDF_CJK_FONT ${font} does not exist (apt-get install fonts-noto-cjk, or set PDF_CJK_FONT)`,
      );
      throw new DomainError('pdf_font_missing', 500, 'export.pdfFontMissing', { path: font });
    }
  }

  private file(records: PrintedMinutes[], name: string, format: 'docx' | 'pdf'): ExportFile {
    if (format === 'docx')
      return {
        filename: `${name}.docx`,
        contentType: 'application/vnd.openxmlformats-officedocument.wordprocessingml.document',
        write: async (out) => {
          const buffer = await Packer.toBuffer(this.docx(records));
          await end(out, buffer);
        },
      };
    return {
      filename: `${name}.pdf`,
      contentType: 'application/pdf',
      write: (out) => this.pdf(records, out),
    };
  }

  // ── DOCX ─────────────────────────────────────────────────────────────────────────────────────────────────
  docx(records: PrintedMinutes[]): Document {
    const children: (Paragraph | Table)[] = [];
    if (!records.length) children.push(new Paragraph({ children: [new TextRun('本期间没有会议记录。')] }));
    records.forEach((r, i) => children.push(...this.docxRecord(r, i > 0)));
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

  private docxRecord(r: PrintedMinutes, newPage: boolean): (Paragraph | Table)[] {
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

  // ── PDF ──────────────────────────────────────────────────────────────────────────────────────────────────
  private pdf(records: PrintedMinutes[], out: Writable): Promise<void> {
    const doc = new PDFDocument({ size: 'A4', margin: 56, info: { Title: '会议记录' }, bufferPages: false });
    const done = new Promise<void>((resolve, reject) => {
      out.once('finish', resolve);
      out.once('error', reject);
      doc.once('error', reject);
    });
    doc.pipe(out);
    const fontName = /\.(ttc|dfont)$/i.test(this.config.PDF_CJK_FONT)
      ? this.config.PDF_CJK_FONT_NAME
      : undefined;
    doc.registerFont('cjk', this.config.PDF_CJK_FONT, fontName);
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
      doc
        .moveDown(0.6)
        .text(`记录人（签字）：${signatureText(d.signatures.recorder)}`, left, doc.y, { width });
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
}

async function end(out: Writable, buffer: Buffer): Promise<void> {
  await new Promise<void>((resolve, reject) => {
    out.once('finish', resolve);
    out.once('error', reject);
    out.end(buffer);
  });
}
