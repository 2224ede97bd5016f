import { existsSync } from 'node:fs';
import type { Writable } from 'node:stream';
import { Inject, Injectable, Logger } from '@nestjs/common';
import { minutesEditable, type MinutesDocument, type MinutesPeriodQuery } from '@branchmeet/shared';
import { Packer } from 'docx';
import type { ExportFile } from '../attendance/attendance-export.service';
import { AuthUser } from '../auth/auth-user';
import { UserDirectory } from '../auth/user-directory.service';
import { DomainError } from '../common/domain-error';
import { APP_CONFIG, AppConfig } from '../config/config';
import { MeetingDirectory } from '../meetings/meeting-directory.service';
import { AccessService } from '../orgs/access.service';
import { minutesDocx } from './minutes-docx';
import { writeMinutesPdf } from './minutes-pdf';
import type { PrintedMinutes } from './minutes-print';
import { chinaMinute } from './minutes-text';
import type { MinutesEntity } from './minutes.entity';
import { MinutesRepository } from './minutes.repository';
import { MinutesService } from './minutes.service';

/**
 * The minutes as files: DOCX (minutes-docx.ts) and PDF (minutes-pdf.ts) in the usual 会议记录 layout. A period's
 * minutes of a branch go into one file, each record from a new page. Submitted and approved minutes print their newest revision, drafts what is
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
          const buffer = await Packer.toBuffer(minutesDocx(records));
          await end(out, buffer);
        },
      };
    return {
      filename: `${name}.pdf`,
      contentType: 'application/pdf',
      write: (out) =>
        writeMinutesPdf(records, out, {
          path: this.config.PDF_CJK_FONT,
          name: this.config.PDF_CJK_FONT_NAME,
        }),
    };
  }
}

async function end(out: Writable, buffer: Buffer): Promise<void> {
  await new Promise<void>((resolve, reject) => {
    out.once('finish', resolve);
    out.once('error', reject);
    out.end(buffer);
  });
}
