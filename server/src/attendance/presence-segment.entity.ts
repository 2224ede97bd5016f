import { Column, Entity, Index, PrimaryGeneratedColumn } from 'typeorm';

/**
 * Why a presence segment closed. 'crash': its node died with it open (its heartbeat stopped, or the node found
 * it at its own restart); closed at its last heartbeat. 'moved': its room moved to another node (the node it
 * was on stopped, or lost the meeting); the node where the seat is taken back opens the same segment again.
 */
export const closeReasons = [
  'left',
  'disconnected',
  'removed',
  'ended',
  'shutdown',
  'crash',
  'moved',
] as const;
export type CloseReason = (typeof closeReasons)[number];

/**
 * One stretch of one member's real presence in a meeting: from the moment they are seated in the room (over a
 * live signalling connection) to the moment the seat is gone, whether or not media flows. A reconnect within the grace period keeps
 * the segment; each device is a segment of its own (the attendance computation merges them).
 */
@Entity('presence_segment')
@Index(['meetingId', 'userId'])
export class PresenceSegmentEntity {
  @PrimaryGeneratedColumn({ type: 'bigint' })
  id: string;

  @Column({ name: 'meeting_id', type: 'uuid' })
  meetingId: string;

  /** The member; null for a guest (`guest_id`). */
  @Column({ name: 'user_id', type: 'uuid', nullable: true })
  userId: string | null;

  /** An outside guest invited by link (exactly one of user_id and guest_id is set). */
  @Column({ name: 'guest_id', type: 'uuid', nullable: true })
  guestId: string | null;

  /** The node (NODE_ID) whose room holds the seat; null for segments written before nodes were recorded. */
  @Column({ name: 'node_id', type: 'varchar', length: 64, nullable: true })
  nodeId: string | null;

  /** The media peer (seat) of this stretch. */
  @Column({ name: 'peer_id', type: 'uuid' })
  peerId: string;

  @Column({ name: 'opened_at', type: 'timestamptz' })
  openedAt: Date;

  @Column({ name: 'closed_at', type: 'timestamptz', nullable: true })
  closedAt: Date | null;

  /**
   * Updated while the segment is open, by one UPDATE per interval for all open segments of the node; one that
   * stopped moving for a few intervals belongs to a node that died, and the reaper closes it there.
   */
  @Column({ name: 'last_heartbeat_at', type: 'timestamptz' })
  lastHeartbeatAt: Date;

  /** When media first flowed on the seat (a transport connected); null: no media at all. Information only. */
  @Column({ name: 'media_at', type: 'timestamptz', nullable: true })
  mediaAt: Date | null;

  @Column({ name: 'close_reason', type: 'varchar', length: 20, nullable: true })
  closeReason: CloseReason | null;
}
