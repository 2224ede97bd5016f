import { render, screen, waitFor } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { LocalMedia, MediaSessionProvider } from '../../media';
import { AppProviders } from '../../providers';
import { resetLanguage } from '../../test/render';
import { PrejoinPage } from './prejoin-page';

class FakeTrack extends EventTarget {
  readyState: MediaStreamTrackState = 'live';
  enabled = true;
  constructor(
    readonly kind: 'audio' | 'video',
    private readonly deviceId: string,
  ) {
    super();
  }
  getSettings() {
    return { deviceId: this.deviceId };
  }
  stop() {
    this.readyState = 'ended';
  }
}

class FakeStream {
  constructor(private readonly tracks: FakeTrack[]) {}
  getTracks() {
    return this.tracks;
  }
  getVideoTracks() {
    return this.tracks.filter((t) => t.kind === 'video');
  }
  getAudioTracks() {
    return this.tracks.filter((t) => t.kind === 'audio');
  }
}

const devices = [
  { kind: 'videoinput', deviceId: 'cam-1', label: '内置摄像头', groupId: 'g1' },
  { kind: 'videoinput', deviceId: 'cam-2', label: 'USB 摄像头', groupId: 'g2' },
  { kind: 'audioinput', deviceId: 'mic-1', label: '内置麦克风', groupId: 'g1' },
  { kind: 'audiooutput', deviceId: 'spk-1', label: '扬声器', groupId: 'g1' },
];

function fakeMediaDevices() {
  const getUserMedia = vi.fn(async (c: MediaStreamConstraints) => {
    const video = c.video as MediaTrackConstraints | undefined;
    const wanted = (video?.deviceId as { exact?: string } | undefined)?.exact;
    return new FakeStream([
      c.video ? new FakeTrack('video', wanted ?? 'cam-1') : new FakeTrack('audio', 'mic-1'),
    ]);
  });
  const mediaDevices = {
    getUserMedia,
    enumerateDevices: vi.fn(async () => devices),
    addEventListener: vi.fn(),
    removeEventListener: vi.fn(),
  };
  return mediaDevices as unknown as MediaDevices & { getUserMedia: typeof getUserMedia };
}

describe('pre-join page', () => {
  let local: LocalMedia;
  beforeEach(async () => {
    await resetLanguage();
    vi.stubGlobal('MediaStream', FakeStream);
    vi.spyOn(HTMLMediaElement.prototype, 'play').mockResolvedValue(undefined); // jsdom has no media playback
  });
  afterEach(() => local?.dispose());

  it('previews the camera, lists cameras and microphones, switches the camera and joins with the choice', async () => {
    const mediaDevices = fakeMediaDevices();
    local = new LocalMedia(mediaDevices);
    const onJoin = vi.fn();
    render(
      <AppProviders>
        <MediaSessionProvider value={{ local, room: null }}>
          <PrejoinPage title="支部党员大会" userName="李党员" local={local} onJoin={onJoin} />
        </MediaSessionProvider>
      </AppProviders>,
    );

    expect(await screen.findByTestId('prejoin-preview')).toBeInTheDocument();
    await waitFor(() => expect(screen.getByTestId('prejoin-camera')).toHaveTextContent('内置摄像头'));
    expect(screen.getByTestId('prejoin-mic')).toHaveTextContent('内置麦克风');
    expect(screen.getByTestId('mic-level')).toHaveAttribute('role', 'meter');

    await userEvent.click(screen.getByRole('combobox', { name: '摄像头' }));
    const usb = await screen.findByTitle('USB 摄像头');
    expect(screen.queryByTitle('扬声器')).toBeNull(); // outputs are not inputs
    await userEvent.click(usb);
    await waitFor(() =>
      expect(mediaDevices.getUserMedia).toHaveBeenLastCalledWith({
        video: expect.objectContaining({ deviceId: { exact: 'cam-2' } }),
      }),
    );

    await userEvent.click(screen.getByTestId('prejoin-mic-toggle'));
    await userEvent.click(screen.getByTestId('prejoin-join'));
    expect(onJoin).toHaveBeenCalledWith({ mic: false, camera: true });
  });

  it('says so when the browser refuses the camera and microphone', async () => {
    const mediaDevices = fakeMediaDevices();
    mediaDevices.getUserMedia.mockRejectedValue(new DOMException('denied', 'NotAllowedError'));
    local = new LocalMedia(mediaDevices);
    render(
      <AppProviders>
        <MediaSessionProvider value={{ local, room: null }}>
          <PrejoinPage title="支部党员大会" userName="李党员" local={local} onJoin={vi.fn()} />
        </MediaSessionProvider>
      </AppProviders>,
    );
    expect(await screen.findByRole('alert')).toHaveTextContent('浏览器未允许使用摄像头或麦克风');
    expect(screen.queryByTestId('prejoin-preview')).toBeNull();
  });

  it('a lecture listener: neither camera nor microphone is opened, and joins with none', async () => {
    const mediaDevices = fakeMediaDevices();
    local = new LocalMedia(mediaDevices);
    const onJoin = vi.fn();
    render(
      <AppProviders>
        <MediaSessionProvider value={{ local, room: null }}>
          <PrejoinPage title="党课：微课堂" userName="李听众" local={local} onJoin={onJoin} listener />
        </MediaSessionProvider>
      </AppProviders>,
    );
    expect(await screen.findByTestId('prejoin-listener')).toHaveTextContent('不开启摄像头和麦克风');
    await waitFor(() => expect(mediaDevices.enumerateDevices).toHaveBeenCalled());
    expect(mediaDevices.getUserMedia).not.toHaveBeenCalled();
    expect(screen.queryByTestId('prejoin-preview')).toBeNull();
    await userEvent.click(screen.getByTestId('prejoin-join'));
    expect(onJoin).toHaveBeenCalledWith({ mic: false, camera: false });
  });
});
