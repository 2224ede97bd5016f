import { Injectable, Module } from '@nestjs/common';
import type { MessageKey, UnitAction } from '@branchmeet/shared';
import { EntityManager } from 'typeorm';
import { AuthUser } from '../auth/auth-user';
import { NotFound } from '../common/domain-error';
import { AccessService, type UnitAccess } from '../orgs/access.service';
import type { MeetingEntity } from './meeting.entity';
import { MeetingsRepository, type MeetingTimes } from './meetings.repository';

/** A meeting's row as other features read it (they never import the entity). */
export type MeetingRow = MeetingEntity;
export type { MeetingTimes };

/** A meeting the caller may act on, its branch, and how the caller stands to it. */
export interface MeetingAccess extends UnitAccess {
  meeting: MeetingRow;
}

/**
 * What other features read of meetings: a meeting checked against the caller's rights (the one "load the
 * meeting, then check access"), and the lists attendance and minutes are computed from. The meetings feature's
 * tables are read only here and in the meetings feature itself.
 */
@Injectable()
export class MeetingDirectory {
  constructor(
    private readonly meetings: MeetingsRepository,
    private readonly access: AccessService,
  ) {}

  /**
   * Loads the meeting and checks `action` on its branch. A meeting that does not exist, or of a branch the caller
   * has no relation to, is not found (`notFound`); a branch the caller may see but not act on gives 403.
   */
  async authorise(
    user: AuthUser,
    meetingId: string,
    action: UnitAction,
    notFound: MessageKey = 'notFound.meeting',
  ): Promise<MeetingAccess> {
    const meeting = await this.meetings.findById(meetingId);
    if (!meeting) throw NotFound(notFound);
    const { unit, relation } = await this.access.unitOf(user, meeting.unitId, action, notFound);
    return { meeting, unit, relation };
  }

  get(meetingId: string, em?: EntityManager): Promise<MeetingRow | null> {
    return this.meetings.findById(meetingId, em);
  }

  lock(meetingId: string, em: EntityManager): Promise<MeetingRow | null> {
    return this.meetings.lockById(meetingId, em);
  }

  ended(ids: string[], em?: EntityManager): Promise<MeetingTimes[]> {
    return ids.length ? this.meetings.ended(ids, em) : Promise.resolve([]);
  }

  endedInUnitSince(unitId: string, from: Date, em?: EntityManager): Promise<{ id: string }[]> {
    return this.meetings.endedInUnitSince(unitId, from, em);
  }

  startedBetween(unitId: string, from: Date, to: Date): Promise<string[]> {
    return this.meetings.startedBetween(unitId, from, to);
  }

  /** Expected attendees who are full members (正式党员): who may vote. */
  voters(meetingId: string, em?: EntityManager): Promise<string[]> {
    return this.meetings.fullMemberAttendees(meetingId, em);
  }

  attendees(ids: string[], em?: EntityManager) {
    return ids.length ? this.meetings.attendees(ids, em) : Promise.resolve([]);
  }

  approvedLeaves(ids: string[], em?: EntityManager) {
    return ids.length ? this.meetings.approvedLeaves(ids, em) : Promise.resolve([]);
  }

  guestNames(guestIds: string[], em?: EntityManager): Promise<Map<string, string>> {
    return this.meetings.guestNames(guestIds, em);
  }

  ordinalInPeriod(m: MeetingRow, periodStart: Date, em?: EntityManager): Promise<number> {
    return this.meetings.ordinalInPeriod(m, periodStart, em);
  }

  headlines(ids: string[], em?: EntityManager) {
    return this.meetings.headlines(ids, em);
  }
}

/** MeetingDirectory for the features the meetings module itself depends on (attendance, minutes): no cycle. */
@Module({
  providers: [MeetingsRepository, MeetingDirectory],
  exports: [MeetingDirectory, MeetingsRepository],
})
export class MeetingDirectoryModule {}
