import type { AttendeeKind } from '@branchmeet/shared';
import { Column, Entity, Index, PrimaryColumn } from 'typeorm';

/** Who a meeting expects (应到) or invites to sit in (列席), fixed when it is scheduled or opened. */
@Entity('meeting_attendee')
@Index(['userId'])
export class MeetingAttendeeEntity {
  @PrimaryColumn({ name: 'meeting_id', type: 'uuid' })
  meetingId: string;

  @PrimaryColumn({ name: 'user_id', type: 'uuid' })
  userId: string;

  @Column({ type: 'varchar', length: 10 })
  kind: AttendeeKind;
}
