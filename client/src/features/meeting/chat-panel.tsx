import { SendOutlined } from '@ant-design/icons';
import { App, Button, Empty, Flex, Input, Tag, Typography } from 'antd';
import dayjs from 'dayjs';
import { useEffect, useRef, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { errorText } from '../../api/errors';
import { useRoom } from './room-context';
import { selfPresents } from './room-store';

/**
 * The meeting's chat: history from the join answer, then live messages; Enter sends. In a lecture a listener's
 * messages go to the presenters only (the server decides; the panel says so, and marks such messages).
 */
export function ChatPanel() {
  const { t } = useTranslation();
  const { message } = App.useApp();
  const { state, room } = useRoom();
  const [text, setText] = useState('');
  const [sending, setSending] = useState(false);
  const end = useRef<HTMLDivElement>(null);
  // A listener, also while given the floor: the floor lets one speak, not write to everyone.
  const listener = !!state.lecture && !selfPresents(state);

  useEffect(() => {
    end.current?.scrollIntoView?.({ block: 'end' });
  }, [state.chat.length]);

  const send = async () => {
    const value = text.trim();
    if (!value || !room) return;
    setSending(true);
    try {
      await room.sendChat(value);
      setText('');
    } catch (err) {
      void message.error(errorText(err, t));
    } finally {
      setSending(false);
    }
  };

  return (
    <Flex vertical gap={8} style={{ height: '100%' }} data-testid="chat-panel">
      <div className="bm-chat-list" data-testid="chat-list">
        {state.chat.length === 0 ? (
          <Empty image={Empty.PRESENTED_IMAGE_SIMPLE} description={t('chat.empty')} />
        ) : (
          state.chat.map((m) => {
            const mine = m.userId === state.self?.userId;
            return (
              <div
                key={m.id}
                className={mine ? 'bm-chat-msg bm-chat-mine' : 'bm-chat-msg'}
                data-testid="chat-message"
              >
                <Typography.Text type="secondary" style={{ fontSize: 12 }}>
                  {m.name} · {dayjs(m.at).format('HH:mm')}
                </Typography.Text>
                {m.audience === 'presenters' && (
                  <Tag style={{ marginInlineStart: 6, fontSize: 11 }} data-testid="chat-to-presenters">
                    {t('chat.toPresenters')}
                  </Tag>
                )}
                <div className="bm-chat-text">{m.text}</div>
              </div>
            );
          })
        )}
        <div ref={end} />
      </div>
      {listener && (
        <Typography.Text type="secondary" style={{ fontSize: 12 }} data-testid="chat-listener-note">
          {t('chat.listenerNote')}
        </Typography.Text>
      )}
      <Flex gap={8}>
        <Input
          value={text}
          maxLength={2000}
          placeholder={t('chat.placeholder')}
          onChange={(e) => setText(e.target.value)}
          onPressEnter={() => void send()}
          data-testid="chat-input"
        />
        <Button
          type="primary"
          icon={<SendOutlined />}
          loading={sending}
          onClick={() => void send()}
          data-testid="chat-send"
          aria-label={t('chat.send')}
        />
      </Flex>
    </Flex>
  );
}
