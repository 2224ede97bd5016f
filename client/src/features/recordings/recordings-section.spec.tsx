import type { MakeUpProgress, RecordingList } from '@branchmeet/shared';
import { fireEvent, render, screen, waitFor } from '@testing-library/react';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { AppProviders } from '../../providers';
import { mockApi } from '../../test/mock-api';
import { resetLanguage } from '../../test/render';
import { initialRoomState, roomReducer } from '../meeting/room-store';
import { RecordingIndicator } from './recording-indicator';
import { formatDuration, formatSize, RecordingsSection, RECORDINGS_POLL_MS } from './recordings-section';

const meetingId = '99999999-9999-4999-8999-999999999999';
const recId = '88888888-8888-4888-8888-888888888888';
const progress = (over: Partial<MakeUpProgress> = {}): MakeUpProgress => ({
  watchedSeconds: 0,
  totalSeconds: 120,
  percent: 0,
  thresholdPercent: 90,
  eligible: true,
  completedAt: null,
  ...over,
});
const list = (over: Partial<RecordingList> = {}): RecordingList => ({
  items: [
    {
      id: recId,
      meetingId,
      startedAt: '2026-12-01T06:00:00.000Z',
      endedAt: '2026-12-01T06:02:00.000Z',
      durationSeconds: 118.1,
      sizeBytes: 6_492_287,
      mimeType: 'video/webm',
      createdAt: '2026-12-01T06:02:01.000Z',
      url: `/api/recordings/${recId}/file?t=abc`,
    },
  ],
  state: { meetingId, recording: false, startedAt: null, available: true, unavailableReason: null },
  canControl: false,
  canDelete: false,
  progress: progress(),
  ...over,
});

describe('recordings on the meeting page', () => {
  beforeEach(resetLanguage);
  afterEach(() => vi.unstubAllGlobals());

  it('lists a recording with duration and size; the player reports progress and shows the make-up', async () => {
    const { requests } = mockApi({
      [`GET /meetings/${meetingId}/recordings`]: () => ({ body: list() }),
      [`POST /recordings/${recId}/progress`]: () => ({
        body: progress({ watchedSeconds: 110, percent: 93.1, completedAt: '2026-12-01T07:00:00.000Z' }),
      }),
    });
    render(
      <AppProviders>
        <RecordingsSection meetingId={meetingId} />
      </AppProviders>,
    );
    expect(await screen.findByTestId('recording-duration')).toHaveTextContent('1:58');
    expect(screen.getByTestId('recording-size')).toHaveTextContent('6.2 MB');
    expect(screen.getByTestId('makeup-progress')).toHaveTextContent('补学进度');
    fireEvent.click(screen.getByTestId('recording-play'));
    const video = await screen.findByTestId('recording-player');
    expect(video).toHaveAttribute('src', `/api/recordings/${recId}/file?t=abc`);
    expect((video as HTMLVideoElement).autoplay).toBe(true); // the click on "play" starts it
    fireEvent.play(video);
    await waitFor(() => expect(screen.getByTestId('makeup-done')).toBeInTheDocument());
    const report = requests.find((r) => r.method === 'POST');
    expect(report?.body).toEqual({ position: 0, playing: false }); // jsdom never really plays
  });

  it('shows nothing for a meeting without recordings', async () => {
    const { requests } = mockApi({
      [`GET /meetings/${meetingId}/recordings`]: () => ({ body: list({ items: [] }) }),
    });
    const { container } = render(
      <AppProviders>
        <RecordingsSection meetingId={meetingId} />
      </AppProviders>,
    );
    await waitFor(() => expect(requests).toHaveLength(1));
    expect(container.querySelector('[data-testid="recordings"]')).toBeNull();
  });

  it('reads the list again while a recording runs, so the stored recording appears without a reload', async () => {
    vi.useFakeTimers({ toFake: ['setInterval', 'clearInterval'] });
    try {
      let stored = false;
      const { requests } = mockApi({
        [`GET /meetings/${meetingId}/recordings`]: () => ({
          body: stored
            ? list()
            : list({
                items: [],
                state: {
                  meetingId,
                  recording: true,
                  startedAt: '2026-12-01T06:00:00.000Z',
                  available: true,
                  unavailableReason: null,
                },
              }),
        }),
      });
      render(
        <AppProviders>
          <RecordingsSection meetingId={meetingId} />
        </AppProviders>,
      );
      expect(await screen.findByTestId('recordings-live')).toBeInTheDocument();
      stored = true;
      vi.advanceTimersByTime(RECORDINGS_POLL_MS);
      expect(await screen.findByTestId('recording-duration')).toHaveTextContent('1:58');
      expect(screen.queryByTestId('recordings-live')).toBeNull();
      // Not live and no longer recording: no more polling.
      const reads = requests.length;
      vi.advanceTimersByTime(3 * RECORDINGS_POLL_MS);
      expect(requests).toHaveLength(reads);
    } finally {
      vi.useRealTimers();
    }
  });
});

