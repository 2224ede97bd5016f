import { AudioMutedOutlined, AudioOutlined, CrownFilled } from '@ant-design/icons';
import { FullscreenButton } from './fullscreen-button';
import { Avatar } from 'antd';
import { useEffect, useRef } from 'react';
import { useTranslation } from 'react-i18next';
import { useMediaElement, useMediaSession, type LinkQuality } from '../../media';
import { HandIcon } from './hand-icon';
import { QualityIndicator } from './quality-indicator';
import { shownHeight } from './tiles';

export interface VideoTileProps {
  peerId: string;
  name: string;
  /** The track key: a consumer id, or `local:camera`; null shows the avatar. */
  videoKey: string | null;
  /** The consumer whose size is reported to the server (remote video only). */
  consumerId?: string;
  isSelf?: boolean;
  isHost?: boolean;
  mic: 'on' | 'off' | 'none';
  handRaised?: boolean;
  speaking?: boolean;
  /** Screen share: contain instead of cover, no mirroring. */
  screen?: boolean;
  large?: boolean;
  /** Show the whole picture (letterboxed) instead of filling the tile: a phone's stage never crops a speaker. */
  fit?: boolean;
  testId?: string;
  /** Connection quality: oneself's, or how this peer's media arrives (absent: nothing expected from them). */
  quality?: LinkQuality;
}

/**
 * Reports the shown height of a remote video, in CSS pixels (not device pixels: a phone's thumbnail needs no 720p),
 * to the server (debounced in the media layer); 0 while the tile is scrolled out of view, so it is not received.
 */
function useTileReport(
  consumerId: string | undefined,
  element: React.RefObject<HTMLDivElement | null>,
  fit: boolean,
) {
  const { room } = useMediaSession();
  useEffect(() => {
    const el = element.current;
    if (!consumerId || !room || !el || typeof ResizeObserver === 'undefined') return;
    let visible = true;
    const video = () => el.querySelector('video');
    const report = () =>
      room.reportTile(
        consumerId,
        visible ? shownHeight({ width: el.clientWidth, height: el.clientHeight }, fit, video()) : 0,
      );
    const observer = new ResizeObserver(report);
    observer.observe(el);
    const seen =
      typeof IntersectionObserver === 'undefined'
        ? null
        : new IntersectionObserver((entries) => {
            visible = entries.some((e) => e.isIntersecting);
            report();
          });
    seen?.observe(el);
    // The picture's shape is known once the video has its first frame (and changes with a rotated camera).
    el.addEventListener('resize', report, true);
    el.addEventListener('loadedmetadata', report, true);
    report();
    return () => {
      observer.disconnect();
      seen?.disconnect();
      el.removeEventListener('resize', report, true);
      el.removeEventListener('loadedmetadata', report, true);
    };
  }, [consumerId, room, element, fit]);
}

/** One participant (or one shared screen): the video when there is one, otherwise the initial of the name. */
export function VideoTile(props: VideoTileProps) {
  const { t } = useTranslation();
  const {
    peerId,
    name,
    videoKey,
    consumerId,
    isSelf,
    isHost,
    mic,
    handRaised,
    speaking,
    screen,
    large,
    fit,
    quality,
  } = props;
  const attach = useMediaElement<HTMLVideoElement>(videoKey);
  const box = useRef<HTMLDivElement>(null);
  useTileReport(videoKey ? consumerId : undefined, box, !!fit);
  const classes = ['bm-tile'];
  if (speaking) classes.push('bm-tile-speaking');
  if (screen) classes.push('bm-tile-screen');
  if (large) classes.push('bm-tile-large');
  if (fit) classes.push('bm-tile-fit');
  if (isSelf && !screen) classes.push('bm-tile-self');

  return (
    <div
      ref={box}
      className={classes.join(' ')}
      data-testid={props.testId ?? 'video-tile'}
      data-peer-id={peerId}
      data-peer-name={name}
      data-speaking={speaking ? 'true' : undefined}
      data-video={videoKey ? 'on' : 'off'}
      data-quality={quality}
    >
      {quality === 'lost' && !isSelf && (
        <div className="bm-tile-lost" data-testid="tile-lost" role="status">
          {t('network.lost')}
        </div>
      )}
      {videoKey ? (
        <video
          ref={attach}
          autoPlay
          playsInline
          muted
          className={isSelf && !screen ? 'bm-mirror' : undefined}
          data-consumer-id={consumerId}
        />
      ) : (
        <div className="bm-tile-avatar">
          <Avatar size={large ? 96 : 56} style={{ background: '#c8161d', fontSize: large ? 40 : 24 }}>
            {name.slice(0, 1)}
          </Avatar>
        </div>
      )}
      {screen && videoKey && <FullscreenButton target={box} />}
      <div className="bm-tile-label">
        {quality && !screen && <QualityIndicator quality={quality} testId="tile-quality" />}
        {!screen &&
          (mic === 'on' ? (
            <AudioOutlined aria-label={t('participants.micOn')} />
          ) : (
            <AudioMutedOutlined aria-label={t('participants.micOff')} style={{ color: '#ff7875' }} />
          ))}
        {isHost && !screen && <CrownFilled aria-label={t('room.host')} style={{ color: '#faad14' }} />}
        <span className="bm-tile-name">
          {screen ? t('room.screenOf', { name }) : name}
          {isSelf && !screen ? ` (${t('room.you')})` : ''}
        </span>
        {handRaised && (
          <HandIcon
            aria-label={t('participants.handRaised')}
            data-testid="tile-hand"
            style={{ color: '#faad14' }}
          />
        )}
      </div>
    </div>
  );
}

/** A remote audio consumer, played by a hidden <audio> element. */
export function RemoteAudio({ consumerId }: { consumerId: string }) {
  const attach = useMediaElement<HTMLAudioElement>(consumerId);
  return <audio ref={attach} autoPlay data-consumer-id={consumerId} style={{ display: 'none' }} />;
}
