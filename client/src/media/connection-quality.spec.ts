import { describe, expect, it } from 'vitest';
import { classifyLink, QualityTracker } from './connection-quality';
import type { ConsumerStats } from './room-connection';

const mic = (peerId: string, packetsReceived: number, packetsLost = 0): ConsumerStats => ({
  consumerId: `mic-${peerId}`,
  peerId,
  kind: 'audio',
  source: 'mic',
  packetsReceived,
  packetsLost,
});
const ok = { connectionState: 'connected' };

describe('connection quality', () => {
  it('classifies a link from loss, round trip, stalls and the transport state', () => {
    expect(classifyLink({ lossRate: 0.01, rttMs: 80 })).toBe('good');
    expect(classifyLink({ lossRate: 0.08, rttMs: 80 })).toBe('weak');
    expect(classifyLink({ lossRate: 0, rttMs: 700 })).toBe('weak');
    expect(classifyLink({ stalled: true })).toBe('lost');
    expect(classifyLink({ connectionState: 'disconnected' })).toBe('lost');
  });

  it('a peer whose packets keep coming is good; heavy loss makes it weak', () => {
    const tracker = new QualityTracker();
    const expected = new Set(['mic-a', 'mic-b']);
    let snap = tracker.update(0, [mic('a', 0), mic('b', 0)], ok, expected);
    for (let t = 1; t <= 5; t += 1)
      snap = tracker.update(t * 1000, [mic('a', t * 50), mic('b', t * 50, t * 10)], ok, expected);
    expect(snap.peers).toEqual({ a: 'good', b: 'weak' });
    expect(snap.self).toBe('weak'); // loss over everything received: 50 of 550
  });

  it('shows a peer as lost within 5 s of its inbound RTP stopping, and oneself as lost when everything stops', () => {
    const tracker = new QualityTracker();
    const expected = new Set(['mic-a', 'mic-b']);
    tracker.update(0, [mic('a', 100), mic('b', 100)], ok, expected);
    let snap = tracker.update(1000, [mic('a', 150), mic('b', 150)], ok, expected);
    // b stops at 1 s; a goes on until 3 s
    const times: Record<string, number | undefined> = {};
    for (let t = 2; t <= 9; t += 1) {
      const a = Math.min(t, 3) * 50 + 100;
      snap = tracker.update(t * 1000, [mic('a', a), mic('b', 150)], ok, expected);
      if (snap.peers.b === 'lost') times.b ??= t * 1000;
      if (snap.self === 'lost') times.self ??= t * 1000;
    }
    expect(times.b).toBeLessThanOrEqual(6000);
    expect(times.self).toBeLessThanOrEqual(3000 + 5000);
    expect(snap.peers.a).toBe('lost');
  });

  it('when the only other person falls silent but one’s own transports still receive, oneself is not lost', () => {
    const tracker = new QualityTracker();
    const expected = new Set(['mic-a']);
    let snap = tracker.update(0, [mic('a', 100)], { ...ok, bytesReceived: 1000 }, expected);
    for (let t = 1; t <= 8; t += 1)
      snap = tracker.update(t * 1000, [mic('a', 100)], { ...ok, bytesReceived: 1000 + t * 300 }, expected);
    expect(snap.peers.a).toBe('lost');
    expect(snap.self).toBe('good');
    // nothing arrives any more, not even RTCP: now oneself is lost
    for (let t = 9; t <= 14; t += 1)
      snap = tracker.update(t * 1000, [mic('a', 100)], { ...ok, bytesReceived: 3400 }, expected);
    expect(snap.self).toBe('lost');
  });

  it('media that is not expected to flow (muted, paused for the network) is not counted as lost', () => {
    const tracker = new QualityTracker();
    for (let t = 0; t <= 10; t += 1) tracker.update(t * 1000, [mic('a', 100)], ok, new Set());
    const snap = tracker.update(11_000, [mic('a', 100)], ok, new Set());
    expect(snap.peers).toEqual({});
    expect(snap.self).toBe('good');
    // unmuted again: its clock starts now, not at the last packet 11 s ago
    expect(tracker.update(12_000, [mic('a', 100)], ok, new Set(['mic-a'])).peers.a).toBe('good');
  });

  it('oneself is lost when the receive transport is disconnected, whatever the socket says', () => {
    const tracker = new QualityTracker();
    expect(tracker.update(0, [], { connectionState: 'disconnected' }, new Set()).self).toBe('lost');
    expect(tracker.update(0, [], { connectionState: 'connected', rttMs: 900 }, new Set()).self).toBe('weak');
  });
});
