import { CheckOutlined, LikeOutlined } from '@ant-design/icons';
import { App, Button, Empty, Flex, Input, List, Space, Tag, Typography } from 'antd';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { errorText } from '../../api/errors';
import { LoadFailed, useLoad } from '../../api/use-load';
import { useRoom } from './room-context';
import {
  isHostPeer,
  lectureRole,
  lectureSpeakers,
  selfModerates,
  type PeerView,
  type RoomViewState,
} from './room-store';
import { peerTile, selfScreenTile, selfTile } from './tiles';
import { VideoTile, type VideoTileProps } from './video-tile';

/** The lecture's main picture: a shared screen (slides) first, else the lecturer's camera. */
function mainOf(state: RoomViewState): VideoTileProps | null {
  const screen = Object.values(state.consumers).find((c) => c.source === 'screen' && state.peers[c.peerId]);
  if (screen) {
    const peer = state.peers[screen.peerId];
    return {
      peerId: peer.peerId,
      name: peer.name,
      videoKey: screen.consumerId,
      consumerId: screen.consumerId,
      mic: 'none',
      screen: true,
      testId: 'screen-tile',
    };
  }
  return selfScreenTile(state);
}

function speakerTile(state: RoomViewState, peer: PeerView): VideoTileProps {
  return {
    ...peerTile(state, peer),
    testId: lectureRole(state, peer) === 'lecturer' ? 'lecturer-tile' : 'speaker-tile',
  };
}

/**
 * The lecture view: the screen (slides) large, the lecturer and whoever speaks as thumbnails beside it; with no
 * screen, the lecturer large. Listeners are not shown (there may be thousands): the server's count says how many.
 */
export function LectureStage() {
  const { t } = useTranslation();
  const { state } = useRoom();
  const selfRole = state.self ? lectureRole(state, state.self) : null;
  const thumbs: VideoTileProps[] = lectureSpeakers(state).map((p) => speakerTile(state, p));
  const self = selfTile(state);
  if (self && selfRole !== 'listener') thumbs.unshift(self);
  let main = mainOf(state);
  if (!main) {
    // No screen: the lecturer large — on the lecturer's own page their own camera, what the listeners see
    // (not "waiting for the lecturer") — else the first presenter.
    const first =
      thumbs.find((x) => x.testId === 'lecturer-tile') ??
      thumbs.find((x) => x.isSelf && selfRole === 'lecturer') ??
      thumbs.find((x) => !x.isSelf) ??
      null;
    if (first) {
      main = first;
      thumbs.splice(thumbs.indexOf(first), 1);
    }
  }
  return (
    <div className="bm-stage bm-stage-focus bm-lecture" data-testid="lecture-stage">
      <div className="bm-main" data-testid="room-main">
        {main ? (
          <VideoTile key={`main-${main.peerId}-${main.screen ? 's' : 'c'}`} {...main} large />
        ) : (
          <Typography.Text className="bm-alone">{t('lecture.waitingForLecturer')}</Typography.Text>
        )}
      </div>
      <div className="bm-strip" data-testid="room-grid">
        {thumbs.map((tile) => (
          <VideoTile key={tile.peerId} {...tile} />
        ))}
        <Tag className="bm-lecture-count" data-testid="lecture-listeners">
          {t('lecture.listeners', { count: state.listeners })}
        </Tag>
      </div>
    </div>
  );
}

/** Raised hands with "give the floor", speakers with "take it back", for the lecturer and the host. */
export function LectureFloorActions({ peer }: { peer: PeerView }) {
  const { t } = useTranslation();
  const { message } = App.useApp();
  const { state, room } = useRoom();
  if (!room || !selfModerates(state) || peer.peerId === state.self?.peerId) return null;
  const role = lectureRole(state, peer);
  const run = (action: () => Promise<unknown>) =>
    void action().catch((err: unknown) => void message.error(errorText(err, t)));
  const isHost = state.self ? isHostPeer(state, state.self) : false;
  const id = peer.peerId;
  return (
    <Space size={4} wrap>
      {role === 'listener' && (
        <Button
          size="small"
          type={peer.handRaised ? 'primary' : 'default'}
          data-testid={`lecture-give-floor-${id}`}
          onClick={() => run(() => room.send('lecture.giveFloor', { peerId: id }))}
        >
          {t('lecture.giveFloor')}
        </Button>
      )}
      {role === 'floor' && (
        <Button
          size="small"
          data-testid={`lecture-take-floor-${id}`}
          onClick={() => run(() => room.send('lecture.takeFloor', { peerId: id }))}
        >
          {t('lecture.takeFloor')}
        </Button>
      )}
      {isHost && (role === 'listener' || role === 'floor') && (
        <Button
          size="small"
          data-testid={`lecture-add-presenter-${id}`}
          onClick={() => run(() => room.send('lecture.addPresenter', { peerId: id }))}
        >
          {t('lecture.makePresenter')}
        </Button>
      )}
      {isHost && role === 'presenter' && state.lecture?.coPresenterUserIds.includes(peer.userId) && (
        <Button
          size="small"
          data-testid={`lecture-remove-presenter-${id}`}
          onClick={() => run(() => room.send('lecture.removePresenter', { peerId: id }))}
        >
          {t('lecture.removePresenter')}
        </Button>
      )}
    </Space>
  );
}

