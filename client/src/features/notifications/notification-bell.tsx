import { BellOutlined, CalendarOutlined, CheckCircleOutlined, ClockCircleOutlined } from '@ant-design/icons';
import type { Notification } from '@branchmeet/shared';
import { Badge, Button, Empty, Flex, List, Popover, Typography } from 'antd';
import dayjs from 'dayjs';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { useNavigate } from 'react-router-dom';
import { notificationText } from './notification-text';
import { useNotifications } from './notifications-context';
import './notifications.css';

const icon = (n: Notification) =>
  n.kind === 'meeting.reminder' || n.kind === 'meeting.started' ? (
    <ClockCircleOutlined />
  ) : n.kind.startsWith('leave.') || n.kind.startsWith('minutes.') ? (
    <CheckCircleOutlined />
  ) : (
    <CalendarOutlined />
  );

/** The bell in the header: the unread count, and the newest notifications; a click opens the meeting. */
export function NotificationBell() {
  const { t } = useTranslation();
  const navigate = useNavigate();
  const { items, unread, loading, markRead, markAllRead } = useNotifications();
  const [open, setOpen] = useState(false);

  const openOne = (n: Notification) => {
    if (!n.read) void markRead([n.id]).catch(() => undefined);
    setOpen(false);
    if (n.meetingId)
      navigate(`/meetings/${n.meetingId}/${n.kind.startsWith('minutes.') ? 'minutes' : 'info'}`);
  };

  const content = (
    <Flex vertical style={{ width: 'min(360px, calc(100vw - 40px))' }} data-testid="notification-list">
      <List
        size="small"
        loading={loading}
        dataSource={items}
        locale={{
          emptyText: <Empty image={Empty.PRESENTED_IMAGE_SIMPLE} description={t('notifications.empty')} />,
        }}
        style={{ maxHeight: 420, overflowY: 'auto' }}
        renderItem={(n) => (
          <List.Item
            onClick={() => openOne(n)}
            style={{ cursor: 'pointer', paddingInline: 4 }}
            data-testid="notification-item"
            data-read={n.read}
          >
            <List.Item.Meta
              avatar={<Badge dot={!n.read}>{icon(n)}</Badge>}
              title={
                <Typography.Text strong={!n.read} style={{ fontWeight: n.read ? 400 : 600 }}>
                  {notificationText(n, t)}
                </Typography.Text>
              }
              description={dayjs(n.createdAt).format('MM-DD HH:mm')}
            />
          </List.Item>
        )}
      />
      {unread > 0 && (
        <Button
          type="link"
          size="small"
          onClick={() => void markAllRead()}
          data-testid="notifications-read-all"
        >
          {t('notifications.markAllRead')}
        </Button>
      )}
    </Flex>
  );

  return (
    <Popover
      content={content}
      title={t('notifications.title')}
      trigger="click"
      placement="bottomRight"
      arrow={false}
      rootClassName="bm-notification-popover"
      open={open}
      onOpenChange={setOpen}
    >
      <Button
        type="text"
        aria-label={t('notifications.bell', { count: unread })}
        style={{ color: '#fff', paddingInline: 6 }}
        data-testid="notification-bell"
      >
        <Badge count={unread} size="small" offset={[2, -2]} data-testid="notification-unread">
          <BellOutlined style={{ color: '#fff', fontSize: 18 }} />
        </Badge>
      </Button>
    </Popover>
  );
}
