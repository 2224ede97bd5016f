import {
  AuditOutlined,
  CalendarOutlined,
  EditOutlined,
  FileDoneOutlined,
  PlayCircleOutlined,
  UserSwitchOutlined,
} from '@ant-design/icons';
import type { TodoItem, TodoKind } from '@branchmeet/shared';
import { Button, Card, Empty, List, Space, Tag, Typography } from 'antd';
import { useCallback, useEffect, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { useNavigate } from 'react-router-dom';
import { http } from '../../api/endpoints';
import { useNotifications } from '../notifications/notifications-context';
import { formatTime } from '../schedule/meeting-tags';

type Key =
  'leave_decide' | 'meeting_soon' | 'minutes_review' | 'minutes_fix' | 'minutes_write' | 'makeup_owed';
const keyOf = (kind: TodoKind) => kind.replace('.', '_') as Key;

const icons: Record<TodoKind, React.ReactNode> = {
  'leave.decide': <UserSwitchOutlined />,
  'meeting.soon': <CalendarOutlined />,
  'minutes.review': <AuditOutlined />,
  'minutes.fix': <EditOutlined />,
  'minutes.write': <FileDoneOutlined />,
  'makeup.owed': <PlayCircleOutlined />,
};

/** Where an item is done. */
const target = (i: TodoItem) =>
  i.kind === 'meeting.soon' && i.live
    ? `/meetings/${i.meetingId}`
    : i.kind.startsWith('minutes.')
      ? `/meetings/${i.meetingId}/minutes`
      : `/meetings/${i.meetingId}/info`;

/**
 * 待办: what waits for me — leave requests to decide, meetings about to start, minutes to write, fix or review,
 * make-up study owed; each with the one button that does it. Reloaded when a notification arrives.
 */
export function TodoPage() {
  const { t } = useTranslation();
  const navigate = useNavigate();
  const [items, setItems] = useState<TodoItem[] | null>(null);
  const { items: pushed } = useNotifications();
  const lastPush = pushed[0]?.id;

  const load = useCallback(async () => {
    try {
      setItems((await http.todos()).items);
    } catch {
      setItems((current) => current ?? []);
    }
  }, []);

  useEffect(() => {
    void load();
  }, [load, lastPush]);

  return (
    <Card title={t('todos.title')} data-testid="todo-list">
      <List
        loading={items === null}
        dataSource={items ?? []}
        locale={{ emptyText: <Empty image={Empty.PRESENTED_IMAGE_SIMPLE} description={t('todos.empty')} /> }}
        renderItem={(i) => (
          <List.Item
            data-testid="todo-item"
            data-kind={i.kind}
            actions={[
              <Button
                key="go"
                type={i.kind === 'meeting.soon' && !i.live ? 'default' : 'primary'}
                size="small"
                onClick={() => navigate(target(i))}
                data-testid="todo-action"
              >
                {t(`todos.action.${i.kind === 'meeting.soon' && i.live ? 'join' : keyOf(i.kind)}`)}
              </Button>,
            ]}
          >
            <List.Item.Meta
              avatar={icons[i.kind]}
              title={
                <Space wrap size={6}>
                  <Tag>{t(`todos.kind.${keyOf(i.kind)}`)}</Tag>
                  <Typography.Text strong>{i.title}</Typography.Text>
                  {i.live && <Tag color="red">{t('todos.live')}</Tag>}
                </Space>
              }
              description={
                <Space direction="vertical" size={0}>
                  <Typography.Text type="secondary">
                    {i.unitName} · {formatTime(i.start)}
                  </Typography.Text>
                  {i.kind === 'leave.decide' && (
                    <Typography.Text>
                      {t('todos.leaveLine', {
                        name: i.name ?? '',
                        type: i.leaveType ? t(`leaveTypes.${i.leaveType}`) : '',
                        reason: i.reason ?? '',
                      })}
                    </Typography.Text>
                  )}
                  {i.kind === 'minutes.fix' && i.reason && (
                    <Typography.Text type="danger">
                      {t('todos.returnedFor', { reason: i.reason })}
                    </Typography.Text>
                  )}
                </Space>
              }
            />
          </List.Item>
        )}
      />
    </Card>
  );
}
