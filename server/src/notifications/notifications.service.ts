import {
  Inject,
  Injectable,
  Logger,
  OnApplicationBootstrap,
  OnApplicationShutdown,
  Optional,
} from '@nestjs/common';
import type {
  MarkNotificationsReadRequest,
  MarkNotificationsReadResult,
  Notification,
  NotificationKind,
  NotificationList,
  NotificationListQuery,
  NotificationParams,
} from '@branchmeet/shared';
import { EntityManager } from 'typeorm';
import { AuthUser } from '../auth/auth-user';
import { ClusterOnce } from '../cluster/cluster-once';
import { SocketHub } from '../common/socket-hub';
import { APP_CONFIG, AppConfig } from '../config/config';
import { DeliveryService } from './delivery.service';
import { NotificationsRepository, type NotificationRow } from './notifications.repository';

/** One notification to several people (the same kind, meeting and words). */
export interface NotificationInput {
  userIds: readonly string[];
  kind: NotificationKind;
  meetingId: string | null;
  params: NotificationParams;
  /** Sent at most once per person and key (a reminder: `reminder:<meeting>:<start>`). */
  dedupeKey?: string;
}

/** What a notification about a meeting says of it. */
export interface MeetingRef {
  id: string;
  unitId: string;
  title: string;
  scheduledStart: Date | null;
  startedAt: Date;
}

/** A stored notification and whom to deliver it to. */
export interface Delivery {
  userId: string;
  notification: Notification;
}

type Row = NotificationRow;

const toDto = (r: Row): Notification => ({
  id: r.id,
  kind: r.kind,
  meetingId: r.meeting_id,
  params: r.params,
  read: r.read_at !== null,
  createdAt: r.created_at.toISOString(),
});

/**
 * In-app notifications: stored per person, pushed to their sockets after the change that caused them has
 * committed, listed and marked read by their owner only. The reminder job sends one reminder per person and
 * meeting MEETING_REMINDER_MINUTES before its start: every MEETING_REMINDER_TICK_SECONDS it inserts the due
 * ones, and the unique (person, dedupe key) index makes a second tick, a restart or a second process insert
 * nothing twice (only what was inserted is pushed). With several nodes the tick runs on one of them per interval
 * (ClusterOnce.runPerInterval); a meeting just scheduled for soon is reminded of at once by its node.
 */
