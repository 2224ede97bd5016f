import type { LiveMeeting, Meeting } from '@branchmeet/shared';
import { Button, Result, Spin } from 'antd';
import { useEffect, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { useNavigate, useParams } from 'react-router-dom';
import { ApiRequestError } from '../../api/client';
import { http } from '../../api/endpoints';
import { errorText } from '../../api/errors';
import { meetingTitleText } from '../../i18n/generated-text';
import { sessionSignalling } from '../../api/session-signalling';
import { FINAL_STATES, LocalMedia, MediaSessionProvider, prepareRoomDevice } from '../../media';
import { useMe } from '../auth/auth-context';
import { PrejoinPage, type PrejoinChoice } from './prejoin-page';
import { RoomContext, useRoomConnection, type RoomAuth } from './room-context';
import { RoomView } from './room-view';
import './meeting.css';

/**
 * A page that was in the room remembers it for this tab (sessionStorage survives a reload, not a new tab): a
 * reload of it rejoins by itself, with the same camera and mic choice, and takes its seat back if it is still
 * held (the reconnect grace period). Leaving, the meeting's end or a removal forgets it.
 */
const inRoomKey = (meetingId: string) => `bm.inRoom.${meetingId}`;

export function rememberedChoice(meetingId: string): PrejoinChoice | null {
  try {
    const raw = sessionStorage.getItem(inRoomKey(meetingId));
    if (!raw) return null;
    const v = JSON.parse(raw) as Partial<PrejoinChoice>;
    return { mic: v.mic === true, camera: v.camera === true };
  } catch {
    return null;
  }
}

function remember(meetingId: string, choice: PrejoinChoice | null): void {
  try {
    if (choice) sessionStorage.setItem(inRoomKey(meetingId), JSON.stringify(choice));
    else sessionStorage.removeItem(inRoomKey(meetingId));
  } catch {
    // storage unavailable (private mode): a reload shows the pre-join page
  }
}

/** The live room of a meeting, joined as chosen before; a guest's page passes the guest's token. */
export function LiveRoom({
  meeting,
  local,
  choice,
  onBack,
  auth,
}: {
  meeting: Pick<LiveMeeting, 'id' | 'title'>;
  local: LocalMedia;
  choice: PrejoinChoice;
  onBack(): void;
  auth?: RoomAuth;
}) {
  const [attempt, setAttempt] = useState(0);
  const value = useRoomConnection(meeting.id, local, choice, attempt, undefined, auth);
  const over = FINAL_STATES.includes(value.state.connection);

  // Joining or in the room: a reload comes back by itself; out of it (left, ended, removed, failed): it does not.
  useEffect(() => remember(meeting.id, over ? null : choice), [over, meeting.id, choice]);
  useEffect(() => () => remember(meeting.id, null), [meeting.id]);

  // Out of the room, the camera light and the microphone go off; joining again opens them as chosen.
  useEffect(() => {
    if (!over) return;
    local.stop('mic');
    local.stop('camera');
  }, [over, local]);
  const rejoin = () => {
    if (choice.mic) void local.startMic();
    if (choice.camera) void local.startCamera();
    setAttempt((n) => n + 1);
  };
  return (
    <MediaSessionProvider value={{ local, room: value.room }}>
      <RoomContext.Provider value={value}>
        <RoomView
          title={meeting.title}
          onLeave={() => void value.room?.leave()}
          onRejoin={rejoin}
          onBack={onBack}
        />
      </RoomContext.Provider>
    </MediaSessionProvider>
  );
}

/** `/meetings/:meetingId`: the pre-join check, then the live room. */
/** A lecture's listener: neither its host nor its lecturer (the answer of GET /meetings/:id has both). */
function isListener(meeting: LiveMeeting & Partial<Pick<Meeting, 'type' | 'lecturerId'>>, userId: string) {
  return meeting.type === 'lecture' && meeting.hostUserId !== userId && meeting.lecturerId !== userId;
}

export function MeetingPage() {
  const { t } = useTranslation();
  const { meetingId = '' } = useParams();
  const navigate = useNavigate();
  const me = useMe();
  const [meeting, setMeeting] = useState<LiveMeeting | null>(null);
  const [error, setError] = useState<unknown>(null);
  // A reload of a page that was in the room skips the pre-join page and rejoins as chosen then.
  const [choice, setChoice] = useState<PrejoinChoice | null>(() => rememberedChoice(meetingId));
  const [local] = useState(() => new LocalMedia());
  const [resumed] = useState(() => choice !== null);

  useEffect(() => {
    if (!resumed || !choice) return;
    if (choice.mic) void local.startMic();
    if (choice.camera) void local.startCamera();
    // once, for the restored choice
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [resumed, local]);

  useEffect(() => () => local.dispose(), [local]);
  // A device loaded ahead lets the join bring the room's consumers in its answer: the first audio a round trip sooner.
  useEffect(() => prepareRoomDevice(sessionSignalling()), []);

  useEffect(() => {
    let cancelled = false;
    setMeeting(null);
    setError(null);
    http.getMeeting(meetingId).then(
      (m) => !cancelled && setMeeting(m),
      (err: unknown) => !cancelled && setError(err),
    );
    return () => {
      cancelled = true;
    };
  }, [meetingId]);

  const back = () => navigate(meeting ? `/units/${meeting.unitId}` : '/');

  if (error) {
    const missing = error instanceof ApiRequestError && (error.status === 404 || error.status === 403);
    return (
      <div className="bm-room-final" data-testid="meeting-error">
        <Result
          status={missing ? '404' : 'error'}
          title={missing ? t('meeting.notFound') : errorText(error, t)}
          extra={<Button onClick={() => navigate('/')}>{t('errors.home')}</Button>}
        />
      </div>
    );
  }
  if (!meeting) {
    return (
      <div className="bm-room-final">
        <Spin size="large" />
      </div>
    );
  }
  if (meeting.status === 'ended' && (!choice || resumed)) {
    return (
      <div className="bm-room-final" data-testid="meeting-ended">
        <Result
          status="info"
          title={t('meeting.endedAlready')}
          extra={<Button onClick={back}>{t('meeting.backToBranch')}</Button>}
        />
      </div>
    );
  }
  if (!choice) {
    return (
      <MediaSessionProvider value={{ local, room: null }}>
        <PrejoinPage
          title={meetingTitleText(t, meeting.title)}
          userName={me.user.name}
          local={local}
          onJoin={setChoice}
          listener={isListener(meeting, me.user.id)}
        />
      </MediaSessionProvider>
    );
  }
  return <LiveRoom meeting={meeting} local={local} choice={choice} onBack={back} />;
}
