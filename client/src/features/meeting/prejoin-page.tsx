import { AudioMutedOutlined, AudioOutlined, VideoCameraOutlined } from '@ant-design/icons';
import { Alert, Avatar, Button, Card, Flex, Select, Space, Switch, Typography } from 'antd';
import { useEffect, useRef, useState, useSyncExternalStore } from 'react';
import { useTranslation } from 'react-i18next';
import { localTrackKey, useMediaElement, type LocalMedia } from '../../media';

export interface PrejoinChoice {
  mic: boolean;
  camera: boolean;
}

/** Re-renders on every LocalMedia change; returns a counter (the component reads the media layer itself). */
function useLocalVersion(local: LocalMedia): number {
  const version = useRef(0);
  return useSyncExternalStore(
    (notify) =>
      local.on('change', () => {
        version.current += 1;
        notify();
      }),
    () => version.current,
  );
}

/** A bar that follows the microphone level (WebAudio AnalyserNode), updated every animation frame. */
export function MicLevelMeter({ local, active }: { local: LocalMedia; active: boolean }) {
  const { t } = useTranslation();
  const bar = useRef<HTMLDivElement>(null);
  const meter = useRef<HTMLDivElement>(null);
  useEffect(() => {
    if (!active) {
      if (bar.current) bar.current.style.width = '0%';
      return;
    }
    let frame = 0;
    const tick = () => {
      const level = local.micLevel();
      const percent = Math.round(level * 100);
      if (bar.current) bar.current.style.width = `${percent}%`;
      meter.current?.setAttribute('aria-valuenow', String(percent));
      frame = requestAnimationFrame(tick);
    };
    frame = requestAnimationFrame(tick);
    return () => cancelAnimationFrame(frame);
  }, [local, active]);
  return (
    <div
      ref={meter}
      className="bm-level"
      role="meter"
      aria-label={t('prejoin.micLevel')}
      aria-valuemin={0}
      aria-valuemax={100}
      aria-valuenow={0}
      data-testid="mic-level"
    >
      <div ref={bar} className="bm-level-bar" />
    </div>
  );
}

export interface PrejoinPageProps {
  title: string;
  userName: string;
  local: LocalMedia;
  onJoin(choice: PrejoinChoice): void;
  joining?: boolean;
  /** A lecture's listener: camera and microphone start off and are not opened before joining. */
  listener?: boolean;
}

/** Before joining: camera preview, camera and microphone selection, a microphone level meter, and Join. */
export function PrejoinPage({ title, userName, local, onJoin, joining, listener }: PrejoinPageProps) {
  const { t } = useTranslation();
  useLocalVersion(local);
  // A lecture's listener joins with neither (asked only when given the floor): nothing is opened here.
  const [camera, setCamera] = useState(!listener);
  const [mic, setMic] = useState(!listener);
  const preview = useMediaElement<HTMLVideoElement>(
    camera && local.has('camera') ? localTrackKey('camera') : null,
  );

  useEffect(() => {
    void local.refreshDevices().catch(() => undefined);
    if (listener) return;
    void local.startMic();
    void local.startCamera();
  }, [local, listener]);

  const devices = local.listDevices();
  const cameraError = local.error('camera');
  const micError = local.error('mic');
  const deniedError = cameraError === 'denied' || micError === 'denied';

  const toggleCamera = (on: boolean) => {
    setCamera(on);
    if (on) void local.startCamera();
    else local.stop('camera');
  };
  const toggleMic = (on: boolean) => {
    setMic(on);
    if (on && !local.has('mic')) void local.startMic();
  };

  return (
    <div className="bm-prejoin" data-testid="prejoin">
      <Card className="bm-prejoin-card" title={<span data-testid="prejoin-title">{title}</span>}>
        <Flex gap={24} wrap>
          <div className="bm-prejoin-preview">
            {camera && local.has('camera') ? (
              <video
                ref={preview}
                autoPlay
                playsInline
                muted
                className="bm-mirror"
                data-testid="prejoin-preview"
              />
            ) : (
              <Flex vertical align="center" justify="center" gap={8} style={{ height: '100%' }}>
                <Avatar size={72} style={{ background: '#c8161d', fontSize: 32 }}>
                  {userName.slice(0, 1)}
                </Avatar>
                <Typography.Text style={{ color: '#d9d9d9' }}>
                  {cameraError ? t(`prejoin.${cameraError}`) : t('prejoin.cameraOff')}
                </Typography.Text>
              </Flex>
            )}
          </div>
          <Flex vertical gap={12} className="bm-prejoin-side">
            <Typography.Title level={4} style={{ margin: 0 }}>
              {t('prejoin.title')}
            </Typography.Title>
            {deniedError && <Alert type="warning" showIcon title={t('prejoin.denied')} />}
            <label className="bm-field">
              <Space>
                <VideoCameraOutlined />
                {t('prejoin.camera')}
                <Switch
                  size="small"
                  checked={camera}
                  onChange={toggleCamera}
                  data-testid="prejoin-camera-toggle"
                />
              </Space>
              <Select
                value={local.selectedDevice('camera') ?? undefined}
                placeholder={t('prejoin.noDevices')}
                options={devices.cameras.map((d) => ({ value: d.deviceId, label: d.label }))}
                onChange={(id: string) => void local.selectDevice('camera', id)}
                disabled={devices.cameras.length === 0}
                data-testid="prejoin-camera"
                aria-label={t('prejoin.camera')}
              />
            </label>
            <label className="bm-field">
              <Space>
                {mic ? <AudioOutlined /> : <AudioMutedOutlined />}
                {t('prejoin.mic')}
                <Switch size="small" checked={mic} onChange={toggleMic} data-testid="prejoin-mic-toggle" />
              </Space>
              <Select
                value={local.selectedDevice('mic') ?? undefined}
                placeholder={t('prejoin.noDevices')}
                options={devices.mics.map((d) => ({ value: d.deviceId, label: d.label }))}
                onChange={(id: string) => void local.selectDevice('mic', id)}
                disabled={devices.mics.length === 0}
                data-testid="prejoin-mic"
                aria-label={t('prejoin.mic')}
              />
              {micError && !deniedError && (
                <Typography.Text type="warning">{t(`prejoin.${micError}`)}</Typography.Text>
              )}
            </label>
            <MicLevelMeter local={local} active={mic && local.has('mic')} />
            {listener && (
              <Alert
                type="info"
                showIcon
                message={t('prejoin.listenerHint')}
                data-testid="prejoin-listener"
              />
            )}
            <Typography.Text type="secondary">{t('prejoin.joinAs', { name: userName })}</Typography.Text>
            <Button
              type="primary"
              size="large"
              block
              loading={joining}
              onClick={() => onJoin({ mic, camera })}
              data-testid="prejoin-join"
            >
              {t('prejoin.join')}
            </Button>
          </Flex>
        </Flex>
      </Card>
    </div>
  );
}
