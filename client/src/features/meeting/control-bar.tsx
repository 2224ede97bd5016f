import {
  AudioMutedOutlined,
  AudioOutlined,
  CrownOutlined,
  DesktopOutlined,
  LockOutlined,
  LogoutOutlined,
  MessageOutlined,
  PoweroffOutlined,
  QuestionCircleOutlined,
  SoundOutlined,
  TeamOutlined,
  UnlockOutlined,
  VideoCameraOutlined,
} from '@ant-design/icons';
import { lectureSources } from '@branchmeet/shared';
import { App, Badge, Button, Dropdown, Grid, Modal, Space, Tooltip, type MenuProps } from 'antd';
import { useState, type ReactNode } from 'react';
import { useTranslation } from 'react-i18next';
import { errorText } from '../../api/errors';
import { HandIcon } from './hand-icon';
import { lectureRole, peopleInRoom, selfIsHost } from './room-store';
import { useRoom } from './room-context';

export interface ControlBarProps {
  participantsOpen: boolean;
  onToggleParticipants(): void;
  onLeave(): void;
  onEndForAll(): void;
  /** Lectures: the Q&A drawer. */
  qaOpen?: boolean;
  onToggleQa?(): void;
}

/**
 * Whether the buttons' names show as tooltips: only with a mouse on a larger screen. On a touch screen a tap
 * counts as hovering and the tooltip stayed up over the minutes bar; a phone has the names as aria-labels.
 */
function useHoverTooltips(): boolean {
  const screens = Grid.useBreakpoint();
  const mouse =
    typeof window === 'undefined' || typeof window.matchMedia !== 'function'
      ? true
      : !window.matchMedia('(hover: none)').matches;
  return screens.sm !== false && mouse;
}

function ControlButton(props: {
  testId: string;
  label: string;
  icon: ReactNode;
  active?: boolean;
  danger?: boolean;
  pressed?: boolean;
  onClick(): void;
  badge?: number;
}) {
  const tooltips = useHoverTooltips();
  const button = (
    <Button
      shape="circle"
      size="large"
      type={props.active ? 'primary' : 'default'}
      danger={props.danger}
      icon={props.icon}
      onClick={props.onClick}
      aria-label={props.label}
      aria-pressed={props.pressed}
      data-testid={props.testId}
    />
  );
  const control = (
    <span className="bm-control">
      {props.badge ? (
        <Badge count={props.badge} size="small">
          {button}
        </Badge>
      ) : (
        button
      )}
      <span className="bm-control-label">{props.label}</span>
    </span>
  );
  return tooltips ? <Tooltip title={props.label}>{control}</Tooltip> : control;
}

