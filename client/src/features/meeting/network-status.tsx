import { Alert, App } from 'antd';
import { useEffect, useRef } from 'react';
import { useTranslation } from 'react-i18next';
import { QualityIndicator } from './quality-indicator';
import { useRoom } from './room-context';

/**
 * The person's own connection in the room's header: signal bars, "reconnecting" when everything stopped arriving
 * (inbound RTP stalled or ICE lost) even while the signalling socket still looks connected, and the notice that
 * the server switched this person to audio only because the network cannot carry video.
 */
export function NetworkStatus() {
  const { t } = useTranslation();
  const { message } = App.useApp();
  const { state } = useRoom();
  const paused = state.videoPausedForNetwork;
  const was = useRef(paused);
  useEffect(() => {
    if (paused === was.current) return;
    was.current = paused;
    if (paused) void message.warning(t('network.weakAudioOnly'));
    else void message.success(t('network.videoResumed'));
  }, [paused, message, t]);
  if (state.connection !== 'joined') return null;
  const self = state.quality.self;
  return (
    <>
      <QualityIndicator quality={self} testId="self-quality" />
      {self === 'lost' && (
        <span
          data-testid="self-reconnecting"
          role="status"
          style={{ color: '#ff4d4f', whiteSpace: 'nowrap' }}
        >
          {t('network.reconnecting')}
        </span>
      )}
      {paused && (
        <Alert
          className="bm-network-notice"
          type="warning"
          showIcon
          banner
          data-testid="weak-network-notice"
          title={t('network.weakAudioOnly')}
        />
      )}
    </>
  );
}
