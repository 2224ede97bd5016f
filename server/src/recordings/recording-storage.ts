import { createReadStream } from 'node:fs';
import { copyFile, mkdir, rename, rm, stat } from 'node:fs/promises';
import { dirname, join, resolve, sep } from 'node:path';
import type { Readable } from 'node:stream';

/** A byte range of a stored file, both ends inclusive (HTTP Range semantics). */
export interface ByteRange {
  start: number;
  end: number;
}

/**
 * Where recording files live: a local directory (default) or an S3-compatible bucket. Keys are relative
 * paths such as `<meetingId>/<recordingId>.webm`.
 */
export interface RecordingStorage {
  readonly kind: 'local' | 's3';
  /** Moves a finished local file into the storage under `key`. */
  put(localFile: string, key: string, mimeType: string): Promise<void>;
  /** The stored bytes (all, or `range`). */
  read(key: string, range?: ByteRange): Promise<Readable>;
  remove(key: string): Promise<void>;
  /** Where files are written while ffmpeg records them (a local directory). */
  readonly workDir: string;
}

export class LocalRecordingStorage implements RecordingStorage {
  readonly kind = 'local' as const;
  readonly workDir: string;

  constructor(private readonly root: string) {
    this.root = resolve(root);
    this.workDir = join(this.root, '.work');
  }

  private path(key: string): string {
    const p = resolve(this.root, key);
    if (!p.startsWith(this.root + sep))
      throw new Error(`recording key ${key} leaves the recordings directory`);
    return p;
  }

  async put(localFile: string, key: string): Promise<void> {
    const target = this.path(key);
    await mkdir(dirname(target), { recursive: true });
    try {
      await rename(localFile, target);
    } catch {
      await copyFile(localFile, target); // another file system
      await rm(localFile, { force: true });
    }
  }

  async read(key: string, range?: ByteRange): Promise<Readable> {
    const p = this.path(key);
    await stat(p);
    return createReadStream(p, range ? { start: range.start, end: range.end } : {});
  }

  async remove(key: string): Promise<void> {
    await rm(this.path(key), { force: true });
  }
}
