import { Inject, Injectable, Logger, OnModuleInit } from '@nestjs/common';
import { spawn } from 'node:child_process';
import { APP_CONFIG, AppConfig } from '../config/config';

export interface MediaToolsStatus {
  /** Both ffmpeg (the recorder) and ffprobe (recording durations) run. */
  available: boolean;
  /** What is missing or broken, for logs, /api/health and the room (null when available). */
  reason: string | null;
}

/** Runs `<bin> -version` once; resolves to its first line, or rejects with why it could not run. */
export function toolVersion(bin: string, timeoutMs = 10_000): Promise<string> {
  return new Promise((resolve, reject) => {
    let out = '';
    let settled = false;
    const done = (fn: () => void) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      fn();
    };
    const child = spawn(bin, ['-version'], { stdio: ['ignore', 'pipe', 'ignore'] });
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      done(() => reject(new Error(`${bin} -version did not answer in ${timeoutMs} ms`)));
    }, timeoutMs);
    child.stdout.on('data', (d: Buffer) => (out += d.toString()));
    child.once('error', (e: NodeJS.ErrnoException) =>
      done(() =>
        reject(new Error(e.code === 'ENOENT' ? `${bin} not found` : `${bin} cannot run: ${e.message}`)),
      ),
    );
    child.once('exit', (code) =>
      done(() =>
        code === 0
          ? resolve(out.split('\n')[0]?.trim() ?? '')
          : reject(new Error(`${bin} -version exited ${code}`)),
      ),
    );
  });
}

/** Checks ffmpeg and ffprobe (FFMPEG_PATH / FFPROBE_PATH) once; the status of both together. */
export async function checkMediaTools(ffmpeg: string, ffprobe: string): Promise<MediaToolsStatus> {
  const results = await Promise.allSettled([toolVersion(ffmpeg), toolVersion(ffprobe)]);
  const problems = results.flatMap((r) =>
    r.status === 'rejected' ? [String((r.reason as Error).message)] : [],
  );
  return problems.length === 0
    ? { available: true, reason: null }
    : { available: false, reason: problems.join('; ') };
}

/**
 * Whether this server can record: ffmpeg and ffprobe are checked once when the app starts (not per request).
 * When they are missing the server still starts, logs it once, reports it in /api/health, and refuses to start
 * a recording with a domain error (`recording.unavailable`, 503) instead of failing inside ffmpeg's spawn.
 */
@Injectable()
export class MediaToolsService implements OnModuleInit {
  private readonly log = new Logger('MediaTools');
  private current: MediaToolsStatus = { available: false, reason: 'not checked yet' };
  private checking?: Promise<MediaToolsStatus>;

  constructor(@Inject(APP_CONFIG) private readonly config: AppConfig) {}

  async onModuleInit(): Promise<void> {
    await this.check();
  }

  /** The status found at start. */
  status(): MediaToolsStatus {
    return this.current;
  }

  private check(): Promise<MediaToolsStatus> {
    this.checking ??= checkMediaTools(this.config.FFMPEG_PATH, this.config.FFPROBE_PATH).then((s) => {
      this.current = s;
      if (s.available) this.log.log('ffmpeg and ffprobe found: recording is available');
      else
        this.log.warn(
          `recording is unavailable: ${s.reason}. Install ffmpeg (Debian: apt-get install ffmpeg) or set FFMPEG_PATH/FFPROBE_PATH.`,
        );
      return s;
    });
    return this.checking;
  }
}
