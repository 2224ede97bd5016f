import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { z } from 'zod';

const bool = z
  .enum(['true', 'false', '1', '0', 'yes', 'no'])
  .transform((v) => v === 'true' || v === '1' || v === 'yes');

/** Every setting of the server, read from the environment once at start. The README documents each. */
const EnvSchema = z.object({
  NODE_ENV: z.enum(['development', 'production', 'test']).default('development'),
  PORT: z.coerce.number().int().min(0).max(65535).default(3000),
  HOST: z.string().default('0.0.0.0'),
  /** PostgreSQL connection string; when absent an embedded PostgreSQL is started under DATA_DIR. */
  DATABASE_URL: z.url().optional(),
  /** Where the embedded database and local secrets live; the repository's `.data/` by default. */
  DATA_DIR: z.string().default(resolve(__dirname, '../../../.data')),
  EMBEDDED_PG_PORT: z.coerce.number().int().min(1024).max(65535).default(54329),
  JWT_SECRET: z.string().min(32, 'JWT_SECRET must have at least 32 characters').optional(),
  JWT_ACCESS_TTL_SECONDS: z.coerce.number().int().min(30).default(900),
  JWT_REFRESH_TTL_DAYS: z.coerce.number().int().min(1).default(30),
  LOGIN_RATE_LIMIT: z.coerce.number().int().min(1).default(10),
  LOGIN_RATE_WINDOW_SECONDS: z.coerce.number().int().min(1).default(60),
  /** Failed sign-ins from one address, over all accounts, per LOGIN_RATE_WINDOW_SECONDS (password spraying). */
  LOGIN_IP_FAILURE_LIMIT: z.coerce.number().int().min(1).default(20),
  /** Password changes per account per LOGIN_RATE_WINDOW_SECONDS. */
  PASSWORD_CHANGE_RATE_LIMIT: z.coerce.number().int().min(1).default(5),
  /** Roster imports (dry runs included) per manager per window. */
  ROSTER_IMPORT_RATE_LIMIT: z.coerce.number().int().min(1).default(30),
  ROSTER_IMPORT_RATE_WINDOW_SECONDS: z.coerce.number().int().min(1).default(600),
  /** Seed the demo organisation: `auto` seeds an empty embedded database on its first start. */
  SEED_DEMO: z.enum(['auto', 'true', 'false']).default('auto'),
  /** Directory of the built client; served at `/` when it exists. */
  CLIENT_DIST: z.string().default(resolve(__dirname, '../../../client/dist')),
  LOG_LEVEL: z.enum(['error', 'warn', 'log', 'debug', 'verbose']).default('log'),
  TRUST_PROXY: bool.default(false),
  /** Origins the browser may connect to besides this one (CSP connect-src), comma-separated: `https://x.example`. */
  CSP_CONNECT_SRC: z
    .string()
    .default('')
    .transform((v) =>
      v
        .split(',')
        .map((s) => s.trim())
        .filter(Boolean),
    )
    .pipe(z.array(z.string().regex(/^(https?|wss?):\/\/[^\s;,']+$/, 'an origin such as https://x.example'))),
  /** How long a dropped /rtc client keeps its seat in a meeting (rejoin with `resumePeerId` to take it back). */
  RTC_RECONNECT_GRACE_SECONDS: z.coerce.number().min(0).max(600).default(15),
  /**
   * How long a live meeting stays live after its last participant left (someone rejoining in that time keeps it
   * going); then it ends, at the moment the room emptied. 0 ends it at once.
   */
  MEETING_EMPTY_END_SECONDS: z.coerce.number().min(0).max(86400).default(180),
  /**
   * How long a live meeting nobody has entered yet stays live (at least until its planned end): its host may be
   * waiting on the pre-join page, its members coming at the planned time. Then it ends, at its start.
   */
  MEETING_UNENTERED_END_SECONDS: z.coerce
    .number()
    .min(0)
    .max(7 * 86400)
    .default(7200),
  /** In-app reminder this many minutes before a meeting's planned start (one per person and meeting). */
  MEETING_REMINDER_MINUTES: z.coerce.number().min(1).max(1440).default(15),
  /** How often the reminder job looks for meetings about to start. */
  MEETING_REMINDER_TICK_SECONDS: z.coerce.number().min(0.1).max(3600).default(30),
  /** How often the open presence segments' last_heartbeat_at is written (after a crash they close there). */
  PRESENCE_HEARTBEAT_SECONDS: z.coerce.number().min(0.1).max(300).default(15),
  // ── Several nodes on one Redis ──
  /** The Redis shared by the nodes (`redis://[:password@]host:6379[/db]`, `rediss://` for TLS); unset: one node. */
  REDIS_URL: z.url({ protocol: /^rediss?$/, error: 'a redis:// or rediss:// URL' }).optional(),
  /** This process's id among the nodes (unique); default: the host name and a random suffix. */
  NODE_ID: z
    .string()
    .regex(/^[A-Za-z0-9._-]{1,64}$/, 'letters, digits, . _ - (at most 64)')
    .optional(),
  /** Where browsers reach this node itself (joins for its meetings are sent there); default http://<host>:PORT. */
  NODE_URL: z.url().optional(),
  /** A node that stops refreshing its entry (every 30% of this) leaves the registry after this long. */
  CLUSTER_NODE_TTL_SECONDS: z.coerce.number().min(0.5).max(300).default(5),
  /** A meeting's owner renews its lease every 30% of this; when it stops, another node may take over after it. */
  CLUSTER_LEASE_TTL_SECONDS: z.coerce.number().min(0.5).max(300).default(5),
  /**
   * How long a request waits for the node that holds the meeting to answer it (then 503 "moving"). A node that
   * is gone is known at once; this is for one that hangs, and must allow a recording's start or stop (ffmpeg).
   */
  CLUSTER_CALL_TIMEOUT_SECONDS: z.coerce.number().min(0.5).max(300).default(30),
  /** Every Redis key of the cluster starts with this (several deployments can share one Redis). */
  CLUSTER_KEY_PREFIX: z
    .string()
    .regex(/^[A-Za-z0-9:._-]{1,64}$/, 'letters, digits, : . _ - (at most 64)')
    .default('bm:'),
  /** Default attendance rules of a branch: late after N minutes (fractions allowed), present from P%. */
  ATTENDANCE_LATE_AFTER_MINUTES: z.coerce.number().min(0).max(1440).default(5),
  ATTENDANCE_PRESENT_MIN_PERCENT: z.coerce.number().min(0).max(100).default(50),
  /** A font with Chinese glyphs embedded in PDFs (sign-in sheets): a TTF/OTF, or a TTC with PDF_CJK_FONT_NAME. */
  PDF_CJK_FONT: z.string().default('/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc'),
  /** The PostScript name of the face to use inside a TTC (ignored for a single-face font file). */
  PDF_CJK_FONT_NAME: z.string().default('NotoSansCJKsc-Regular'),
  // ── Recording, replay and make-up study ──
  /** Where recordings are kept when no S3 bucket is configured (default: DATA_DIR/recordings). */
  RECORDINGS_DIR: z.string().optional(),
  /** An S3-compatible bucket for recordings (with RECORDINGS_S3_ENDPOINT for a non-AWS server). */
  RECORDINGS_S3_BUCKET: z.string().min(1).optional(),
  RECORDINGS_S3_ENDPOINT: z.url().optional(),
  RECORDINGS_S3_REGION: z.string().default('us-east-1'),
  RECORDINGS_S3_ACCESS_KEY_ID: z.string().optional(),
  RECORDINGS_S3_SECRET_ACCESS_KEY: z.string().optional(),
  /** ffmpeg / ffprobe binaries (Debian's by default, from PATH). */
  FFMPEG_PATH: z.string().default('ffmpeg'),
  FFPROBE_PATH: z.string().default('ffprobe'),
  /** Watching this share of a meeting's recordings completes the make-up study (补学). */
  MAKE_UP_THRESHOLD_PERCENT: z.coerce.number().min(1).max(100).default(90),
  /** The most one progress report can credit (seconds): a client reports every few seconds. */
  REPLAY_REPORT_MAX_SECONDS: z.coerce.number().min(1).max(600).default(30),
  // ── Notifications beyond the tab: e-mail and group robots ──
  /** The SMTP server for e-mail notifications (`smtp://user:pass@host:587`, `smtps://…:465`); unset: no e-mail. */
  SMTP_URL: z
    .string()
    .regex(/^smtps?:\/\//, 'an smtp:// or smtps:// URL')
    .optional(),
  /** The sender of notification e-mails. */
  MAIL_FROM: z.string().default('支部云会 <no-reply@branchmeet.local>'),
  /** The address people open the app at; links in e-mails and robot messages start with it. */
  PUBLIC_URL: z.url().default('http://localhost:3000'),
  /** How often queued e-mails and robot messages are looked for (new ones are also sent at once). */
  NOTIFY_TICK_SECONDS: z.coerce.number().min(0.1).max(3600).default(10),
  /** A failed send is retried after this, doubled at each attempt, up to NOTIFY_MAX_ATTEMPTS in all. */
  NOTIFY_RETRY_BASE_SECONDS: z.coerce.number().min(0.01).max(3600).default(30),
  NOTIFY_MAX_ATTEMPTS: z.coerce.number().int().min(1).max(20).default(6),
  /** The longest one send (SMTP or webhook) may take before it counts as failed. */
  NOTIFY_SEND_TIMEOUT_SECONDS: z.coerce.number().min(1).max(120).default(15),
  // ── Audit trail ──
  /** HMAC key of the audit chain (≥ 32 characters), never stored in the database; else DATA_DIR/audit-key. */
  AUDIT_KEY: z.string().min(32, 'AUDIT_KEY must have at least 32 characters').optional(),
  /** Earlier audit keys, comma-separated, newest first: still verify the events they signed (key rotation). */
  AUDIT_OLD_KEYS: z.string().optional(),
  /** Where signed checkpoints of the chain's head are appended (default DATA_DIR/audit-checkpoints.jsonl). */
  AUDIT_CHECKPOINT_FILE: z.string().optional(),
  /** How often a checkpoint is written while new events arrive; 0 turns the periodic checkpoint off. */
  AUDIT_CHECKPOINT_SECONDS: z.coerce.number().min(0).max(86400).default(10),
  /**
   * Connection string of the role that owns the schema, used to run migrations (and the seed); the app itself
   * then connects with DATABASE_URL, a role that may not alter or delete audit events. Unset: DATABASE_URL.
   */
  MIGRATIONS_DATABASE_URL: z.url().optional(),
  /**
   * The hosts a person's group-robot URL may point at (comma-separated): the server posts to it, so any other host
   * (an internal address) is refused. Defaults to the public WeCom and DingTalk robot APIs.
   */
  NOTIFY_WEBHOOK_HOSTS: z
    .string()
    .default('qyapi.weixin.qq.com,oapi.dingtalk.com')
    .transform((s) =>
      s
        .split(',')
        .map((h) => h.trim().toLowerCase())
        .filter(Boolean),
    ),
});

export type AppConfig = Omit<z.infer<typeof EnvSchema>, 'JWT_SECRET'> & {
  JWT_SECRET: string;
  dataDir: string;
};

export class ConfigError extends Error {}

/** Parse the environment. Throws ConfigError naming each bad variable. */
export function loadConfig(env: NodeJS.ProcessEnv = process.env): AppConfig {
  const parsed = EnvSchema.safeParse(env);
  if (!parsed.success) {
    const lines = parsed.error.issues.map((i) => `  ${i.path.join('.')}: ${i.message}`);
    throw new ConfigError(`Invalid configuration:\n${lines.join('\n')}`);
  }
  const cfg = parsed.data;
  const dataDir = resolve(cfg.DATA_DIR);
  let secret = cfg.JWT_SECRET;
  if (!secret) {
    if (cfg.NODE_ENV === 'production')
      throw new ConfigError('Invalid configuration:\n  JWT_SECRET: required in production');
    secret = localSecret(dataDir);
  }
  return { ...cfg, JWT_SECRET: secret, dataDir };
}

/** A development secret kept under DATA_DIR so sessions survive restarts. */
function localSecret(dataDir: string): string {
  const file = join(dataDir, 'jwt-secret');
  if (existsSync(file)) return readFileSync(file, 'utf8').trim();
  mkdirSync(dataDir, { recursive: true });
  const secret = randomBytes(48).toString('base64url');
  writeFileSync(file, secret, { mode: 0o600 });
  return secret;
}

export const APP_CONFIG = Symbol('APP_CONFIG');
