import { createReadStream } from 'node:fs';
import { copyFile, mkdir, rename, rm, stat } from 'node:fs/promises';
import { dirname, join, resolve, sep } from 'node:path';
import type { Readable } from 'node:stream';
import { DeleteObjectCommand, GetObjectCommand, PutObjectCommand, S3Client } from '@aws-sdk/client-s3';

/** The RecordingStorage of the app (recordingStorageFor). */
export const RECORDING_STORAGE = Symbol('RECORDING_STORAGE');

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

export interface S3Settings {
  bucket: string;
  endpoint?: string;
  region: string;
  accessKeyId?: string;
  secretAccessKey?: string;
  /** Local directory for the files being recorded (uploaded when they are finished). */
  workDir: string;
}

/**
 * An S3-compatible bucket (AWS, MinIO, Ceph…): finished files are uploaded, read back with the HTTP Range passed
 * through to GetObject. With an endpoint, path-style addressing (what MinIO and friends expect).
 */
export class S3RecordingStorage implements RecordingStorage {
  readonly kind = 's3' as const;
  readonly workDir: string;
  private readonly client: S3Client;

  constructor(private readonly settings: S3Settings) {
    this.workDir = settings.workDir;
    this.client = new S3Client({
      region: settings.region,
      endpoint: settings.endpoint,
      forcePathStyle: !!settings.endpoint,
      // Checksums only where S3 requires them: many S3-compatible servers store aws-chunked framing verbatim.
      requestChecksumCalculation: 'WHEN_REQUIRED',
      responseChecksumValidation: 'WHEN_REQUIRED',
      credentials:
        settings.accessKeyId && settings.secretAccessKey
          ? { accessKeyId: settings.accessKeyId, secretAccessKey: settings.secretAccessKey }
          : undefined,
    });
  }

  async put(localFile: string, key: string, mimeType: string): Promise<void> {
    const { size } = await stat(localFile);
    await this.client.send(
      new PutObjectCommand({
        Bucket: this.settings.bucket,
        Key: key,
        Body: createReadStream(localFile),
        ContentLength: size,
        ContentType: mimeType,
      }),
    );
    await rm(localFile, { force: true });
  }

  async read(key: string, range?: ByteRange): Promise<Readable> {
    const out = await this.client.send(
      new GetObjectCommand({
        Bucket: this.settings.bucket,
        Key: key,
        Range: range ? `bytes=${range.start}-${range.end}` : undefined,
      }),
    );
    if (!out.Body) throw new Error(`S3 object ${key} has no body`);
    return out.Body as Readable;
  }

  async remove(key: string): Promise<void> {
    await this.client.send(new DeleteObjectCommand({ Bucket: this.settings.bucket, Key: key }));
  }

  close(): void {
    this.client.destroy();
  }
}
