import { Injectable } from '@nestjs/common';
import {
  ErrorCodes,
  MINUTES_ATTACHMENT_MAX_BYTES,
  minutesEditable,
  type MinutesAttachment,
} from '@branchmeet/shared';
import { AuditService } from '../audit/audit.service';
import { AuthUser } from '../auth/auth-user';
import { DomainError, NotFound } from '../common/domain-error';
import { MinutesRepository } from './minutes.repository';
import { lockedError, MinutesService } from './minutes.service';

/** Files attached to the minutes while they are editable (by whoever may edit the typed fields). Audited. */
@Injectable()
export class MinutesAttachmentsService {
  constructor(
    private readonly minutes: MinutesService,
    private readonly repo: MinutesRepository,
    private readonly audit: AuditService,
  ) {}

  async add(
    user: AuthUser,
    meetingId: string,
    file: { originalname: string; mimetype: string; buffer: Buffer } | undefined,
  ): Promise<MinutesAttachment> {
    const { ctx } = await this.minutes.editableFields(user, meetingId);
    if (!file) throw new DomainError(ErrorCodes.validation, 400, 'minutes.attachmentMissing');
    if (file.buffer.length > MINUTES_ATTACHMENT_MAX_BYTES)
      throw new DomainError('payload_too_large', 413, 'minutes.attachmentTooLarge', {
        max: MINUTES_ATTACHMENT_MAX_BYTES / 1024 / 1024,
      });
    // Multer reads the name as latin1; browsers send UTF-8.
    const filename = Buffer.from(file.originalname, 'latin1').toString('utf8').slice(0, 255);
    const id = await this.repo.transaction(async (em) => {
      const locked = await this.minutes.lock(em, meetingId);
      if (!minutesEditable(locked.status)) throw lockedError(locked.status);
      const saved = await this.repo.insertAttachment(em, {
        meetingId,
        filename,
        contentType: (file.mimetype || 'application/octet-stream').slice(0, 100),
        size: file.buffer.length,
        data: file.buffer,
        uploadedBy: user.id,
      });
      await this.audit.append(em, {
        actorId: user.id,
        action: 'minutes.attachment_add',
        entityType: 'minutes',
        entityId: meetingId,
        unitId: ctx.meeting.unitId,
        after: { attachmentId: saved.id, filename, size: saved.size },
      });
      return saved.id;
    });
    return (await this.minutes.attachments(meetingId)).find((a) => a.id === id)!;
  }

  async file(
    user: AuthUser,
    meetingId: string,
    attachmentId: string,
  ): Promise<{ filename: string; contentType: string; data: Buffer }> {
    await this.minutes.context(user, meetingId);
    const row = await this.repo.attachmentFile(meetingId, attachmentId);
    if (!row) throw NotFound('notFound.attachment');
    return { filename: row.filename, contentType: row.contentType, data: row.data };
  }

  async remove(user: AuthUser, meetingId: string, attachmentId: string): Promise<void> {
    const { ctx } = await this.minutes.editableFields(user, meetingId);
    await this.repo.transaction(async (em) => {
      const locked = await this.minutes.lock(em, meetingId);
      if (!minutesEditable(locked.status)) throw lockedError(locked.status);
      const found = await this.repo.findAttachment(em, meetingId, attachmentId);
      if (!found) throw NotFound('notFound.attachment');
      await this.repo.deleteAttachment(em, attachmentId);
      await this.audit.append(em, {
        actorId: user.id,
        action: 'minutes.attachment_remove',
        entityType: 'minutes',
        entityId: meetingId,
        unitId: ctx.meeting.unitId,
        before: { attachmentId, filename: found.filename },
      });
    });
  }
}