describe('recording indicator state', () => {
  it('follows the join answer and recording.changed', () => {
    const on = {
      meetingId,
      recording: true,
      startedAt: '2026-12-01T06:00:00.000Z',
      available: true,
      unavailableReason: null,
    };
    let state = roomReducer(initialRoomState(), { type: 'recording.changed', payload: on });
    expect(state.recording?.recording).toBe(true);
    state = roomReducer(state, {
      type: 'recording.changed',
      payload: { meetingId, recording: false, startedAt: null, available: true, unavailableReason: null },
    });
    expect(state.recording?.recording).toBe(false);
  });

  it('formats durations and sizes', () => {
    expect(formatDuration(3725)).toBe('1:02:05');
    expect(formatDuration(59.6)).toBe('1:00');
    expect(formatSize(1536)).toBe('2 KB');
    expect(formatSize(5 * 1024 * 1024 * 1024)).toBe('5.0 GB');
  });
});

describe('recording unavailable (no ffmpeg on the server)', () => {
  beforeEach(resetLanguage);
  afterEach(() => vi.unstubAllGlobals());

  it('shows the host "recording unavailable" with the reason instead of the start button', async () => {
    mockApi({
      [`GET /meetings/${meetingId}/recordings`]: () => ({ body: list({ items: [], canControl: true }) }),
    });
    render(
      <AppProviders>
        <RecordingIndicator
          meetingId={meetingId}
          state={{
            meetingId,
            recording: false,
            startedAt: null,
            available: false,
            unavailableReason: 'ffmpeg not found',
          }}
        />
      </AppProviders>,
    );
    const tag = await screen.findByTestId('recording-unavailable');
    expect(tag).toHaveTextContent('录像不可用');
    expect(screen.queryByTestId('recording-toggle')).toBeNull();
    fireEvent.mouseEnter(tag);
    expect(
      await screen.findByText('本服务器未安装 ffmpeg，暂不能录像（ffmpeg not found）'),
    ).toBeInTheDocument();
  });

  it('shows the start button when the server can record', async () => {
    mockApi({
      [`GET /meetings/${meetingId}/recordings`]: () => ({ body: list({ items: [], canControl: true }) }),
    });
    render(
      <AppProviders>
        <RecordingIndicator meetingId={meetingId} state={list().state} />
      </AppProviders>,
    );
    expect(await screen.findByTestId('recording-toggle')).toHaveTextContent('开始录制');
    expect(screen.queryByTestId('recording-unavailable')).toBeNull();
  });

  it('shows a failed permission check with a retry instead of hiding the host’s button', async () => {
    let fail = true;
    mockApi({
      [`GET /meetings/${meetingId}/recordings`]: () =>
        fail
          ? { status: 503, body: { code: 'unavailable', message: '服务暂时不可用' } }
          : { body: list({ items: [], canControl: true }) },
    });
    render(
      <AppProviders>
        <RecordingIndicator meetingId={meetingId} state={list().state} />
      </AppProviders>,
    );
    const retry = await screen.findByTestId('recording-access-failed');
    expect(retry).toHaveTextContent('加载失败');
    fail = false;
    fireEvent.click(retry);
    expect(await screen.findByTestId('recording-toggle')).toHaveTextContent('开始录制');
    expect(screen.queryByTestId('recording-access-failed')).toBeNull();
  });
});
