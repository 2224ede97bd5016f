import { FullscreenExitOutlined, FullscreenOutlined } from '@ant-design/icons';
import { Button } from 'antd';
import { useEffect, useState, type RefObject } from 'react';
import { useTranslation } from 'react-i18next';

type LegacyVideo = HTMLVideoElement & { webkitEnterFullscreen?: () => void };
type LockableOrientation = ScreenOrientation & {
  lock?: (orientation: 'landscape') => Promise<void>;
  unlock?: () => void;
};

/** Whether this browser can show an element full screen (the Fullscreen API, or iOS's video-only one). */
export function fullscreenSupported(): boolean {
  if (typeof document === 'undefined') return false;
  if (document.fullscreenEnabled && typeof HTMLElement.prototype.requestFullscreen === 'function')
    return true;
  return typeof HTMLVideoElement !== 'undefined' && 'webkitEnterFullscreen' in HTMLVideoElement.prototype;
}

function orientation(): LockableOrientation | null {
  return typeof screen !== 'undefined' && screen.orientation
    ? (screen.orientation as LockableOrientation)
    : null;
}

/**
 * Shows `el` full screen and, where the browser allows it (Android Chrome in full screen), turns a phone to
 * landscape; desktop browsers and iOS refuse the lock, and the picture is full screen all the same. Answers
 * false when nothing could be done.
 */
export async function enterFullscreen(el: HTMLElement): Promise<boolean> {
  if (document.fullscreenEnabled && typeof el.requestFullscreen === 'function') {
    await el.requestFullscreen({ navigationUI: 'hide' });
    await orientation()
      ?.lock?.('landscape')
      .catch(() => undefined);
    return true;
  }
  const video = el.querySelector('video') as LegacyVideo | null;
  if (video?.webkitEnterFullscreen) {
    video.webkitEnterFullscreen();
    return true;
  }
  return false;
}

export async function exitFullscreen(): Promise<void> {
  try {
    orientation()?.unlock?.();
  } catch {
    // nothing was locked
  }
  if (document.fullscreenElement) await document.exitFullscreen();
}

/** The full-screen toggle of a shared screen's tile; absent where the browser has no way to do it. */
export function FullscreenButton({ target }: { target: RefObject<HTMLElement | null> }) {
  const { t } = useTranslation();
  const [active, setActive] = useState(false);
  useEffect(() => {
    const changed = () => setActive(!!target.current && document.fullscreenElement === target.current);
    document.addEventListener('fullscreenchange', changed);
    return () => document.removeEventListener('fullscreenchange', changed);
  }, [target]);
  if (!fullscreenSupported()) return null;
  const label = active ? t('roomExtra.exitFullscreen') : t('roomExtra.fullscreen');
  return (
    <Button
      className="bm-tile-fullscreen"
      size="small"
      shape="circle"
      icon={active ? <FullscreenExitOutlined /> : <FullscreenOutlined />}
      aria-label={label}
      title={label}
      aria-pressed={active}
      data-testid="screen-fullscreen"
      onClick={() => {
        const el = target.current;
        if (active) void exitFullscreen().catch(() => undefined);
        else if (el) void enterFullscreen(el).catch(() => undefined);
      }}
    />
  );
}
