import { SendOutlined } from '@ant-design/icons';
import { App, Button, Empty, Flex, Input, Typography } from 'antd';
import dayjs from 'dayjs';
import { useEffect, useRef, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { errorText } from '../../api/errors';
import { useRoom } from './room-context';

/** The meeting's chat: history from the join answer, then live messages; Enter sends. */
export function ChatPanel() {
  const { t } = useTranslation();
  const { message } = App.useApp();
  const { state, room } = useRoom();
  const [text, setText] = useState('');
  const [sending, setSending] = useState(false);
  const end = useRef<HTMLDivElement>(null);

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
                <div className="bm-chat-text">{m.text}</div>
              </div>
            );
          })
        )}
        <div ref={end} />
      </div>
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
