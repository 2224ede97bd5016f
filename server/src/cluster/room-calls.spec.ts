import { Forbidden } from '../common/domain-error';
import type { AppConfig } from '../config/config';
import type { ClusterRuntime } from './cluster.runtime';
import type { Lease, MeetingLeases, NodeRegistry } from './cluster.types';
import { NodeRequestError, toWire, type NodeChannel } from './node-channel';
import { RoomCalls } from './room-calls';

type Handler = (payload: unknown, from: string) => unknown;

/**
 * RoomCalls between nodes on an in-memory wire with the node channel's contract (request by node id, errors as
 * WireErrors, `unreachable` when nobody listens there; notices to every other node). The Redis channel itself
 * runs in node-channel.spec.ts and room-calls.int-spec.ts.
 */
class Wire {
  readonly servers = new Map<string, Map<string, Handler>>();
  readonly noticeListeners: { nodeId: string; topic: string; listener: Handler }[] = [];
  /** Nodes whose requests fail as the channel fails them (silent: `timeout`; starting: `unserved`). */
  readonly failing = new Map<string, NodeRequestError>();
  requests = 0;

  channel(nodeId: string): NodeChannel {
    return {
      serve: (topic: string, handler: Handler) => {
        if (!this.servers.has(nodeId)) this.servers.set(nodeId, new Map());
        this.servers.get(nodeId)!.set(topic, handler);
        return () => undefined;
      },
      onNotice: (topic: string, listener: Handler) => {
        this.noticeListeners.push({ nodeId, topic, listener });
        return () => undefined;
      },
      request: async (to: string, topic: string, payload: unknown): Promise<unknown> => {
        this.requests++;
        const failure = this.failing.get(to);
        if (failure) throw failure;
        const handler = this.servers.get(to)?.get(topic);
        if (!handler) throw new NodeRequestError('unreachable', { code: 'unreachable', message: 'nobody' });
        try {
          // Over the wire: JSON both ways.
          return JSON.parse(JSON.stringify(await handler(JSON.parse(JSON.stringify(payload)), nodeId)));
        } catch (e) {
          throw new NodeRequestError('failed', JSON.parse(JSON.stringify(toWire(e))));
        }
      },
      tellEveryNode: async (topic: string, payload: unknown): Promise<void> => {
        for (const l of this.noticeListeners)
          if (l.nodeId !== nodeId && l.topic === topic) l.listener(payload, nodeId);
      },
    } as unknown as NodeChannel;
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
      { channel: wire.channel(id) } as unknown as ClusterRuntime,
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

  it('answers 503 when the owner is silent or does not serve calls yet', async () => {
    const { wire, held, node } = cluster();
    const [a, b] = [node('a'), node('b')];
    b.handle('room.count', () => 3);
    held('m', 'b');
    const unavailable = { code: 'unavailable', status: 503, messageKey: 'rtc.ownerUnavailable' };
    wire.failing.set('b', new NodeRequestError('timeout', { code: 'timeout', message: 'silent' }));
    await expect(a.call('m', 'room.count', {})).rejects.toMatchObject(unavailable);
    wire.failing.set('b', new NodeRequestError('failed', { code: 'unserved', message: 'starting' }));
    await expect(a.call('m', 'room.count', {})).rejects.toMatchObject(unavailable);
    wire.failing.delete('b');
    expect(await a.call('m', 'room.count', {})).toBe(3);
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
