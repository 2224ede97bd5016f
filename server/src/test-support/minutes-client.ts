import type { MinutesOpened } from '@branchmeet/shared';
import {
  fromBase64,
  readSections,
  resolutionsOf,
  sectionsOf,
  textOf,
  toBase64,
} from '../minutes/minutes-doc';
import * as Y from '../minutes/yjs';
import type { RtcTestClient } from './rtc-client';
import { waitFor } from './werift';

/**
 * A test reader/writer of a meeting's minutes over `/rtc`, as the browser does it: a Y.Doc synced by
 * `minutes.open` (state vector → the missing update, then what the server lacks), local edits sent as
 * `minutes.update`, remote ones applied from `minutes.updated`.
 */
export class MinutesTestClient {
  readonly doc = new Y.Doc();
  opened?: MinutesOpened;
  /** Results of the updates this client sent (ok, or the error code). */
  readonly sent: string[] = [];
  private pending: Promise<unknown>[] = [];
  private holding = false;
  private held: Uint8Array[] = [];

  constructor(
    readonly c: RtcTestClient,
    readonly meetingId: string,
  ) {
    c.socket.on('minutes.updated', (p) => {
      if (p.meetingId === meetingId) Y.applyUpdate(this.doc, fromBase64(p.update), 'remote');
    });
    this.doc.on('update', (update: Uint8Array, origin: unknown) => {
      if (origin === 'remote' || origin === 'server') return;
      if (this.holding) this.held.push(update);
      else this.push(update);
    });
  }

  async open(): Promise<MinutesOpened> {
    const opened = await this.c.call('minutes.open', {
      meetingId: this.meetingId,
      stateVector: toBase64(Y.encodeStateVector(this.doc)),
    });
    Y.applyUpdate(this.doc, fromBase64(opened.update), 'server');
    this.opened = opened;
    const missing = Y.encodeStateAsUpdate(this.doc, fromBase64(opened.stateVector));
    // An empty update is two zero bytes: nothing the server lacks.
    if (opened.writer && missing.length > 2) this.push(missing);
    return opened;
  }

  private push(update: Uint8Array): void {
    this.pending.push(
      this.c.raw('minutes.update', { meetingId: this.meetingId, update: toBase64(update) }).then((ack) => {
        this.sent.push(ack.ok ? 'ok' : ack.error.code);
        return ack;
      }),
    );
  }

  /** Edits made inside `fn` are sent together when `release` is called (to make two writers collide). */
  hold(): void {
    this.holding = true;
  }

  release(): void {
    this.holding = false;
    if (this.held.length) this.push(Y.mergeUpdates(this.held));
    this.held = [];
  }

  /** Waits until every update sent so far was acknowledged. */
  async settled(): Promise<void> {
    const all = this.pending;
    this.pending = [];
    await Promise.all(all);
  }

  insert(section: number, index: number, text: string): void {
    textOf(sectionsOf(this.doc).get(section)).insert(index, text);
  }

  sectionText(section: number): string {
    return readSections(this.doc)[section]?.text ?? '';
  }

  resolutions(): string {
    return resolutionsOf(this.doc).toString();
  }

  waitText(section: number, pred: (text: string) => boolean, what: string): Promise<void> {
    return waitFor(what, () => pred(this.sectionText(section)), 10_000);
  }
}
