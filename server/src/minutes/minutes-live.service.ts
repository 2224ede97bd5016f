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
import { SocketHub } from '../common/socket-hub';
import { fromBase64 } from './minutes-doc';
import { MinutesDocService } from './minutes-doc.service';
import { MinutesVotesService } from './minutes-votes.service';
import { MinutesRepository } from './minutes.repository';
import { lockedError, MinutesService } from './minutes.service';

/** How long a person's last full `minutes.open` answer is reused for their repeated opens. */
const REOPEN_REUSE_MS = 5000;
const reopenKey = (userId: string, meetingId: string) => `${userId} ${meetingId}`;

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
  /** Full `minutes.open` answers being computed, per person and meeting. */
  private readonly opening = new Map<string, Promise<void>>();
  /** The last full answer to `minutes.open` per person and meeting, and the socket it went to (see `reopen`). */
  private readonly lastOpened = new Map<
    string,
    { at: number; version: number; socketId: string; opened: MinutesOpened }
  >();

  constructor(
    private readonly repo: MinutesRepository,
    private readonly meetings: MeetingDirectory,
    private readonly minutes: MinutesService,
    private readonly docs: MinutesDocService,
    private readonly votes: MinutesVotesService,
    private readonly hub: SocketHub,
  ) {}

  openMinutes(caller: MinutesCaller, req: MinutesOpen): Promise<MinutesOpened> {
    return this.openShared(caller, req);
  }

  private async openShared(caller: MinutesCaller, req: MinutesOpen): Promise<MinutesOpened> {
    const key = reopenKey(caller.user.id, req.meetingId);
    // The same person's opens at once (several sockets) wait for the one full answer and reuse it.
    for (let pending = this.opening.get(key); pending; pending = this.opening.get(key)) await pending;
    const again = await this.reopen(caller, req);
    if (again) return again;
    if (this.opening.has(key)) return this.openShared(caller, req); // another began while this one waited
    const full = this.openFully(caller, req);
    const settled = full.then(
      () => undefined,
      () => undefined,
    );
    this.opening.set(key, settled);
    void settled.then(() => this.opening.get(key) === settled && this.opening.delete(key));
    return full;
  }

  private async openFully(caller: MinutesCaller, req: MinutesOpen): Promise<MinutesOpened> {
    const version = this.hub.readersVersion(req.meetingId);
    const ctx = await this.minutes.context(caller.user, req.meetingId);
    const row = await this.minutes.ensure(caller.user, ctx);
    const sync = await this.enter(caller, req);
    const [votes, myVotes, voter] = await Promise.all([
      this.votes.list(req.meetingId),
      this.votes.myBallots(req.meetingId, caller.user.id),
      this.votes.isVoter(req.meetingId, caller.user.id),
    ]);
    const answer = {
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
    if (this.lastOpened.size > 1000)
      for (const [k, v] of this.lastOpened)
        if (Date.now() - v.at > REOPEN_REUSE_MS) this.lastOpened.delete(k);
    this.lastOpened.set(reopenKey(caller.user.id, req.meetingId), {
      at: Date.now(),
      version,
      socketId: caller.socketId,
      opened: answer,
    });
    return answer;
  }

  /** The socket becomes a reader: the sync step, and it hears the document's changes from now on. */
  private async enter(caller: MinutesCaller, req: MinutesOpen) {
    const sync = await this.docs.sync(
      req.meetingId,
      caller.socketId,
      req.stateVector ? fromBase64(req.stateVector) : undefined,
    );
    this.hub.enterReaders(caller.socketId, req.meetingId);
    const opened = this.open.get(caller.socketId) ?? new Set<string>();
    opened.add(req.meetingId);
    this.open.set(caller.socketId, opened);
    return sync;
  }

  /**
   * The same person opening minutes again soon after a full answer, with nothing but document updates changed
   * since (those the fresh sync step covers): the last answer is reused with a sync step from memory. From the
   * same socket, still a reader, that is all — no database work; from another socket of theirs, their access is
   * checked again (the meeting and their unit) but the minutes' fields and the votes are not recomputed.
   * Anything else takes the full path.
   */
  private async reopen(caller: MinutesCaller, req: MinutesOpen): Promise<MinutesOpened | null> {
    const key = reopenKey(caller.user.id, req.meetingId);
    const last = this.lastOpened.get(key);
    if (
      !last ||
      Date.now() - last.at > REOPEN_REUSE_MS ||
      last.version !== this.hub.readersVersion(req.meetingId)
    )
      return null;
    const reader =
      last.socketId === caller.socketId &&
      this.open.get(caller.socketId)?.has(req.meetingId) &&
      this.docs.isReader(req.meetingId, caller.socketId);
    if (!reader) await this.minutes.context(caller.user, req.meetingId);
    const sync = await this.enter(caller, req);
    if (!reader) last.socketId = caller.socketId;
    return { ...last.opened, update: sync.update, stateVector: sync.stateVector };
  }

  /**
   * An update from a writer. Checked in order with every other change of the document: the caller must be the
   * meeting's recorder or host (as the meeting says now) and the minutes editable; readers are refused.
   */
  async update(caller: MinutesCaller, req: MinutesUpdate): Promise<null> {
    // Opening checked that the caller may read the minutes, and synced; updates come after it.
    if (!this.open.get(caller.socketId)?.has(req.meetingId)) throw Conflict('minutes.notOpen');
    // After an update the next open takes the full path (a refused one makes the client open again).
    this.lastOpened.delete(reopenKey(caller.user.id, req.meetingId));
    await this.docs.applyClientUpdate(
      req.meetingId,
      caller.user.id,
      caller.socketId,
      fromBase64(req.update),
      async (em) => {
        const meeting = await this.meetings.get(req.meetingId, em);
        if (!meeting || (meeting.hostId !== caller.user.id && meeting.recorderId !== caller.user.id))
          throw Forbidden('minutes.readOnly');
        const row = await this.repo.status(req.meetingId, em);
        if (!row || !minutesEditable(row.status) || meeting.status === 'cancelled')
          throw lockedError(row?.status ?? 'draft');
      },
    );
    return null;
  }

  async close(caller: MinutesCaller, req: MinutesClose): Promise<null> {
    this.hub.leaveReaders(caller.socketId, req.meetingId);
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
