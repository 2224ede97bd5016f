import { Injectable } from '@nestjs/common';
import {
  ErrorCodes,
  type MinutesVote,
  type MyBallot,
  type VoteCast,
  type VoteChoice,
  type VoteClose,
  type VoteOpen,
} from '@branchmeet/shared';
import { DataSource, EntityManager } from 'typeorm';
import { AuditService } from '../audit/audit.service';
import { RoomCalls } from '../cluster/room-calls';
import { Conflict, DomainError, Forbidden, NotFound } from '../common/domain-error';
import { MeetingDirectory, type MeetingRow } from '../meetings/meeting-directory.service';
import { SocketHub } from '../common/socket-hub';
import { appendParagraph, resolutionsOf } from './minutes-doc';
import { MinutesDocService } from './minutes-doc.service';
import { voteLine } from './minutes-text';
import { MinutesBallotEntity, MinutesVoteEntity } from './minutes-vote.entity';
import { MinutesRepository } from './minutes.repository';

interface Tally {
  yes: number;
  no: number;
  abstain: number;
  cast: number;
}

/**
 * Votes (表决) during a live meeting: the host opens one on an agenda item, the members with voting rights who
 * are in the room vote once each (同意 / 不同意 / 弃权), the host closes it; the result, with 应到 / 实到 voting
 * members, is appended to the resolutions. Opening, each ballot and closing are audited.
 */
@Injectable()
export class MinutesVotesService {
  constructor(
    private readonly dataSource: DataSource,
    private readonly repo: MinutesRepository,
    private readonly meetings: MeetingDirectory,
    private readonly audit: AuditService,
    private readonly docs: MinutesDocService,
    private readonly hub: SocketHub,
    private readonly calls: RoomCalls,
  ) {}

  /**
   * The users seated in the meeting's live room now (none when it has no room), asked of the node that holds
   * the room: the vote may come through another node's socket. 503 while that node cannot be reached.
   */
  private roomUsers(meetingId: string): Promise<string[]> {
    return this.calls.call(meetingId, 'room.users', {});
  }

  /** Voting members: expected attendees (应到) who are full members (正式党员), not probationary or observers. */
  async voters(meetingId: string, em: EntityManager = this.dataSource.manager): Promise<string[]> {
    return this.meetings.voters(meetingId, em);
  }

  async isVoter(meetingId: string, userId: string): Promise<boolean> {
    return (await this.voters(meetingId)).includes(userId);
  }

  async list(meetingId: string, em: EntityManager = this.dataSource.manager): Promise<MinutesVote[]> {
    const votes = await em
      .getRepository(MinutesVoteEntity)
      .find({ where: { meetingId }, order: { openedAt: 'ASC' } });
    const tallies = await this.tallies(em, votes);
    return votes.map((v) => this.dto(v, tallies.get(v.id)));
  }

  async myBallots(meetingId: string, userId: string): Promise<Record<string, MyBallot>> {
    const rows = await this.dataSource
      .getRepository(MinutesBallotEntity)
      .createQueryBuilder('b')
      .innerJoin(MinutesVoteEntity, 'v', 'v.id = b.vote_id')
      .select(['b.vote_id AS "voteId"', 'b.choice AS choice'])
      .where('v.meeting_id = :meetingId AND b.user_id = :userId', { meetingId, userId })
      .getRawMany<{ voteId: string; choice: VoteChoice | null }>();
    return Object.fromEntries(rows.map((r) => [r.voteId, r.choice ?? 'cast']));
  }

  async open(userId: string, meeting: MeetingRow, req: VoteOpen): Promise<MinutesVote> {
    await this.checkHost(userId, meeting);
    if (req.agendaIndex !== null && req.agendaIndex >= meeting.agenda.length)
      throw new DomainError(ErrorCodes.validation, 400, 'vote.noAgendaItem', { n: req.agendaIndex + 1 });
    const vote = await this.dataSource.transaction(async (em) => {
      const open = await em.existsBy(MinutesVoteEntity, { meetingId: meeting.id, status: 'open' });
      if (open) throw Conflict('vote.oneOpen');
      const expected = (await this.voters(meeting.id, em)).length;
      const saved = await em.save(
        em.create(MinutesVoteEntity, {
          meetingId: meeting.id,
          agendaIndex: req.agendaIndex,
          subject: req.subject,
          status: 'open',
          openedBy: userId,
          openedAt: new Date(),
          closedAt: null,
          expectedVoters: expected,
          presentVoters: null,
          secret: req.secret,
        }),
      );
      await this.audit.append(em, {
        actorId: userId,
        action: 'minutes.vote_open',
        entityType: 'minutes_vote',
        entityId: saved.id,
        unitId: meeting.unitId,
        after: {
          meetingId: meeting.id,
          subject: req.subject,
          agendaIndex: req.agendaIndex,
          expected,
          secret: req.secret,
        },
      });
      return saved;
    });
    return this.announce(meeting.id, this.dto(vote, undefined));
  }

