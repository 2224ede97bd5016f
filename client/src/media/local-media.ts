import { Emitter } from './emitter';

/** What a local track is for; the same names as a producer's `source`. */
export type LocalSource = 'mic' | 'camera' | 'screen';

export interface MediaDeviceOption {
  deviceId: string;
  label: string;
}

export interface LocalDevices {
  mics: MediaDeviceOption[];
  cameras: MediaDeviceOption[];
}

export type LocalMediaError = 'denied' | 'not_found' | 'unavailable';

type LocalMediaEvents = {
  /** Tracks, devices or selections changed. */
  change: [];
};

export const CAMERA_CONSTRAINTS: MediaTrackConstraints = {
  width: { ideal: 1280 },
  height: { ideal: 720 },
  frameRate: { ideal: 30, max: 30 },
};

function mediaError(err: unknown): LocalMediaError {
  const name = err instanceof DOMException || err instanceof Error ? err.name : '';
  if (name === 'NotAllowedError' || name === 'SecurityError') return 'denied';
  if (name === 'NotFoundError' || name === 'OverconstrainedError') return 'not_found';
  return 'unavailable';
}

/**
 * The person's own camera, microphone and screen: the only owner of local MediaStreamTracks. The pre-join page
 * previews through it and the room publishes its tracks; React state only ever sees flags and device ids.
 */
export class LocalMedia extends Emitter<LocalMediaEvents> {
  private readonly tracks = new Map<LocalSource, MediaStreamTrack>();
  private devices: LocalDevices = { mics: [], cameras: [] };
  private selected: { mic: string | null; camera: string | null } = { mic: null, camera: null };
  private readonly errors = new Map<'mic' | 'camera', LocalMediaError>();
  private audioContext: AudioContext | null = null;
  private analyser: AnalyserNode | null = null;
  private analyserSource: MediaStreamAudioSourceNode | null = null;
  private analyserBuffer: Float32Array<ArrayBuffer> | null = null;
  private disposed = false;
  private readonly onDeviceChange = () => void this.refreshDevices();

  constructor(private readonly mediaDevices: MediaDevices | undefined = globalThis.navigator?.mediaDevices) {
    super();
    this.mediaDevices?.addEventListener?.('devicechange', this.onDeviceChange);
  }

  track(source: LocalSource): MediaStreamTrack | null {
    const track = this.tracks.get(source);
    return track && track.readyState === 'live' ? track : null;
  }

  has(source: LocalSource): boolean {
    return this.track(source) !== null;
  }

  listDevices(): LocalDevices {
    return this.devices;
  }

  selectedDevice(kind: 'mic' | 'camera'): string | null {
    return this.selected[kind] ?? this.tracks.get(kind)?.getSettings().deviceId ?? null;
  }

  error(kind: 'mic' | 'camera'): LocalMediaError | null {
    return this.errors.get(kind) ?? null;
  }

  async refreshDevices(): Promise<LocalDevices> {
    if (!this.mediaDevices?.enumerateDevices) return this.devices;
    const all = await this.mediaDevices.enumerateDevices();
    const pick = (kind: MediaDeviceKind, fallback: string): MediaDeviceOption[] =>
      all
        .filter((d) => d.kind === kind && d.deviceId)
        .map((d, i) => ({ deviceId: d.deviceId, label: d.label || `${fallback} ${i + 1}` }));
    this.devices = { mics: pick('audioinput', 'Microphone'), cameras: pick('videoinput', 'Camera') };
    this.emit('change');
    return this.devices;
  }

  /** Opens (or switches) the camera. Resolves false when it cannot be opened; `error('camera')` says why. */
  async startCamera(deviceId: string | null = this.selected.camera): Promise<boolean> {
    return this.open('camera', {
      video: { ...CAMERA_CONSTRAINTS, ...(deviceId ? { deviceId: { exact: deviceId } } : {}) },
    });
  }

  async startMic(deviceId: string | null = this.selected.mic): Promise<boolean> {
    return this.open('mic', {
      audio: {
        echoCancellation: true,
        noiseSuppression: true,
        autoGainControl: true,
        ...(deviceId ? { deviceId: { exact: deviceId } } : {}),
      },
    });
  }