@Injectable()
export class NotificationsService implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly log = new Logger(NotificationsService.name);
  private timer?: NodeJS.Timeout;
  private ticking: Promise<unknown> = Promise.resolve();

  constructor(
    private readonly repo: NotificationsRepository,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    @Optional() private readonly delivery?: DeliveryService,
    @Optional() private readonly hub?: SocketHub,
    @Optional() private readonly once?: ClusterOnce,
  ) {}

  onApplicationBootstrap(): void {
    const tick = () => this.tick();
    tick();
    this.timer = setInterval(tick, this.config.MEETING_REMINDER_TICK_SECONDS * 1000);
    this.timer.unref();
  }

  async onApplicationShutdown(): Promise<void> {
    clearInterval(this.timer);
    await this.ticking;
  }

  /**
   * Stores notifications in the caller's transaction and returns them; hand them to `push` once it has
   * committed. A (person, dedupe key) already notified is skipped.
   */
  async add(em: EntityManager, inputs: NotificationInput | NotificationInput[]): Promise<Delivery[]> {
    const rows = (Array.isArray(inputs) ? inputs : [inputs]).flatMap((i) =>
      [...new Set(i.userIds)].map((userId) => ({ ...i, userId })),
    );
    if (rows.length === 0) return [];
    const inserted = await this.repo.insert(em, rows);
    // E-mails and robot messages are queued with them (sent after the commit, never in this request).
    await this.delivery?.enqueue(
      em,
      inserted.map((r) => r.id),
    );
    return inserted.map((r) => ({ userId: r.user_id, notification: toDto(r) }));
  }

  /** Delivers what `add` stored to the people's sockets (after the transaction committed). */
  push(deliveries: Delivery[]): void {
    for (const d of deliveries) this.hub?.toPerson(d.userId, 'notification.created', d.notification);
    if (deliveries.length > 0) this.delivery?.kick();
  }

  /**
   * Notifies people about a meeting (all but the actor): the meeting's title, planned start and branch name are
   * added to `params`. Stored in the caller's transaction; push the result once it has committed.
   */
  async aboutMeeting(
    em: EntityManager,
    meeting: MeetingRef,
    kind: NotificationKind,
    userIds: readonly string[],
    actorId: string | null,
    params: NotificationParams = {},
  ): Promise<Delivery[]> {
    const to = userIds.filter((id) => id !== actorId);
    if (to.length === 0) return [];
    const unitName = await this.repo.unitName(em, meeting.unitId);
    return this.add(em, {
      userIds: to,
      kind,
      meetingId: meeting.id,
      params: {
        title: meeting.title,
        start: (meeting.scheduledStart ?? meeting.startedAt).toISOString(),
        unitName,
        ...params,
      },
    });
  }

  /**
   * Runs the reminder job now, without waiting for its next tick (a meeting just scheduled to start within the
   * reminder window, or now); never throws, never blocks the caller.
   */
  remindSoon(): void {
    this.queue(() => this.sendReminders());
  }

  /** The job's tick: on one node of the cluster per MEETING_REMINDER_TICK_SECONDS (the others skip it). */
  private tick(): void {
    const intervalMs = this.config.MEETING_REMINDER_TICK_SECONDS * 1000;
    this.queue(() =>
      this.once
        ? this.once.runPerInterval('meeting-reminders', intervalMs, () => this.sendReminders())
        : this.sendReminders(),
    );
  }

  /** Runs the reminder job after the run in progress here; never throws. */
  private queue(job: () => Promise<unknown>): void {
    const run = this.ticking.then(job);
    this.ticking = run.catch((e: unknown) => this.log.error(`meeting reminders failed: ${String(e)}`));
  }

  /** Resolves once the reminder job in progress (a tick, or `remindSoon`) has finished. */
  async settled(): Promise<void> {
    await this.ticking;
  }

  /** Stores and pushes at once (outside any other transaction). */
  async notify(inputs: NotificationInput | NotificationInput[]): Promise<void> {
    this.push(await this.add(this.repo.manager, inputs));
  }

  /**
   * One reminder per expected attendee and observer (not those on approved leave) of every scheduled or live
   * meeting whose planned start is within the next MEETING_REMINDER_MINUTES, and of every meeting still waiting
   * to start whose planned start passed less than MEETING_REMINDER_MINUTES ago (one scheduled for now, or
   * scheduled late). Returns how many were sent.
   */
  async sendReminders(now = new Date()): Promise<number> {
    const until = new Date(now.getTime() + this.config.MEETING_REMINDER_MINUTES * 60_000);
    const due = await this.repo.dueReminders(
      now,
      until,
      new Date(now.getTime() - this.config.MEETING_REMINDER_MINUTES * 60_000),
    );
    if (due.length === 0) return 0;
    const sent = await this.add(
      this.repo.manager,
      due.map((m) => ({
        userIds: m.user_ids,
        kind: 'meeting.reminder' as const,
        meetingId: m.id,
        params: { title: m.title, start: m.start.toISOString(), unitName: m.unit_name },
        // A meeting moved to another time is reminded of again, once.
        dedupeKey: `reminder:${m.id}:${m.start.toISOString()}`,
      })),
    );
    this.push(sent);
    return sent.length;
  }

  async list(user: AuthUser, query: NotificationListQuery): Promise<NotificationList> {
    const rows = await this.repo.page(user.id, query.before ?? null, query.limit);
    return { items: rows.map(toDto), unread: await this.unread(user.id) };
  }

  async markRead(user: AuthUser, body: MarkNotificationsReadRequest): Promise<MarkNotificationsReadResult> {
    await this.repo.markRead(user.id, 'all' in body ? 'all' : body.ids);
    return { unread: await this.unread(user.id) };
  }

  private unread(userId: string): Promise<number> {
    return this.repo.unread(userId);
  }
}