/** Mute, camera, screen, hand, chat, participants, host controls (host only) and leave. */
export function ControlBar({
  participantsOpen,
  onToggleParticipants,
  onLeave,
  onEndForAll,
  qaOpen = false,
  onToggleQa,
}: ControlBarProps) {
  const { t } = useTranslation();
  const { message } = App.useApp();
  const { state, dispatch, room } = useRoom();
  const [leaving, setLeaving] = useState(false);
  const isHost = selfIsHost(state);
  const handRaised = state.self?.handRaised ?? false;
  const count = peopleInRoom(state);
  // A lecture: a listener sends nothing (hand and Q&A only); with the floor, the microphone only.
  const role = state.self ? lectureRole(state, state.self) : null;
  const mayMic = role === null || lectureSources[role].includes('mic');
  const mayVideo = role === null || lectureSources[role].includes('camera');
  // the lecturer is the one who gives the floor: a hand of their own would ask themselves
  const mayHand = role !== 'lecturer';

  const run = (action: () => Promise<unknown>, failure?: string) => {
    void action()
      .then((ok) => {
        if (ok === false && failure) void message.error(failure);
      })
      .catch((err: unknown) => void message.error(errorText(err, t)));
  };

  const hostItems: MenuProps['items'] = [
    {
      key: 'mute-all',
      icon: <AudioMutedOutlined />,
      label: <span data-testid="host-mute-all">{t('room.muteAll')}</span>,
    },
    {
      key: 'lock',
      icon: state.room?.locked ? <UnlockOutlined /> : <LockOutlined />,
      label: <span data-testid="host-lock">{state.room?.locked ? t('room.unlock') : t('room.lock')}</span>,
    },
    { type: 'divider' },
    {
      key: 'end',
      danger: true,
      icon: <PoweroffOutlined />,
      label: <span data-testid="host-end">{t('room.endForAll')}</span>,
    },
  ];
  const onHostMenu: MenuProps['onClick'] = ({ key }) => {
    if (!room) return;
    if (key === 'mute-all') run(() => room.send('host.mute', {}));
    if (key === 'lock') run(() => room.send('host.lock', { locked: !state.room?.locked }));
    if (key === 'end') {
      Modal.confirm({
        title: t('room.endConfirm'),
        okText: t('room.endForAll'),
        okButtonProps: { danger: true, 'data-testid': 'end-confirm' },
        cancelText: t('common.cancel'),
        onOk: onEndForAll,
      });
    }
  };

  return (
    <div className="bm-controls" data-testid="control-bar">
      <Space size={12} wrap={false} className="bm-controls-inner">
        {mayMic && (
          <ControlButton
            testId="ctl-mic"
            label={state.local.mic ? t('room.mute') : t('room.unmute')}
            icon={state.local.mic ? <AudioOutlined /> : <AudioMutedOutlined />}
            danger={!state.local.mic}
            pressed={state.local.mic}
            onClick={() => room && run(() => room.setMic(!state.local.mic), t('room.micFailed'))}
          />
        )}
        {mayVideo && (
          <ControlButton
            testId="ctl-camera"
            label={state.local.camera ? t('room.cameraOff') : t('room.cameraOn')}
            icon={<VideoCameraOutlined />}
            danger={!state.local.camera}
            pressed={state.local.camera}
            onClick={() => room && run(() => room.setCamera(!state.local.camera), t('room.cameraFailed'))}
          />
        )}
        {mayVideo && (
          <ControlButton
            testId="ctl-screen"
            label={state.local.screen ? t('room.stopShare') : t('room.shareScreen')}
            icon={<DesktopOutlined />}
            active={state.local.screen}
            pressed={state.local.screen}
            onClick={() => room && run(() => room.setScreen(!state.local.screen), t('room.screenFailed'))}
          />
        )}
        <ControlButton
          testId="ctl-audio-only"
          label={state.audioOnly ? t('network.videoBack') : t('network.audioOnly')}
          icon={<SoundOutlined />}
          active={state.audioOnly}
          pressed={state.audioOnly}
          onClick={() => {
            if (!room) return;
            const on = !state.audioOnly;
            run(async () => {
              await room.setAudioOnly(on);
              dispatch({ type: 'ui.audioOnly', on });
              if (on) void message.info(t('network.audioOnlyOn'));
            });
          }}
        />
        {mayHand && (
          <ControlButton
            testId="ctl-hand"
            label={handRaised ? t('room.lowerHand') : t('room.raiseHand')}
            icon={<HandIcon />}
            active={handRaised}
            pressed={handRaised}
            onClick={() => room && run(() => room.setHand(!handRaised))}
          />
        )}
        {state.lecture && onToggleQa && (
          <ControlButton
            testId="ctl-qa"
            label={t('lecture.qa')}
            icon={<QuestionCircleOutlined />}
            active={qaOpen}
            badge={state.questions.filter((q) => !q.answered).length}
            onClick={onToggleQa}
          />
        )}
        <ControlButton
          testId="ctl-chat"
          label={t('room.chat')}
          icon={<MessageOutlined />}
          active={state.chatOpen}
          badge={state.unreadChat}
          onClick={() => dispatch({ type: 'ui.chatOpen', open: !state.chatOpen })}
        />
        <ControlButton
          testId="ctl-participants"
          label={`${t('room.participants')} ${count}`}
          icon={<TeamOutlined />}
          active={participantsOpen}
          badge={isHost ? state.lobby.length : 0}
          onClick={onToggleParticipants}
        />
        {isHost && (
          <Dropdown menu={{ items: hostItems, onClick: onHostMenu }} trigger={['click']} placement="top">
            <span className="bm-control">
              <Button
                shape="circle"
                size="large"
                icon={<CrownOutlined />}
                aria-label={t('room.hostMenu')}
                data-testid="ctl-host"
              />
              <span className="bm-control-label">{t('room.hostMenu')}</span>
            </span>
          </Dropdown>
        )}
        <ControlButton
          testId="ctl-leave"
          label={t('room.leave')}
          icon={<LogoutOutlined />}
          danger
          active
          onClick={() => (isHost ? setLeaving(true) : onLeave())}
        />
      </Space>
      <Modal
        open={leaving}
        title={t('room.leaveTitle')}
        onCancel={() => setLeaving(false)}
        footer={[
          <Button key="cancel" onClick={() => setLeaving(false)}>
            {t('common.cancel')}
          </Button>,
          <Button key="leave" onClick={onLeave} data-testid="leave-only">
            {t('room.leaveOnly')}
          </Button>,
          <Button key="end" danger type="primary" onClick={onEndForAll} data-testid="end-for-all">
            {t('room.endForAll')}
          </Button>,
        ]}
      >
        {t('room.leaveHint')}
      </Modal>
    </div>
  );
}
