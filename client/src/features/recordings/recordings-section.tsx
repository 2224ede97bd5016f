import { DeleteOutlined, PlayCircleOutlined } from '@ant-design/icons';
import type { MakeUpProgress, Recording, RecordingList } from '@branchmeet/shared';
import { Alert, App, Button, Card, Flex, Popconfirm, Progress, Space, Tag, Typography } from 'antd';
import dayjs from 'dayjs';
import { useCallback, useEffect, useRef, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { http } from '../../api/endpoints';
import { errorText } from '../../api/errors';

/** How often the player reports where it is (the server credits at most this much real time per report). */
export const PROGRESS_INTERVAL_MS = 5000;
/** How often the list is read again while the meeting is live or being recorded. */
export const RECORDINGS_POLL_MS = 10_000;

export function formatDuration(seconds: number): string {
  const s = Math.round(seconds);
  const h = Math.floor(s / 3600);
  const m = Math.floor((s % 3600) / 60);
  const rest = String(s % 60).padStart(2, '0');
  return h > 0 ? `${h}:${String(m).padStart(2, '0')}:${rest}` : `${m}:${rest}`;
}

export function formatSize(bytes: number): string {
  if (bytes >= 1024 * 1024 * 1024) return `${(bytes / 1024 / 1024 / 1024).toFixed(1)} GB`;
  if (bytes >= 1024 * 1024) return `${(bytes / 1024 / 1024).toFixed(1)} MB`;
  return `${Math.max(1, Math.round(bytes / 1024))} KB`;
}

/**
 * The replay: a <video> on the recording's link, opened by the "play" button and so started at once (the click is
 * the gesture the browser's autoplay policy asks for), reporting `{ position, playing }` every few seconds and on
 * play/pause/end; the server decides what counts (play speed, no skipping) and answers with the progress.
 */
export function RecordingPlayer({
  recording,
  onProgress,
}: {
  recording: Recording;
  onProgress(p: MakeUpProgress): void;
}) {
  const ref = useRef<HTMLVideoElement>(null);
  // On pause, end and page close the report says `playing: false`; the server still credits the span played
  // since the previous report (the final seconds of a short recording), bounded by the wall clock.
  const report = useCallback(
    (keepalive = false) => {
      const video = ref.current;
      if (!video) return;
      const playing = !video.paused && !video.ended && video.readyState >= 2;
      void http
        .reportProgress(recording.id, { position: video.currentTime, playing }, { keepalive })
        .then(onProgress)
        .catch(() => undefined); // a lost report only loses its interval's credit
    },
    [recording.id, onProgress],
  );

  useEffect(() => {
    const timer = setInterval(() => report(), PROGRESS_INTERVAL_MS);
    // Closing or reloading the page: the last report must outlive it.
    const unload = () => report(true);
    window.addEventListener('pagehide', unload);
    return () => {
      clearInterval(timer);
      window.removeEventListener('pagehide', unload);
      report();
    };
  }, [report]);

  return (
    <video
      ref={ref}
      src={recording.url}
      controls
      autoPlay
      playsInline
      preload="metadata"
      onPlay={() => report()}
      onPause={() => report()}
      onEnded={() => report()}
      onSeeked={() => report()}
      style={{ width: '100%', maxHeight: 480, background: '#000', borderRadius: 6 }}
      data-testid="recording-player"
    />
  );
}

function MakeUp({ progress }: { progress: MakeUpProgress }) {
  const { t } = useTranslation();
  if (!progress.eligible && !progress.completedAt) return null;
  return (
    <Flex vertical gap={4} data-testid="makeup-progress" data-percent={progress.percent}>
      <Space wrap>
        <Typography.Text strong>{t('recordings.makeUp')}</Typography.Text>
        {progress.completedAt && (
          <Tag color="green" data-testid="makeup-done">
            {t('recordings.makeUpDone', { time: dayjs(progress.completedAt).format('YYYY-MM-DD HH:mm') })}
          </Tag>
        )}
      </Space>
      {!progress.completedAt && (
        <Typography.Text type="secondary">
          {t('recordings.makeUpHint', { threshold: progress.thresholdPercent })}
        </Typography.Text>
      )}
      <Progress
        percent={progress.percent}
        status={progress.completedAt ? 'success' : 'active'}
        format={() =>
          t('recordings.watched', {
            watched: formatDuration(progress.watchedSeconds),
            total: formatDuration(progress.totalSeconds),
          })
        }
      />
    </Flex>
  );
}

/**
 * On the meeting page: the meeting's recordings with duration and size, the player, one's make-up progress.
 * While the meeting is live or a recording runs, the list is polled like the live attendance, so a recording
 * shows up once it is stored without reloading the page.
 */
export function RecordingsSection({ meetingId, live = false }: { meetingId: string; live?: boolean }) {
  const { t } = useTranslation();
  const { message } = App.useApp();
  const [list, setList] = useState<RecordingList | null>(null);
  const [playing, setPlaying] = useState<string | null>(null);
  const [progress, setProgress] = useState<MakeUpProgress | null>(null);

  const load = useCallback(async () => {
    try {
      const next = await http.recordings(meetingId);
      setList(next);
      setProgress(next.progress);
    } catch {
      setList(null);
    }
  }, [meetingId]);

  useEffect(() => {
    void load();
  }, [load]);
  const recordingNow = list?.state.recording ?? false;
  useEffect(() => {
    if (!live && !recordingNow) return;
    const timer = setInterval(() => void load(), RECORDINGS_POLL_MS);
    return () => clearInterval(timer);
  }, [load, live, recordingNow]);

  if (!list) return null;
  if (list.items.length === 0 && !list.state.recording) return null;

  const remove = async (id: string) => {
    try {
      await http.deleteRecording(id);
      void message.success(t('recordings.deleted'));
      if (playing === id) setPlaying(null);
      await load();
    } catch (err) {
      void message.error(errorText(err, t));
    }
  };
  const current = list.items.find((r) => r.id === playing);

  return (
    <Card size="small" title={t('recordings.title')} data-testid="recordings">
      <Flex vertical gap={12}>
        {list.state.recording && (
          <Alert type="error" showIcon message={t('recordings.recording')} data-testid="recordings-live" />
        )}
        {progress && <MakeUp progress={progress} />}
        {current && <RecordingPlayer key={current.id} recording={current} onProgress={setProgress} />}
        {list.items.length === 0 && (
          <Typography.Text type="secondary">{t('recordings.none')}</Typography.Text>
        )}
        {list.items.map((r) => (
          <Flex key={r.id} wrap align="center" justify="space-between" gap={8} data-testid="recording-item">
            <Space wrap size={12}>
              <span>
                {t('recordings.startedAt')} {dayjs(r.startedAt).format('YYYY-MM-DD HH:mm')}
              </span>
              <span data-testid="recording-duration">
                {t('recordings.duration')} {formatDuration(r.durationSeconds)}
              </span>
              <span data-testid="recording-size">
                {t('recordings.size')} {formatSize(r.sizeBytes)}
              </span>
            </Space>
            <Space>
              <Button
                type={playing === r.id ? 'primary' : 'default'}
                icon={<PlayCircleOutlined />}
                onClick={() => setPlaying(r.id)}
                data-testid="recording-play"
              >
                {t('recordings.play')}
              </Button>
              {list.canDelete && (
                <Popconfirm
                  title={t('recordings.deleteConfirm')}
                  onConfirm={() => void remove(r.id)}
                  okButtonProps={{ danger: true }}
                >
                  <Button
                    danger
                    icon={<DeleteOutlined />}
                    aria-label={t('recordings.delete')}
                    data-testid="recording-delete"
                  />
                </Popconfirm>
              )}
            </Space>
          </Flex>
        ))}
      </Flex>
    </Card>
  );
}
