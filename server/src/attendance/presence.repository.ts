import { Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import type { CloseReason } from './presence-segment.entity';

/**
 * The presence segments' writes (PresenceService, from the media layer's events): open, stamp, close, and the
 * clean-up after nodes that died. Every segment names the node (NODE_ID) whose room holds its seat.
 */
@Injectable()
export class PresenceRepository {
  constructor(private readonly dataSource: DataSource) {}

  /**
   * Closes this node's own open segments at their last heartbeat: the ones a previous run of this node (the same
   * NODE_ID) left when it died, for no other process has this id. Returns how many.
   */
  async closeLeftoversOf(nodeId: string): Promise<number> {
    const res: [unknown[], number] = await this.dataSource.query(
      `UPDATE presence_segment SET closed_at = GREATEST(last_heartbeat_at, opened_at), close_reason = 'crash'
       WHERE closed_at IS NULL AND node_id = $1`,
      [nodeId],
    );
    return res[1];
  }

  /**
   * Closes, at their last heartbeat, the open segments of other nodes whose heartbeat is older than `before`
   * (their node died: a live node stamps its open segments every interval). Returns how many.
   */
  async closeStale(selfNodeId: string, before: Date): Promise<number> {
    const res: [unknown[], number] = await this.dataSource.query(
      `UPDATE presence_segment SET closed_at = GREATEST(last_heartbeat_at, opened_at), close_reason = 'crash'
       WHERE closed_at IS NULL AND last_heartbeat_at < $2 AND node_id IS DISTINCT FROM $1`,
      [selfNodeId, before],
    );
    return res[1];
  }

  /** Stamps the heartbeat of these open segments; returns how many it stamped. */
  async heartbeat(ids: string[], at: Date): Promise<number> {
    const res: [unknown[], number] = await this.dataSource.query(
      `UPDATE presence_segment SET last_heartbeat_at = $2 WHERE id = ANY($1) AND closed_at IS NULL`,
      [ids, at],
    );
    return res[1];
  }

  /**
   * A peer whose person is a member (user_id) or a guest of this meeting (guest_id) is seated on node `nodeId`:
   * the seat's segment. A seat taken back after its room moved here from another node goes on in the same
   * segment (it closed as 'moved': opened again, now this node's), so the move leaves no gap; a seat whose
   * previous node died with its segment open (a takeover) has that segment closed at its last heartbeat
   * ('crash') and a new one opened, so the outage is the gap and nothing stays open twice. Otherwise a new one.
   */
  async openSegment(
    meetingId: string,
    personId: string,
    peerId: string,
    at: Date,
    nodeId: string,
  ): Promise<string> {
    // One statement (one round trip per join): the seat's latest segment, locked; opened again when it moved,
    // closed when another node left it open; a new one unless one was opened again.
    const rows: { id: string | number }[] = await this.dataSource.query(
      `WITH last AS (
         SELECT id, close_reason, node_id FROM presence_segment WHERE meeting_id = $1 AND peer_id = $3
         ORDER BY opened_at DESC, id DESC LIMIT 1 FOR UPDATE),
       reopened AS (
         UPDATE presence_segment p SET closed_at = NULL, close_reason = NULL, node_id = $5,
           last_heartbeat_at = GREATEST(p.last_heartbeat_at, $4)
         FROM last WHERE p.id = last.id AND last.close_reason = 'moved' RETURNING p.id),
       crashed AS (
         UPDATE presence_segment p SET closed_at = GREATEST(p.last_heartbeat_at, p.opened_at), close_reason = 'crash'
         FROM last WHERE p.id = last.id AND p.closed_at IS NULL AND last.node_id IS DISTINCT FROM $5),
       inserted AS (
         INSERT INTO presence_segment (meeting_id, user_id, guest_id, peer_id, opened_at, last_heartbeat_at, node_id)
         SELECT $1, u.id, g.id, $3, $4, $4, $5 FROM (SELECT $2::uuid AS id) x
         LEFT JOIN app_user u ON u.id = x.id LEFT JOIN meeting_guest g ON g.id = x.id AND g.meeting_id = $1
         WHERE NOT EXISTS (SELECT 1 FROM reopened)
         RETURNING id)
       SELECT id FROM reopened UNION ALL SELECT id FROM inserted`,
      [meetingId, personId, peerId, at, nodeId],
    );
    return String(rows[0].id);
  }

  /** Media first flowed for the segment at `at` (kept if already stamped). */
  async stampMedia(segmentId: string, at: Date): Promise<void> {
    await this.dataSource.query(
      `UPDATE presence_segment SET media_at = $2 WHERE id = $1 AND media_at IS NULL`,
      [segmentId, at],
    );
  }

  /** Closes a segment this node holds (one another node took over since is not this node's to close). */
  async closeSegment(id: string, at: Date, reason: CloseReason, nodeId: string): Promise<void> {
    await this.dataSource.query(
      `UPDATE presence_segment SET closed_at = GREATEST(opened_at, $2), close_reason = $3,
         last_heartbeat_at = GREATEST(last_heartbeat_at, $2)
       WHERE id = $1 AND closed_at IS NULL AND node_id IS NOT DISTINCT FROM $4`,
      [id, at, reason, nodeId],
    );
  }
}
