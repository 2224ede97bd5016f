import { existsSync } from 'node:fs';
import type { Writable } from 'node:stream';
import { Inject, Injectable, Logger } from '@nestjs/common';
import { attendanceStatusLabelsZh, type MeetingAttendance } from '@branchmeet/shared';
import PDFDocument from 'pdfkit';
import { AuthUser } from '../auth/auth-user';
import { UserDirectory } from '../auth/user-directory.service';
import { csvFile, type CsvCell } from '../common/csv';
import { DomainError } from '../common/domain-error';
import { APP_CONFIG, AppConfig } from '../config/config';
import { MeetingDirectory, type MeetingRow } from '../meetings/meeting-directory.service';
import { writeXlsx } from '../orgs/roster-file';
import { attendanceCounts, RATE_RULE_ZH, type AttendanceCounts } from './attendance-counts';
import { correctedLabelZh } from './attendance-corrections';
import { AttendanceService } from './attendance.service';

const CHINA_OFFSET_MS = 8 * 3600 * 1000;
/** An instant as China reads it (UTC+8 all year, no daylight saving): `YYYY-MM-DD HH:mm:ss`. */
export function chinaTime(iso: string | Date | null): string {
  if (iso === null) return '';
  const t = typeof iso === 'string' ? Date.parse(iso) : iso.getTime();
  return new Date(t + CHINA_OFFSET_MS).toISOString().slice(0, 19).replace('T', ' ');
}

/** Minutes in the meeting, one decimal. */
export const minutesOf = (seconds: number) => Math.round(seconds / 6) / 10;

/** The columns of the attendance table, in file order. */
const columns = [
  { header: '姓名', key: 'name', width: 14 },
  { header: '手机号', key: 'phone', width: 14 },
  { header: '状态', key: 'status', width: 8 },
  { header: '首次入会', key: 'firstJoin', width: 20 },
  { header: '最后离会', key: 'lastLeave', width: 20 },
  { header: '入会次数', key: 'joinCount', width: 10 },
  { header: '在会时长(分钟)', key: 'minutes', width: 14 },
] as const;
type ExportRow = Record<(typeof columns)[number]['key'], string | number>;

interface ExportData {
  meeting: MeetingRow;
  unitName: string;
  attendance: MeetingAttendance;
  counts: AttendanceCounts;
  rows: ExportRow[];
}

export interface ExportFile {
  filename: string;
  contentType: string;
  write: (out: Writable) => Promise<void>;
}

/**
 * A meeting's attendance as files for the branch's secretaries and the levels above: XLSX and CSV (the same
 * rows) and a printable sign-in sheet as PDF. Each method checks access and reads everything before it returns,
 * so an error is still a clean JSON response; `write` only streams.
 */
@Injectable()
export class AttendanceExportService {
  private readonly log = new Logger(AttendanceExportService.name);