/** A role tag for the participants list. */
export function LectureRoleTag({ peer }: { peer: PeerView }) {
  const { t } = useTranslation();
  const { state } = useRoom();
  const role = lectureRole(state, peer);
  if (role === 'lecturer') return <Tag color="red">{t('lecture.lecturer')}</Tag>;
  if (role === 'presenter' && !isHostPeer(state, peer))
    return <Tag color="orange">{t('lecture.coPresenter')}</Tag>;
  if (role === 'floor')
    return (
      <Tag color="green" data-testid="peer-floor">
        {t('lecture.floor')}
      </Tag>
    );
  return null;
}

/** The Q&A: ask, upvote once, the lecturer/host marks answered; open questions first, most upvoted on top. */
export function QaPanel() {
  const { t } = useTranslation();
  const { message } = App.useApp();
  const { state, dispatch, room } = useRoom();
  const [text, setText] = useState('');
  const moderates = selfModerates(state);

  // The questions so far, once joined (new ones arrive as qa.changed); a failed load shows with a retry.
  const joined = !!room && state.connection === 'joined';
  const listed = useLoad(async () => {
    if (!room || !joined) return null;
    const list = await room.send('qa.list', {});
    dispatch({ type: 'ui.questions', ...list });
    return list;
  }, [room, joined, dispatch]);

  const run = (action: () => Promise<unknown>) =>
    void action().catch((err: unknown) => void message.error(errorText(err, t)));
  const ask = () => {
    const value = text.trim();
    if (!room || !value) return;
    run(async () => {
      const q = await room.send('qa.ask', { text: value });
      dispatch({ type: 'qa.changed', payload: q });
      setText('');
    });
  };
  const questions = [...state.questions].sort(
    (a, b) => Number(a.answered) - Number(b.answered) || b.upvotes - a.upvotes || a.at.localeCompare(b.at),
  );
  return (
    <Flex vertical gap={8} data-testid="qa-panel" style={{ height: '100%' }}>
      <Flex gap={8}>
        <Input
          value={text}
          maxLength={500}
          placeholder={t('lecture.askPlaceholder')}
          onChange={(e) => setText(e.target.value)}
          onPressEnter={ask}
          data-testid="qa-input"
        />
        <Button type="primary" onClick={ask} data-testid="qa-ask">
          {t('lecture.ask')}
        </Button>
      </Flex>
      {!!listed.error && (
        <LoadFailed error={listed.error} onRetry={() => void listed.reload()} testId="qa-load-failed" />
      )}
      {questions.length === 0 ? (
        !listed.error && <Empty description={t('lecture.noQuestions')} image={Empty.PRESENTED_IMAGE_SIMPLE} />
      ) : (
        <List
          size="small"
          dataSource={questions}
          renderItem={(q) => {
            const upvoted = state.upvoted.includes(q.id);
            return (
              <List.Item
                data-testid="qa-question"
                data-question-id={q.id}
                data-answered={q.answered}
                actions={[
                  <Button
                    key="up"
                    size="small"
                    icon={<LikeOutlined />}
                    disabled={upvoted}
                    aria-label={upvoted ? t('lecture.upvoted') : t('lecture.upvote')}
                    data-testid="qa-upvote"
                    onClick={() =>
                      room &&
                      run(async () => {
                        const next = await room.send('qa.upvote', { questionId: q.id });
                        dispatch({ type: 'qa.changed', payload: next });
                        dispatch({ type: 'ui.upvoted', questionId: q.id });
                      })
                    }
                  >
                    {q.upvotes}
                  </Button>,
                  ...(moderates && !q.answered
                    ? [
                        <Button
                          key="answer"
                          size="small"
                          icon={<CheckOutlined />}
                          data-testid="qa-mark-answered"
                          onClick={() =>
                            room &&
                            run(async () => {
                              const next = await room.send('qa.answer', { questionId: q.id });
                              dispatch({ type: 'qa.changed', payload: next });
                            })
                          }
                        >
                          {t('lecture.markAnswered')}
                        </Button>,
                      ]
                    : []),
                ]}
              >
                <Flex vertical style={{ minWidth: 0 }}>
                  <Typography.Text style={{ wordBreak: 'break-word' }}>{q.text}</Typography.Text>
                  <Space size={4}>
                    <Typography.Text type="secondary" style={{ fontSize: 12 }}>
                      {q.authorName}
                    </Typography.Text>
                    {q.answered && (
                      <Tag color="green" style={{ fontSize: 11 }}>
                        {t('lecture.answered')}
                      </Tag>
                    )}
                  </Space>
                </Flex>
              </List.Item>
            );
          }}
        />
      )}
    </Flex>
  );
}
