import {
  MINUTES_YDOC,
  minutesEditable,
  type ApiError,
  type MinutesStatus,
  type MinutesVote,
  type MyBallot,
  type VoteChoice,
} from '@branchmeet/shared';
import * as Y from 'yjs';
import type { SignallingClient, SignallingSubscription } from '../../media/signalling-client';
import { fromBase64, toBase64 } from './base64';

export interface MinutesSyncState {
  connected: boolean;
  /** The first sync step is done: the document holds the server's sections. */
  synced: boolean;
  status: MinutesStatus | null;
  /** The caller is the meeting's recorder or host. */
  writer: boolean;
  host: boolean;
  voter: boolean;
  votes: MinutesVote[];
  myVotes: Record<string, MyBallot>;
  error: ApiError | null;
}

export interface MinutesSyncOptions {
  meetingId: string;
  /** The app's `/rtc` socket (shared with the room and the notifications). */
  signalling: SignallingClient;
}

const REMOTE = 'remote';

/** How soon an edit the server could not take yet (`unavailable`: the minutes busy elsewhere) goes again. */
const BUSY_RETRY_MS = 1000;

/**
 * The live minutes of one meeting in the browser: a Y.Doc kept in step with the server's over the app's one
 * `/rtc` socket. On every (re)connect it opens the minutes with its state vector, applies what it lacks and sends what
 * the server lacks; local edits go out as `minutes.update` (one at a time, merged while one is in flight),
 * remote ones come in as `minutes.updated`. If the server refuses an edit (the minutes were submitted meanwhile,
 * or the person may not write) the document starts again from the server's.
 */
export class MinutesSync {
  doc = new Y.Doc();
  private socket: SignallingSubscription | null = null;
  private listeners = new Set<() => void>();
  private outbox: Uint8Array[] = [];
  private sending = false;
  private disposed = false;
  private value: MinutesSyncState = {
    connected: false,
    synced: false,
    status: null,
    writer: false,
    host: false,
    voter: false,
    votes: [],
    myVotes: {},
    error: null,
  };

  constructor(private readonly options: MinutesSyncOptions) {
    this.watch(this.doc);
  }

  get state(): MinutesSyncState {
    return this.value;
  }

  /** Writing is possible now: the recorder or host, editable minutes, connected and synced. */
  get canWrite(): boolean {
    const s = this.value;
    return s.writer && s.synced && s.status !== null && minutesEditable(s.status);
  }

  sections() {
    return this.doc.getArray<Y.Map<unknown>>(MINUTES_YDOC.sections);
  }

  resolutions() {
    return this.doc.getText(MINUTES_YDOC.resolutions);
  }

