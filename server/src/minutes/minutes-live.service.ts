import { Injectable } from '@nestjs/common';
import {
  minutesEditable,
  type MinutesClose,
  type MinutesOpen,
  type MinutesOpened,
  type MinutesUpdate,
  type MinutesVote,
  type VoteCast,
  type VoteClose,
  type VoteOpen,
} from '@branchmeet/shared';
import { AuthUser } from '../auth/auth-user';
import { Conflict, Forbidden } from '../common/domain-error';
import { MeetingDirectory } from '../meetings/meeting-directory.service';
import { MinutesChannel } from './minutes-channel';
import { fromBase64 } from './minutes-doc';
import { MinutesDocService } from './minutes-doc.service';
import { MinutesVotesService } from './minutes-votes.service';
import { MinutesRepository } from './minutes.repository';
import { lockedError, MinutesService } from './minutes.service';

/** Who sends a minutes request on /rtc: the socket and its signed-in user. */
export interface MinutesCaller {
  socketId: string;
  user: AuthUser;
}

/**
 * The minutes' socket requests on `/rtc` (the gateway validates each payload with its shared schema, then calls
 * here): the Yjs sync step on open, incremental updates from the recorder and the host (refused from anyone
 * else, and once the minutes are submitted), and the votes.
 */
@Injectable()
export class MinutesLiveService {
  /** The meetings whose minutes each socket has open. */
  private readonly open = new Map<string, Set<string>>();

  constructor(
    private readonly repo: MinutesRepository,
    private readonly meetings: MeetingDirectory,
    private readonly minutes: MinutesService,
    private readonly docs: MinutesDocService,
    private readonly votes: MinutesVotesService,
    private readonly channel: MinutesChannel,
  ) {}

  async openMinutes(caller: MinutesCaller, req: MinutesOpen): Promise<MinutesOpened> {
    const ctx = await this.minutes.context(caller.user, req.meetingId);
    const row = await this.minutes.ensure(caller.user, ctx);
    const sync = await this.docs.sync(
      req.meetingId,
      caller.socketId,
      req.stateVector ? fromBase64(req.stateVector) : undefined,
    );
    this.channel.notify?.enter(caller.socketId, req.meetingId);
    const opened = this.open.get(caller.socketId) ?? new Set<string>();
    opened.add(req.meetingId);
    this.open.set(caller.socketId, opened);
    const [votes, myVotes, voter] = await Promise.all([
      this.votes.list(req.meetingId),
      this.votes.myBallots(req.meetingId, caller.user.id),
      this.votes.isVoter(req.meetingId, caller.user.id),
    ]);
    return {
      meetingId: req.meetingId,
      status: row.status,
      writer: ctx.isHost || ctx.isRecorder,
      update: sync.update,
      stateVector: sync.stateVector,
      votes,
      myVotes,
      voter,
      host: ctx.isHost,
    };
  }

  /**
   * An update from a writer. Checked in order with every other change of the document: the caller must be the
   * meeting's recorder or host (as the meeting says now) and the minutes editable; readers are refused.
   */
  async update(caller: MinutesCaller, req: MinutesUpdate): Promise<null> {
    // Opening checked that the caller may read the minutes, and synced; updates come after it.
    if (!this.open.get(caller.socketId)?.has(req.meetingId)) throw Conflict('minutes.notOpen');
    await this.docs.applyClientUpdate(
      req.meetingId,
      caller.user.id,
      caller.socketId,
      fromBase64(req.update),
      async () => {
        const meeting = await this.meetings.get(req.meetingId);
        if (!meeting || (meeting.hostId !== caller.user.id && meeting.recorderId !== caller.user.id))
          throw Forbidden('minutes.readOnly');
        const row = await this.repo.status(req.meetingId);
        if (!row || !minutesEditable(row.status) || meeting.status === 'cancelled')
          throw lockedError(row?.status ?? 'draft');
      },
    );
    return null;
  }

  async close(caller: MinutesCaller, req: MinutesClose): Promise<null> {
    this.channel.notify?.leave(caller.socketId, req.meetingId);
    if (this.open.get(caller.socketId)?.delete(req.meetingId))
      await this.docs.release(req.meetingId, caller.socketId);
    return null;
  }

  /** The socket dropped: it reads nothing any more. */
  disconnected(socketId: string): void {
    const opened = this.open.get(socketId);
    this.open.delete(socketId);
    for (const meetingId of opened ?? []) void this.docs.release(meetingId, socketId);
  }

  async openVote(caller: MinutesCaller, req: VoteOpen): Promise<MinutesVote> {
    const ctx = await this.minutes.context(caller.user, req.meetingId);
    await this.minutes.ensure(caller.user, ctx);
    return this.votes.open(caller.user.id, ctx.meeting, req);
  }

  async castVote(caller: MinutesCaller, req: VoteCast): Promise<MinutesVote> {
    const ctx = await this.minutes.context(caller.user, req.meetingId);
    return this.votes.cast(caller.user.id, ctx.meeting, req);
  }

  async closeVote(caller: MinutesCaller, req: VoteClose): Promise<MinutesVote> {
    const ctx = await this.minutes.context(caller.user, req.meetingId);
    return this.votes.close(caller.user.id, ctx.meeting, req);
  }
}
