import { afterEach, beforeEach, expect, it, vi } from 'vitest';
import { MINUTES_YDOC } from '@branchmeet/shared';
import * as Y from 'yjs';
import type { SignallingClient, SignallingSubscription } from '../../media/signalling-client';
import { fromBase64, toBase64 } from './base64';
import { MinutesSync } from './minutes-sync';

/** A server answering minutes.open, and minutes.update as `answer` says (the update is stored when it resolves). */
function fakeServer(answer: () => 'ok' | 'unavailable' | 'refused') {
  const server = new Y.Doc();
  server.getText(MINUTES_YDOC.resolutions).insert(0, '决议：');
  const opens: number[] = [];
  let hooks: Parameters<SignallingClient['subscribe']>[0] | undefined;
  const subscription = {
    connected: true,
    request: vi.fn(async (event: string, payload: { update?: string; stateVector?: string }) => {
      if (event === 'minutes.open') {
        opens.push(Date.now());
        return {
          update: toBase64(Y.encodeStateAsUpdate(server)),
          stateVector: toBase64(Y.encodeStateVector(server)),
          status: 'draft',
          writer: true,
          host: false,
          voter: true,
          votes: [],
          myVotes: {},
        };
      }
      const a = answer();
      if (a === 'unavailable') throw { code: 'unavailable', message: '纪要正被另一台服务器占用，请稍后重试' };
      if (a === 'refused') throw { code: 'conflict', message: 'refused' };
      Y.applyUpdate(server, fromBase64(payload.update ?? ''));
      return null;
    }),
    on: vi.fn(),
    reconnect: vi.fn(),
    release: vi.fn(),
  } as unknown as SignallingSubscription;
  const signalling = {
    subscribe: (h: Parameters<SignallingClient['subscribe']>[0]) => {
      hooks = h;
      return subscription;
    },
  } as unknown as SignallingClient;
  return { server, opens, signalling, connect: () => hooks?.connected?.() };
}

const flushPromises = async () => {
  for (let i = 0; i < 5; i++) await Promise.resolve();
};

beforeEach(() => vi.useFakeTimers());
afterEach(() => vi.useRealTimers());

it('an edit the server cannot take yet (the minutes busy on another server) is sent again, not thrown away', async () => {
  let busy = 2;
  const s = fakeServer(() => (busy-- > 0 ? 'unavailable' : 'ok'));
  const sync = new MinutesSync({ meetingId: 'm1', signalling: s.signalling });
  sync.connect();
  s.connect();
  await flushPromises();
  expect(sync.state.synced).toBe(true);

  sync.resolutions().insert(sync.resolutions().length, '通过');
  await flushPromises();
  expect(s.server.getText(MINUTES_YDOC.resolutions).toString()).toBe('决议：'); // busy once
  await vi.advanceTimersByTimeAsync(1000);
  await vi.advanceTimersByTimeAsync(1000);
  expect(s.server.getText(MINUTES_YDOC.resolutions).toString()).toBe('决议：通过');
  expect(sync.resolutions().toString()).toBe('决议：通过');
  expect(s.opens).toHaveLength(1); // never started again from the server's
});

it('an edit the server refuses starts the document again from the server’s', async () => {
  const s = fakeServer(() => 'refused');
  const sync = new MinutesSync({ meetingId: 'm1', signalling: s.signalling });
  sync.connect();
  s.connect();
  await flushPromises();
  sync.resolutions().insert(sync.resolutions().length, '通过');
  await flushPromises();
  await vi.advanceTimersByTimeAsync(0);
  expect(s.opens).toHaveLength(2);
  expect(sync.resolutions().toString()).toBe('决议：');
});