  /** Asks the browser for a screen (or window) to share. */
  async startScreen(): Promise<boolean> {
    if (!this.mediaDevices?.getDisplayMedia) return false;
    try {
      const stream = await this.mediaDevices.getDisplayMedia({
        video: { frameRate: { max: 15 } },
        audio: false,
      });
      const track = stream.getVideoTracks()[0];
      if (!track) return false;
      this.replace('screen', track);
      track.addEventListener('ended', () => {
        if (this.tracks.get('screen') === track) this.stop('screen');
      });
      return true;
    } catch {
      return false;
    }
  }

  stop(source: LocalSource): void {
    const track = this.tracks.get(source);
    if (!track) return;
    this.tracks.delete(source);
    track.stop();
    if (source === 'mic') this.closeAnalyser();
    this.emit('change');
  }

  /** Chooses a device; when that kind is open it is reopened on the new device. */
  async selectDevice(kind: 'mic' | 'camera', deviceId: string): Promise<boolean> {
    this.selected[kind] = deviceId;
    const open = this.has(kind);
    this.emit('change');
    if (!open) return true;
    return kind === 'camera' ? this.startCamera(deviceId) : this.startMic(deviceId);
  }

  /** The microphone's current level, 0…1 (RMS of the waveform), from a WebAudio AnalyserNode. */
  micLevel(): number {
    const track = this.track('mic');
    if (!track) return 0;
    const AudioCtx = globalThis.AudioContext;
    if (!AudioCtx) return 0;
    if (
      !this.analyser ||
      !this.analyserSource ||
      this.analyserSource.mediaStream.getAudioTracks()[0] !== track
    ) {
      this.closeAnalyser();
      this.audioContext ??= new AudioCtx();
      this.analyser = this.audioContext.createAnalyser();
      this.analyser.fftSize = 512;
      this.analyserSource = this.audioContext.createMediaStreamSource(new MediaStream([track]));
      this.analyserSource.connect(this.analyser);
      this.analyserBuffer = new Float32Array(this.analyser.fftSize);
    }
    if (this.audioContext?.state === 'suspended') void this.audioContext.resume().catch(() => undefined);
    const buffer = this.analyserBuffer ?? new Float32Array(this.analyser.fftSize);
    this.analyser.getFloatTimeDomainData(buffer);
    let sum = 0;
    for (const v of buffer) sum += v * v;
    const rms = Math.sqrt(sum / buffer.length);
    return Math.min(1, rms * 4);
  }

  dispose(): void {
    if (this.disposed) return;
    this.disposed = true;
    for (const source of [...this.tracks.keys()]) this.stop(source);
    this.closeAnalyser();
    void this.audioContext?.close().catch(() => undefined);
    this.audioContext = null;
    this.mediaDevices?.removeEventListener?.('devicechange', this.onDeviceChange);
    this.removeAllListeners();
  }

  private async open(kind: 'mic' | 'camera', constraints: MediaStreamConstraints): Promise<boolean> {
    if (!this.mediaDevices?.getUserMedia) {
      this.errors.set(kind, 'unavailable');
      this.emit('change');
      return false;
    }
    try {
      const stream = await this.mediaDevices.getUserMedia(constraints);
      const track = kind === 'camera' ? stream.getVideoTracks()[0] : stream.getAudioTracks()[0];
      if (!track) throw new DOMException('no track', 'NotFoundError');
      if (this.disposed) {
        track.stop();
        return false;
      }
      this.errors.delete(kind);
      this.replace(kind, track);
      // Labels are only readable once permission was given: list the devices again.
      if (this.devices.mics.length + this.devices.cameras.length === 0 || !this.devices.cameras[0]?.label) {
        void this.refreshDevices().catch(() => undefined);
      }
      return true;
    } catch (err) {
      this.errors.set(kind, mediaError(err));
      this.emit('change');
      return false;
    }
  }

  private replace(source: LocalSource, track: MediaStreamTrack): void {
    const previous = this.tracks.get(source);
    this.tracks.set(source, track);
    if (previous && previous !== track) previous.stop();
    if (source === 'mic') this.closeAnalyser();
    this.emit('change');
  }

  private closeAnalyser(): void {
    this.analyserSource?.disconnect();
    this.analyserSource = null;
    this.analyser = null;
    this.analyserBuffer = null;
  }
}
