import { ErrorCodes, rtcRequests, withSafeText, type RtcRequestName } from '@branchmeet/shared';
import type { ZodType } from 'zod';
import { DomainError } from '../common/domain-error';

type RtcEventName = RtcRequestName;

/** Each request's payload schema (the wire contract) behind the shared text rule (NUL / lone surrogates → a validation error). */
const safeSchemas = new Map<RtcEventName, ZodType>();
export function safeSchema(event: RtcEventName): ZodType {
  let s = safeSchemas.get(event);
  if (!s) safeSchemas.set(event, (s = withSafeText(rtcRequests[event].request)));
  return s;
}

/**
 * How many requests of a class one socket may send: `burst` at once, then `perSecond`. Sized for people: a fast
 * typist's chat, a client joining a room with many tiles (consumer.resume/tile per tile), live minutes typing.
 */
export const RTC_LIMITS = {
  /** Messages others see (chat, questions, hands). */
  say: { burst: 10, perSecond: 1 },
  /** Reading or leaving a document: opening twice in a second is already unusual. */
  minutesOpen: { burst: 5, perSecond: 1 },
  /** Live typing in the minutes (batched Yjs updates). */
  minutesEdit: { burst: 120, perSecond: 30 },
  /** Media signalling: many at join time, few afterwards. */
  media: { burst: 200, perSecond: 40 },
  /** Host actions, votes, lobby: a person clicking. */
  act: { burst: 20, perSecond: 4 },
} as const;
export type RtcLimitClass = keyof typeof RTC_LIMITS;

const classOf: Record<RtcEventName, RtcLimitClass> = {
  'room.join': 'act',
  'room.ready': 'act',
  'room.leave': 'act',
  'media.capabilities': 'media',
  'transport.connect': 'media',
  'transport.restartIce': 'media',
  'media.produce': 'media',
  'media.pause': 'media',
  'media.resume': 'media',
  'media.close': 'media',
  'consumer.resume': 'media',
  'consumer.tile': 'media',
  'media.downlinkReport': 'media',
  'consumer.renew': 'media',
  'chat.send': 'say',
  'hand.raise': 'say',
  'hand.lower': 'say',
  'host.mute': 'act',
  'host.stopVideo': 'act',
  'host.remove': 'act',
  'host.lock': 'act',
  'host.end': 'act',
  'host.transfer': 'act',
  'host.lowerHand': 'act',
  'lobby.admit': 'act',
  'lobby.deny': 'act',
  'lecture.giveFloor': 'act',
  'lecture.takeFloor': 'act',
  'lecture.addPresenter': 'act',
  'lecture.removePresenter': 'act',
  'lecture.listeners': 'act',
  'qa.ask': 'say',
  'qa.upvote': 'act',
  'qa.answer': 'act',
  'qa.list': 'act',
  'minutes.open': 'minutesOpen',
  'minutes.update': 'minutesEdit',
  'minutes.close': 'minutesOpen',
  'vote.open': 'act',
  'vote.cast': 'act',
  'vote.close': 'act',
};

export function limitClassOf(event: string): RtcLimitClass {
  return classOf[event as RtcEventName] ?? 'act';
}

interface Bucket {
  tokens: number;
  at: number;
  /** Requests refused in a row: a client that keeps sending while refused is a flood, not a person. */
  refused: number;
}

/**
 * After this many refusals in a row the socket is disconnected: answering each message of a flood with an error
 * still costs the server (and everyone else's requests) as much as parsing it, so the connection goes.
 */
export const RTC_FLOOD_DISCONNECT = 50;

/** Thrown for a request refused by the limit; `drop` when the socket is to be disconnected after the ack. */
export class RateLimited extends DomainError {
  constructor(
    seconds: number,
    readonly drop: boolean,
  ) {
    super(ErrorCodes.rateLimited, 429, 'rtc.rateLimited', { seconds });
  }
}

/**
 * A person's budget per class across all their sockets: twice one socket's (a room and a minutes page may be
 * open at once), however many sockets they open — four sockets do not get four budgets.
 */
export const RTC_USER_SHARE = 2;

/** Token buckets per socket and class; they go with the socket (weakly held). */
const buckets = new WeakMap<object, Map<RtcLimitClass, Bucket>>();
/** Token buckets per person and class; a bucket untouched for a while is full again and is forgotten. */
const userBuckets = new Map<string, Map<RtcLimitClass, Bucket>>();
const USER_BUCKET_IDLE_MS = 120_000;

function refilled(
  mine: Map<RtcLimitClass, Bucket>,
  cls: RtcLimitClass,
  burst: number,
  perSecond: number,
  now: number,
): Bucket {
  const b = mine.get(cls) ?? { tokens: burst, at: now, refused: 0 };
  b.tokens = Math.min(burst, b.tokens + ((now - b.at) / 1000) * perSecond);
  b.at = now;
  mine.set(cls, b);
  return b;
}

function bucketsOfUser(userId: string, now: number): Map<RtcLimitClass, Bucket> {
  let mine = userBuckets.get(userId);
  if (mine) return mine;
  if (userBuckets.size > 5_000)
    for (const [id, m] of userBuckets)
      if ([...m.values()].every((b) => now - b.at > USER_BUCKET_IDLE_MS)) userBuckets.delete(id);
  userBuckets.set(userId, (mine = new Map()));
  return mine;
}

/**
 * Takes one token of the event's class for this socket and, with `userId`, for its person; or throws
 * `rate_limited` (the request is not run, and neither bucket is charged).
 */
export function takeToken(socket: object, event: string, userId?: string, now = Date.now()): void {
  const cls = limitClassOf(event);
  const limit = RTC_LIMITS[cls];
  let mine = buckets.get(socket);
  if (!mine) buckets.set(socket, (mine = new Map()));
  const b = refilled(mine, cls, limit.burst, limit.perSecond, now);
  const share = RTC_USER_SHARE;
  const u = userId
    ? refilled(bucketsOfUser(userId, now), cls, limit.burst * share, limit.perSecond * share, now)
    : null;
  if (b.tokens < 1 || (u && u.tokens < 1)) {
    const wait = (x: Bucket, perSecond: number) => (x.tokens < 1 ? (1 - x.tokens) / perSecond : 0);
    const seconds = Math.max(
      1,
      Math.ceil(Math.max(wait(b, limit.perSecond), u ? wait(u, limit.perSecond * share) : 0)),
    );
    b.refused++;
    throw new RateLimited(seconds, b.refused >= RTC_FLOOD_DISCONNECT);
  }
  b.refused = 0;
  b.tokens -= 1;
  if (u) u.tokens -= 1;
}
