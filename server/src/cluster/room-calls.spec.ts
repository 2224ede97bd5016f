import { Forbidden } from '../common/domain-error';
import type { AppConfig } from '../config/config';
import type { ClusterRuntime } from './cluster.runtime';
import type { Lease, MeetingLeases, NodeRegistry } from './cluster.types';
import type { CallReply, CallRequest, RedisCallTransport } from './redis-calls';
import { RoomCalls } from './room-calls';

/**
 * RoomCalls between nodes on an in-memory wire with the transport's contract (request by node id, `unreachable`
 * when nobody listens there; notices to every other node). The Redis transport itself runs in
 * room-calls.int-spec.ts.
 */
class Wire {
  readonly servers = new Map<string, (req: CallRequest) => Promise<CallReply>>();
  readonly noticeListeners = new Map<string, (name: string, payload: unknown) => void>();
  requests = 0;

  transport(nodeId: string): RedisCallTransport {
    return {
      serveWith: (serve: (req: CallRequest) => Promise<CallReply>) => this.servers.set(nodeId, serve),
      onNotice: (l: (name: string, payload: unknown) => void) => this.noticeListeners.set(nodeId, l),
      request: async (to: string, req: CallRequest): Promise<CallReply | 'unreachable'> => {
        this.requests++;
        const serve = this.servers.get(to);
        // Over the wire: JSON both ways.
        return serve ? (JSON.parse(JSON.stringify(await serve(req))) as CallReply) : 'unreachable';
      },
      notify: async (name: string, payload: unknown): Promise<void> => {
        for (const [id, l] of this.noticeListeners) if (id !== nodeId) l(name, payload);
      },
    } as unknown as RedisCallTransport;
  }
}

function cluster() {
  const wire = new Wire();
  const leases = new Map<string, Lease>();
  const held = (meetingId: string, nodeId: string) =>
    leases.set(meetingId, { meetingId, nodeId, epoch: leases.size + 1, state: 'held' });
  /** A node; `seen` (optional) is how it sees the leases (a stale view: a lease that moved since). */
  const node = (id: string, seen?: (meetingId: string) => Lease | null) =>
    new RoomCalls(
      { calls: wire.transport(id) } as unknown as ClusterRuntime,
      { whereIs: async (m: string) => (seen ? seen(m) : (leases.get(m) ?? null)) } as MeetingLeases,
      { nodeId: id } as NodeRegistry,
      { CLUSTER_CALL_TIMEOUT_SECONDS: 1 } as AppConfig,
    );
  return { wire, held, node };
}

describe('RoomCalls', () => {
  it("runs a call on the meeting's owner, here when nobody holds it", async () => {
    const { wire, held, node } = cluster();
    const [a, b] = [node('a'), node('b')];
    a.handle('room.count', () => 1);
    b.handle('room.count', (meetingId) => (meetingId === 'm' ? 7 : 0));
    held('m', 'b');
    expect(await a.call('m', 'room.count', {})).toBe(7);
    expect(wire.requests).toBe(1);
    // Nobody holds it: no room anywhere, this node answers.
    expect(await a.call('free', 'room.count', {})).toBe(1);
    expect(wire.requests).toBe(1);
  });

  it("brings the owner's domain error back as it was thrown; any other error as a 500", async () => {
    const { held, node } = cluster();
    const [a, b] = [node('a'), node('b')];
    b.handle('recording.control', () => {
      throw Forbidden('recording.hostOnly');
    });
    b.handle('room.users', () => {
      throw new Error('boom');
    });
    held('m', 'b');
    await expect(a.call('m', 'recording.control', { action: 'start', actorId: 'u' })).rejects.toMatchObject({
      code: 'forbidden',
      status: 403,
      messageKey: 'recording.hostOnly',
    });
    await expect(a.call('m', 'room.users', {})).rejects.toThrow(/the node holding the meeting failed: boom/);
  });

  it('follows a meeting that moved on the way, and answers 503 when its owner cannot be reached', async () => {
    const { wire, held, node } = cluster();
    held('m', 'c');
    // a first sees b's old lease; b no longer holds the meeting and says so; a asks again and reaches c.
    let stale = true;
    const a = node('a', (m) => {
      if (!stale) return m === 'm' ? { meetingId: 'm', nodeId: 'c', epoch: 2, state: 'held' } : null;
      stale = false;
      return { meetingId: m, nodeId: 'b', epoch: 1, state: 'held' };
    });
    const [b, c] = [node('b'), node('c')];
    b.handle('room.users', () => ['stale']);
    c.handle('room.users', () => ['on-c']);
    expect(await a.call('m', 'room.users', {})).toEqual(['on-c']);
    expect(wire.requests).toBe(2);
    // The owner is gone (nobody listens on its channel): 503 at once.
    held('gone', 'z');
    await expect(node('d').call('gone', 'room.count', {})).rejects.toMatchObject({
      code: 'unavailable',
      status: 503,
      messageKey: 'rtc.ownerUnavailable',
    });
  });

  it('tells every node a notice, this one directly', () => {
    const { node } = cluster();
    const [a, b] = [node('a'), node('b')];
    const seen: string[] = [];
    a.onNotice('session.revoked', (r) => seen.push(`a:${r.userId}`));
    const off = b.onNotice('session.revoked', (r) => seen.push(`b:${r.userId}`));
    a.tellEveryNode('session.revoked', { userId: 'u1', reason: 'logout' });
    off();
    a.tellEveryNode('session.revoked', { userId: 'u2', reason: 'logout' });
    expect(seen).toEqual(['a:u1', 'b:u1', 'a:u2']);
  });
});
