import { Column, CreateDateColumn, Entity, Index, PrimaryColumn, PrimaryGeneratedColumn } from 'typeorm';

/** A question asked in a lecture's Q&A (微课堂问答); kept with the meeting. */
@Entity('lecture_question')
@Index(['meetingId', 'at'])
export class LectureQuestionEntity {
  @PrimaryGeneratedColumn('uuid')
  id: string;

  @Column({ name: 'meeting_id', type: 'uuid' })
  meetingId: string;

  /** The member or guest who asked (a guest's id is its meeting_guest id). */
  @Column({ name: 'author_id', type: 'uuid' })
  authorId: string;

  /** Their name when they asked. */
  @Column({ name: 'author_name', type: 'varchar', length: 50 })
  authorName: string;

  @Column({ type: 'varchar', length: 500 })
  text: string;

  @Column({ name: 'answered_at', type: 'timestamptz', nullable: true })
  answeredAt: Date | null;

  @Column({ name: 'answered_by', type: 'uuid', nullable: true })
  answeredBy: string | null;

  @CreateDateColumn({ name: 'at', type: 'timestamptz' })
  at: Date;
}

/** One upvote of one person for one question (the primary key makes it once per person). */
@Entity('lecture_question_vote')
export class LectureQuestionVoteEntity {
  @PrimaryColumn({ name: 'question_id', type: 'uuid' })
  questionId: string;

  @PrimaryColumn({ name: 'voter_id', type: 'uuid' })
  voterId: string;

  @CreateDateColumn({ name: 'at', type: 'timestamptz' })
  at: Date;
}