  async cast(userId: string, meeting: MeetingRow, req: VoteCast): Promise<MinutesVote> {
    if (meeting.status !== 'live') throw Conflict('vote.meetingNotLive');
    if (!(await this.isVoter(meeting.id, userId))) throw Forbidden('vote.noRight');
    if (!(await this.roomUsers(meeting.id)).includes(userId)) throw Forbidden('vote.notInRoom');
    const vote = await this.dataSource.transaction(async (em) => {
      const v = await em.findOne(MinutesVoteEntity, {
        where: { id: req.voteId, meetingId: meeting.id },
        lock: { mode: 'pessimistic_read' },
      });
      if (!v) throw NotFound('notFound.vote');
      if (v.status !== 'open') throw Conflict('vote.closed');
      // A secret ballot records that the person voted; the choice only goes into the totals, which name nobody.
      if (!(await this.repo.castBallot(em, v.id, userId, req.choice, v.secret)))
        throw Conflict('vote.alreadyCast');
      await this.audit.append(em, {
        actorId: userId,
        action: 'minutes.vote_cast',
        entityType: 'minutes_vote',
        entityId: v.id,
        unitId: meeting.unitId,
        after: v.secret
          ? { meetingId: meeting.id, secret: true }
          : { meetingId: meeting.id, choice: req.choice },
      });
      return v;
    });
    const fresh = await this.dataSource.manager.findOneByOrFail(MinutesVoteEntity, { id: vote.id });
    const tally = (await this.tallies(this.dataSource.manager, [fresh])).get(vote.id);
    return this.announce(meeting.id, this.dto(vote, tally));
  }

  /**
   * Closes a vote (the host). During the meeting 实到 counts the voting members in the room and those who voted;
   * a vote left open when the meeting ended can still be closed by the host afterwards (实到: those who voted).
   */
  async close(userId: string, meeting: MeetingRow, req: VoteClose): Promise<MinutesVote> {
    if (meeting.hostId !== userId) throw Forbidden('vote.hostOnly');
    const inRoom = new Set(meeting.status === 'live' ? await this.roomUsers(meeting.id) : []);
    if (meeting.status === 'live' && !inRoom.has(userId)) throw Forbidden('vote.notInRoom');
    const dto = await this.docs.exclusive(meeting.id, async (t) => {
      const { em } = t;
      const v = await em.findOne(MinutesVoteEntity, {
        where: { id: req.voteId, meetingId: meeting.id },
        lock: { mode: 'pessimistic_write' },
      });
      if (!v) throw NotFound('notFound.vote');
      if (v.status !== 'open') throw Conflict('vote.closed');
      const voters = new Set(await this.voters(meeting.id, em));
      const ballots = await em.find(MinutesBallotEntity, { where: { voteId: v.id } });
      const present = new Set([...inRoom].filter((u) => voters.has(u)));
      for (const b of ballots) present.add(b.userId);
      v.status = 'closed';
      v.closedAt = new Date();
      v.presentVoters = present.size;
      await em.save(v);
      const tally = this.count(ballots, v);
      const result = this.dto(v, tally);
      await t.change((doc) => appendParagraph(resolutionsOf(doc), voteLine(result, meeting.agenda)));
      await this.audit.append(em, {
        actorId: userId,
        action: 'minutes.vote_close',
        entityType: 'minutes_vote',
        entityId: v.id,
        unitId: meeting.unitId,
        before: { status: 'open' },
        after: {
          meetingId: meeting.id,
          status: 'closed',
          expected: v.expectedVoters,
          present: v.presentVoters,
          yes: tally.yes,
          no: tally.no,
          abstain: tally.abstain,
          passed: result.passed,
        },
      });
      return result;
    });
    return this.announce(meeting.id, dto);
  }

  async hasOpenVote(meetingId: string, em: EntityManager = this.dataSource.manager): Promise<boolean> {
    return em.existsBy(MinutesVoteEntity, { meetingId, status: 'open' });
  }

  private async checkHost(userId: string, meeting: MeetingRow): Promise<void> {
    if (meeting.hostId !== userId) throw Forbidden('vote.hostOnly');
    if (meeting.status !== 'live') throw Conflict('vote.meetingNotLive');
    if (!(await this.roomUsers(meeting.id)).includes(userId)) throw Forbidden('vote.notInRoom');
  }

  private announce(meetingId: string, vote: MinutesVote): MinutesVote {
    this.hub.toReaders(meetingId, 'vote.updated', { ...vote, meetingId });
    return vote;
  }

  private async tallies(em: EntityManager, votes: MinutesVoteEntity[]): Promise<Map<string, Tally>> {
    const out = new Map<string, Tally>();
    if (!votes.length) return out;
    const voteIds = votes.map((v) => v.id);
    const ballots = await em
      .getRepository(MinutesBallotEntity)
      .createQueryBuilder('b')
      .where('b.vote_id IN (:...voteIds)', { voteIds })
      .getMany();
    for (const v of votes)
      out.set(
        v.id,
        this.count(
          ballots.filter((b) => b.voteId === v.id),
          v,
        ),
      );
    return out;
  }

  /** The totals: counted from the ballots, or — in a secret vote, whose ballots hold no choice — kept on the vote. */
  private count(ballots: { choice: VoteChoice | null }[], vote: MinutesVoteEntity): Tally {
    if (vote.secret)
      return { yes: vote.secretYes, no: vote.secretNo, abstain: vote.secretAbstain, cast: ballots.length };
    const n = (c: VoteChoice) => ballots.filter((b) => b.choice === c).length;
    return { yes: n('yes'), no: n('no'), abstain: n('abstain'), cast: ballots.length };
  }

  /** While a vote is open only the number of ballots is shown; the counts come with the close. */
  private dto(v: MinutesVoteEntity, tally: Tally | undefined): MinutesVote {
    const t = tally ?? { yes: 0, no: 0, abstain: 0, cast: 0 };
    const closed = v.status === 'closed';
    return {
      id: v.id,
      agendaIndex: v.agendaIndex,
      subject: v.subject,
      status: v.status,
      openedAt: v.openedAt.toISOString(),
      closedAt: v.closedAt?.toISOString() ?? null,
      expectedVoters: v.expectedVoters,
      presentVoters: v.presentVoters,
      cast: t.cast,
      yes: closed ? t.yes : null,
      no: closed ? t.no : null,
      abstain: closed ? t.abstain : null,
      passed: closed ? t.yes * 2 > v.expectedVoters : null,
      secret: v.secret,
    };
  }
}