  constructor(
    private readonly meetings: MeetingDirectory,
    private readonly users: UserDirectory,
    private readonly attendance: AttendanceService,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  private async load(user: AuthUser, meetingId: string): Promise<ExportData> {
    const { meeting, unit } = await this.meetings.authorise(user, meetingId, 'attendance.export');
    const unitName = unit.name;
    const attendance = await this.attendance.forMeeting(user, meetingId);
    const phones = await this.users.phones(attendance.records.map((r) => r.userId));
    const rows = attendance.records.map((r) => ({
      name: r.name,
      phone: phones.get(r.userId) ?? '',
      status: correctedLabelZh(attendanceStatusLabelsZh[r.status], r.correction),
      firstJoin: chinaTime(r.firstJoin),
      lastLeave: chinaTime(r.lastLeave),
      joinCount: r.joinCount,
      minutes: minutesOf(r.totalSeconds),
    }));
    return { meeting, unitName, attendance, counts: attendanceCounts(attendance.records), rows };
  }

  /** The lines above the table: what meeting, and its counts. */
  private summary(d: ExportData): [string, string | number][] {
    const { counts: c } = d;
    return [
      ['会议', d.meeting.title],
      ['支部', d.unitName],
      ['日期', chinaTime(d.attendance.startedAt)],
      ['结束', d.attendance.endedAt ? chinaTime(d.attendance.endedAt) : '进行中'],
      ['应到', c.expected],
      ['实到', c.present],
      ['早退', c.leftEarly],
      ['请假', c.excused],
      ['缺席', c.absent],
      ['补学', c.makeUp],
      ['出席率', `${c.rate}%`],
      ['出席率口径', RATE_RULE_ZH],
    ];
  }

  private filename(d: ExportData, what: string, ext: string): string {
    return `${d.meeting.title}-${chinaTime(d.attendance.startedAt).slice(0, 10)}-${what}.${ext}`;
  }

  async xlsx(user: AuthUser, meetingId: string): Promise<ExportFile> {
    const d = await this.load(user, meetingId);
    return {
      filename: this.filename(d, '考勤', 'xlsx'),
      contentType: 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet',
      write: (out) =>
        writeXlsx(out, [
          {
            name: '考勤',
            columns: columns.map((c) => ({ ...c })),
            preamble: [...this.summary(d), []],
            rows: d.rows,
          },
        ]),
    };
  }

  async csv(user: AuthUser, meetingId: string): Promise<ExportFile> {
    const d = await this.load(user, meetingId);
    const records: CsvCell[][] = [
      ...this.summary(d),
      [],
      columns.map((c) => c.header),
      ...d.rows.map((r) => columns.map((c) => r[c.key])),
    ];
    const body = csvFile(records);
    return {
      filename: this.filename(d, '考勤', 'csv'),
      contentType: 'text/csv; charset=utf-8',
      write: async (out) => {
        out.end(body);
        await new Promise<void>((resolve, reject) => {
          out.once('finish', resolve);
          out.once('error', reject);
        });
      },
    };
  }

  /** The printable sign-in sheet (签到表): title, date, place, and one line per member with a blank to sign. */
  async signInPdf(user: AuthUser, meetingId: string): Promise<ExportFile> {
    const font = this.config.PDF_CJK_FONT;
    if (!existsSync(font)) {
      this.log.error(
        `PDF_CJK_FONT ${font} does not exist (apt-get install fonts-noto-cjk, or set PDF_CJK_FONT)`,
      );
      throw new DomainError('pdf_font_missing', 500, 'export.pdfFontMissing', { path: font });
    }
    const d = await this.load(user, meetingId);
    return {
      filename: this.filename(d, '签到表', 'pdf'),
      contentType: 'application/pdf',
      write: (out) => this.renderSignIn(d, out),
    };
  }

  private renderSignIn(d: ExportData, out: Writable): Promise<void> {
    const doc = new PDFDocument({ size: 'A4', margin: 50, info: { Title: `${d.meeting.title} 签到表` } });
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
    doc.fontSize(18).text(`${d.meeting.title} 签到表`, left, 50, { width, align: 'center' });
    doc.moveDown(0.6).fontSize(10.5);
    const c = d.counts;
    doc.text(`支部：${d.unitName}    日期：${chinaTime(d.attendance.startedAt)}    地点：线上`, { width });
    doc.text(
      `应到 ${c.expected} 人    实到 ${c.present} 人    早退 ${c.leftEarly} 人    请假 ${c.excused} 人    ` +
        `缺席 ${c.absent} 人    补学 ${c.makeUp} 人    出席率 ${c.rate}%`,
      { width },
    );
    doc.fontSize(9).text(RATE_RULE_ZH, { width }).fontSize(10.5);
    doc.moveDown(0.8);

    const cols = [
      { title: '序号', w: 36 },
      { title: '姓名', w: 110 },
      { title: '状态', w: 60 },
      { title: '入会时间', w: 130 },
      { title: '签名', w: width - 36 - 110 - 60 - 130 },
    ];
    const rowH = 26;
    const bottom = doc.page.height - doc.page.margins.bottom;
    let y = doc.y;
    const line = (cells: string[], header: boolean) => {
      let x = left;
      doc.lineWidth(0.5);
      cols.forEach((col, i) => {
        if (header) doc.rect(x, y, col.w, rowH).fillAndStroke('#eeeeee', '#000000').fillColor('#000000');
        else doc.rect(x, y, col.w, rowH).stroke();
        if (cells[i])
          doc.text(cells[i], x + 4, y + 7, {
            width: col.w - 8,
            height: rowH - 8,
            lineBreak: false,
            ellipsis: true,
          });
        x += col.w;
      });
      y += rowH;
    };
    const header = () =>
      line(
        cols.map((col) => col.title),
        true,
      );
    header();
    d.rows.forEach((row, i) => {
      if (y + rowH > bottom) {
        doc.addPage();
        y = doc.page.margins.top;
        header();
      }
      line([String(i + 1), String(row.name), String(row.status), String(row.firstJoin), ''], false);
    });
    doc.end();
    return done;
  }
}
