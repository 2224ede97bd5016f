import type { VoteChoice } from '@branchmeet/shared';
import { Column, Entity, Index, PrimaryColumn, PrimaryGeneratedColumn } from 'typeorm';

/** A vote (表决) the host opened during the meeting on an agenda item. */
@Entity('minutes_vote')
@Index(['meetingId', 'openedAt'])
// At most one open vote per meeting: a partial unique index made by hand in the migration.
@Index('uq_minutes_vote_open', { synchronize: false })
export class MinutesVoteEntity {
  @PrimaryGeneratedColumn('uuid')
  id: string;

  @Column({ name: 'meeting_id', type: 'uuid' })
  meetingId: string;

  @Column({ name: 'agenda_index', type: 'int', nullable: true })
  agendaIndex: number | null;

  @Column({ type: 'varchar', length: 200 })
  subject: string;

  @Column({ type: 'varchar', length: 6 })
  status: 'open' | 'closed';

  @Column({ name: 'opened_by', type: 'uuid' })
  openedBy: string;

  @Column({ name: 'opened_at', type: 'timestamptz' })
  openedAt: Date;

  @Column({ name: 'closed_at', type: 'timestamptz', nullable: true })
  closedAt: Date | null;

  /** 应到: the voting members the meeting expected (fixed when the vote opened). */
  @Column({ name: 'expected_voters', type: 'int' })
  expectedVoters: number;

  /** 实到: the voting members in the room when it closed, or who voted. */
  @Column({ name: 'present_voters', type: 'int', nullable: true })
  presentVoters: number | null;

  /** 无记名: ballots keep who voted, not what; the choices are only these totals. */
  @Column({ type: 'boolean', default: false })
  secret: boolean;

  @Column({ name: 'secret_yes', type: 'int', default: 0 })
  secretYes: number;

  @Column({ name: 'secret_no', type: 'int', default: 0 })
  secretNo: number;

  @Column({ name: 'secret_abstain', type: 'int', default: 0 })
  secretAbstain: number;
}

/** One member's vote: once each (the primary key). */
@Entity('minutes_ballot')
export class MinutesBallotEntity {
  @PrimaryColumn({ name: 'vote_id', type: 'uuid' })
  voteId: string;

  @PrimaryColumn({ name: 'user_id', type: 'uuid' })
  userId: string;

  /** Null in a secret vote. */
  @Column({ type: 'varchar', length: 8, nullable: true })
  choice: VoteChoice | null;

  @Column({ type: 'timestamptz', default: () => 'now()' })
  at: Date;
}
