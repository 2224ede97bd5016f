import { App, Button, Space, Tag, Tooltip } from 'antd';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { http } from '../../api/endpoints';
import { errorText } from '../../api/errors';
import { LoadFailed, useLoad } from '../../api/use-load';
import type { RecordingState } from '@branchmeet/shared';

/**
 * In the room: the red "recording" indicator everyone sees (from the join answer and `recording.changed`), and
 * for the host or lecturer of a meeting that allows recording, the button that starts and stops it. When the
 * server cannot record (no ffmpeg), they see "recording unavailable" with the reason instead of the button.
 */
export function RecordingIndicator({
  meetingId,
  state,
}: {
  meetingId: string;
  state: RecordingState | null;
}) {
  const { t } = useTranslation();
  const { message } = App.useApp();
  // Whether this person may start and stop it; a failed check shows with a retry instead of hiding the button.
  const access = useLoad(() => http.recordings(meetingId), [meetingId]);
  const canControl = access.data?.canControl ?? false;
  const [busy, setBusy] = useState(false);
  const recording = !!state?.recording;
  const unavailable = state?.available === false && !recording;

  const toggle = async () => {
    setBusy(true);
    try {
      await http.controlRecording(meetingId, { action: recording ? 'stop' : 'start' });
      void message.success(t(recording ? 'recordings.stopped' : 'recordings.started'));
    } catch (err) {
      void message.error(errorText(err, t));
    } finally {
      setBusy(false);
    }
  };

  return (
    <Space size={4}>
      {recording && (
        <Tag color="red" className="bm-recording" data-testid="recording-indicator" role="status">
          <span className="bm-recording-dot" aria-hidden />
          {t('recordings.recording')}
        </Tag>
      )}
      {!!access.error && (
        <LoadFailed
          compact
          error={access.error}
          onRetry={() => void access.reload()}
          testId="recording-access-failed"
        />
      )}
      {canControl && unavailable && (
        <Tooltip title={t('recordings.unavailableReason', { reason: state?.unavailableReason ?? '' })}>
          <Tag data-testid="recording-unavailable">{t('recordings.unavailable')}</Tag>
        </Tooltip>
      )}
      {canControl && !unavailable && (
        <Button
          size="small"
          danger={recording}
          loading={busy}
          onClick={() => void toggle()}
          data-testid="recording-toggle"
        >
          {t(recording ? 'recordings.stop' : 'recordings.start')}
        </Button>
      )}
    </Space>
  );
}