  subscribe(listener: () => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  private set(patch: Partial<MinutesSyncState>): void {
    this.value = { ...this.value, ...patch };
    for (const l of this.listeners) l();
  }

  private watch(doc: Y.Doc): void {
    doc.on('update', (update: Uint8Array, origin: unknown) => {
      if (origin === REMOTE || doc !== this.doc) return;
      this.outbox.push(update);
      void this.flush();
    });
  }

  connect(): void {
    if (this.socket || this.disposed) return;
    const socket = this.options.signalling.subscribe({
      connected: () => void this.open(),
      disconnected: () => this.set({ connected: false }),
      failed: (error) => this.set({ error }),
    });
    this.socket = socket;
    socket.on('minutes.updated', (p) => {
      if (p.meetingId === this.options.meetingId && !this.disposed)
        Y.applyUpdate(this.doc, fromBase64(p.update), REMOTE);
    });
    socket.on('minutes.changed', (p) => {
      if (p.meetingId === this.options.meetingId) this.set({ status: p.status });
    });
    socket.on('vote.updated', (vote) => {
      if (vote.meetingId !== this.options.meetingId || this.disposed) return;
      const { meetingId: _m, ...v } = vote;
      const votes = this.value.votes.some((x) => x.id === v.id)
        ? this.value.votes.map((x) => (x.id === v.id ? v : x))
        : [...this.value.votes, v];
      this.set({ votes });
    });
  }

  /** The sync step: what this document lacks comes back, what the server lacks goes out. */
  private async open(): Promise<void> {
    const socket = this.socket;
    if (!socket) return;
    try {
      const opened = await socket.request('minutes.open', {
        meetingId: this.options.meetingId,
        stateVector: toBase64(Y.encodeStateVector(this.doc)),
      });
      Y.applyUpdate(this.doc, fromBase64(opened.update), REMOTE);
      this.set({
        connected: true,
        synced: true,
        status: opened.status,
        writer: opened.writer,
        host: opened.host,
        voter: opened.voter,
        votes: opened.votes,
        myVotes: opened.myVotes,
        error: null,
      });
      if (opened.writer && minutesEditable(opened.status)) {
        const missing = Y.encodeStateAsUpdate(this.doc, fromBase64(opened.stateVector));
        this.outbox = missing.length > 2 ? [missing] : [];
      } else this.outbox = [];
      void this.flush();
    } catch (err) {
      this.set({ error: (err as { body?: ApiError }).body ?? { code: 'error', message: String(err) } });
    }
  }

  private async flush(): Promise<void> {
    const socket = this.socket;
    if (this.sending || !this.outbox.length || !socket?.connected || !this.value.synced) return;
    this.sending = true;
    const update = Y.mergeUpdates(this.outbox);
    this.outbox = [];
    try {
      await socket.request('minutes.update', {
        meetingId: this.options.meetingId,
        update: toBase64(update),
      });
    } catch (err) {
      const code = (err as { code?: string }).code;
      if (code === 'timeout') this.outbox.unshift(update);
      else if (code === 'unavailable') {
        // Not refused, not stored (the minutes were busy on another server): the same edit again in a moment.
        this.outbox.unshift(update);
        this.sending = false;
        setTimeout(() => void this.flush(), BUSY_RETRY_MS);
        return;
      }
      // Refused: this document has an edit the server does not; start again from the server's.
      else this.restart();
    } finally {
      this.sending = false;
    }
    if (this.outbox.length) void this.flush();
  }

  /** A fresh document from the server (after a refused edit). */
  private restart(): void {
    this.doc.destroy();
    this.doc = new Y.Doc();
    this.watch(this.doc);
    this.outbox = [];
    this.set({ synced: false });
    void this.open();
  }

  async vote(
    action: 'open',
    agendaIndex: number | null,
    subject: string,
    secret?: boolean,
  ): Promise<MinutesVote>;
  async vote(action: 'cast', voteId: string, choice: VoteChoice): Promise<MinutesVote>;
  async vote(action: 'close', voteId: string): Promise<MinutesVote>;
  async vote(action: 'open' | 'cast' | 'close', a: unknown, b?: unknown, c?: unknown): Promise<MinutesVote> {
    const socket = this.socket;
    if (!socket) throw new Error('not connected');
    const meetingId = this.options.meetingId;
    if (action === 'open')
      return socket.request('vote.open', {
        meetingId,
        agendaIndex: a as number | null,
        subject: b as string,
        secret: c === true,
      });
    if (action === 'close') return socket.request('vote.close', { meetingId, voteId: a as string });
    const vote = await socket.request('vote.cast', {
      meetingId,
      voteId: a as string,
      choice: b as VoteChoice,
    });
    // A secret ballot is not kept, not even here: the page shows that one voted.
    const mine: MyBallot = vote.secret ? 'cast' : (b as VoteChoice);
    this.set({ myVotes: { ...this.value.myVotes, [vote.id]: mine } });
    return vote;
  }

  dispose(): void {
    this.disposed = true;
    const socket = this.socket;
    this.socket = null;
    // The socket stays for the rest of the app: the server hears of the closing from minutes.close.
    if (socket?.connected)
      void socket
        .request('minutes.close', { meetingId: this.options.meetingId }, 1500)
        .catch(() => undefined)
        .finally(() => socket.release());
    else socket?.release();
    this.listeners.clear();
    this.doc.destroy();
  }
}
