import { accessSync, constants, existsSync, readFileSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { dirname, join } from 'node:path';
import { z } from 'zod';

/** Where the root `postinstall` (scripts/mediasoup-worker/postinstall.sh) writes the worker's absolute path. */
export const WORKER_PATH_FILE = join('node_modules', '.cache', 'branchmeet', 'mediasoup-worker-path');

const commaList = z
  .string()
  .default('')
  .transform((s) =>
    s
      .split(',')
      .map((x) => x.trim())
      .filter(Boolean),
  );

/** The media settings, read from the environment when the media module starts. The README documents each. */
const MediaEnvSchema = z
  .object({
    NODE_ENV: z.enum(['development', 'production', 'test']).default('development'),
    /** Absolute path of the mediasoup-worker binary; otherwise the path file the install wrote. */
    MEDIASOUP_WORKER_BIN: z.string().min(1).optional(),
    /** mediasoup workers (processes); one per core by default. */
    MEDIA_WORKERS: z.coerce.number().int().min(1).max(64).default(availableParallelism()),
    /** Worker i listens on MEDIA_RTC_PORT_BASE + i, UDP and TCP (one WebRtcServer per worker). */
    MEDIA_RTC_PORT_BASE: z.coerce.number().int().min(1024).max(65535).default(40000),
    MEDIA_LISTEN_IP: z.union([z.ipv4(), z.ipv6()]).default('0.0.0.0'),
    /** The address clients reach (public IP or host name behind NAT); 127.0.0.1 outside production. */
    MEDIA_ANNOUNCED_ADDRESS: z.string().min(1).optional(),
    MEDIA_LOG_LEVEL: z.enum(['debug', 'warn', 'error', 'none']).default('warn'),
    /** Comma-separated `turn:`/`turns:`/`stun:` URLs handed to clients. */
    TURN_URLS: commaList.pipe(
      z.array(z.string().regex(/^(turns?|stuns?):/, 'must start with turn:, turns: or stun:')),
    ),
    /** coturn's `static-auth-secret` (`use-auth-secret`): clients get time-limited credentials. */
    TURN_SECRET: z.string().min(16).optional(),
    TURN_TTL_SECONDS: z.coerce
      .number()
      .int()
      .min(60)
      .default(12 * 3600),
    /** Lecture mode: consumers one router carries before new listeners go to a router on another worker. */
    LECTURE_CONSUMERS_PER_WORKER: z.coerce.number().int().min(1).max(100_000).default(500),
  })
  .superRefine((env, ctx) => {
    if (env.MEDIA_RTC_PORT_BASE + env.MEDIA_WORKERS - 1 > 65535)
      ctx.addIssue({
        code: 'custom',
        path: ['MEDIA_RTC_PORT_BASE'],
        message: 'base + MEDIA_WORKERS exceeds 65535',
      });
    if (env.TURN_URLS.some((u) => u.startsWith('turn')) && !env.TURN_SECRET)
      ctx.addIssue({
        code: 'custom',
        path: ['TURN_SECRET'],
        message: 'required when TURN_URLS has a turn: URL',
      });
    if (env.NODE_ENV === 'production' && !env.MEDIA_ANNOUNCED_ADDRESS)
      ctx.addIssue({
        code: 'custom',
        path: ['MEDIA_ANNOUNCED_ADDRESS'],
        message: 'required in production: the address browsers send media to',
      });
  });

export interface MediaConfig {
  workerBin: string;
  workers: number;
  rtcPortBase: number;
  listenIp: string;
  announcedAddress: string;
  logLevel: 'debug' | 'warn' | 'error' | 'none';
  turn: { urls: string[]; secret?: string; ttlSeconds: number };
  /** Lecture mode: consumers per router (worker) before the lecture's producers are piped to another worker. */
  lectureConsumersPerWorker: number;
}

export class MediaConfigError extends Error {}

/** Parse the media environment. Throws MediaConfigError naming each bad variable, or a missing worker. */
export function loadMediaConfig(env: NodeJS.ProcessEnv = process.env, from: string = __dirname): MediaConfig {
  // An empty variable (`TURN_SECRET=` in a compose file) means unset.
  const set = Object.fromEntries(Object.entries(env).filter(([, v]) => v !== undefined && v !== ''));
  const parsed = MediaEnvSchema.safeParse(set);
  if (!parsed.success) {
    const lines = parsed.error.issues.map((i) => `  ${i.path.join('.')}: ${i.message}`);
    throw new MediaConfigError(`Invalid media configuration:\n${lines.join('\n')}`);
  }
  const e = parsed.data;
  return {
    workerBin: resolveWorkerBin(e.MEDIASOUP_WORKER_BIN, from),
    workers: e.MEDIA_WORKERS,
    rtcPortBase: e.MEDIA_RTC_PORT_BASE,
    listenIp: e.MEDIA_LISTEN_IP,
    announcedAddress: e.MEDIA_ANNOUNCED_ADDRESS ?? '127.0.0.1',
    logLevel: e.MEDIA_LOG_LEVEL,
    turn: { urls: e.TURN_URLS, secret: e.TURN_SECRET, ttlSeconds: e.TURN_TTL_SECONDS },
    lectureConsumersPerWorker: e.LECTURE_CONSUMERS_PER_WORKER,
  };
}

/**
 * The worker binary: MEDIASOUP_WORKER_BIN when set, else the path the install's postinstall wrote to
 * `node_modules/.cache/branchmeet/mediasoup-worker-path` (searched upwards from `from`). It must be executable.
 */
export function resolveWorkerBin(explicit: string | undefined, from: string): string {
  let bin = explicit;
  let source = 'MEDIASOUP_WORKER_BIN';
  if (!bin) {
    const file = findUp(WORKER_PATH_FILE, from);
    if (!file)
      throw new MediaConfigError(
        'No mediasoup worker: set MEDIASOUP_WORKER_BIN, or run `npm install` at the repository root ' +
          '(its postinstall runs scripts/mediasoup-worker/ensure-worker.sh and records the path).',
      );
    bin = readFileSync(file, 'utf8').trim();
    source = file;
  }
  try {
    accessSync(bin, constants.X_OK);
  } catch {
    throw new MediaConfigError(
      `mediasoup worker ${bin} (from ${source}) is not an executable file; ` +
        'run `bash scripts/mediasoup-worker/ensure-worker.sh` or `npm install` again.',
    );
  }
  return bin;
}

function findUp(relative: string, from: string): string | undefined {
  for (let dir = from; ; dir = dirname(dir)) {
    const candidate = join(dir, relative);
    if (existsSync(candidate)) return candidate;
    if (dirname(dir) === dir) return undefined;
  }
}
