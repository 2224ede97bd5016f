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
  private pending: Promise<string>[] = [];
  private holding = false;
  private held: Uint8Array[] = [];

  constructor(
    public c: RtcTestClient,
    readonly meetingId: string,
  ) {
    this.listen(c);
    this.doc.on('update', (update: Uint8Array, origin: unknown) => {
      if (origin === 'remote' || origin === 'server') return;
      if (this.holding) this.held.push(update);
      else this.push(update);
    });
  }

  private listen(c: RtcTestClient): void {
    c.socket.on('minutes.updated', (p) => {
      if (p.meetingId === this.meetingId) Y.applyUpdate(this.doc, fromBase64(p.update), 'remote');
    });
  }

  /**
   * Goes on through another socket (its node went away) and opens again, as the browser does on a reconnect:
   * what this document lacks comes back, what the server lacks goes out.
   */
  reconnect(c: RtcTestClient): Promise<MinutesOpened> {
    this.c = c;
    this.listen(c);
    return this.open();
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
      this.c.raw('minutes.update', { meetingId: this.meetingId, update: toBase64(update) }).then(
        (ack) => {
          const result = ack.ok ? 'ok' : ack.error.code;
          this.sent.push(result);
          return result;
        },
        // No acknowledgement (the socket or its node went away): not known to be stored.
        () => {
          this.sent.push('unanswered');
          return 'unanswered';
        },
      ),
    );
  }

  /** Appends `text` to a section and sends it at once: its acknowledgement (ok, or the error code). */
  append(section: number, text: string): Promise<string> {
    if (this.holding) throw new Error('append sends at once: release first');
    this.insert(section, this.sectionText(section).length, text);
    return this.pending[this.pending.length - 1];
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
