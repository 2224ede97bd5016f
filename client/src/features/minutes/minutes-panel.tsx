import { FileTextOutlined, RightOutlined } from '@ant-design/icons';
import { Alert, Button, Flex, Grid, Tag, Typography } from 'antd';
import { useEffect, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { Link } from 'react-router-dom';
import { MinutesEditor } from './minutes-editor';
import { MinutesStatusTag } from './minutes-status';
import { useMinutesSync } from './use-minutes-sync';
import { VotePanel } from './vote-panel';
import { minutesApi } from './minutes-api';
import './minutes.css';

/**
 * The minutes next to the video in the meeting room: the recorder and the host write, everyone else reads live;
 * the votes. Mounted by the room view for the whole time in the room (votes reach everyone).
 */
export function MinutesPanel({ meetingId }: { meetingId: string }) {
  const { t } = useTranslation();
  const { sync, state } = useMinutesSync(meetingId);
  const [agenda, setAgenda] = useState<string[]>([]);
  const screens = Grid.useBreakpoint();
  const [collapsed, setCollapsed] = useState<boolean | null>(null);
  const openVote = state.votes.find((v) => v.status === 'open')?.id;
  // A vote opens: the panel shows itself (everyone needs to see it).
  useEffect(() => {
    if (openVote) setCollapsed(false);
  }, [openVote]);
  const isCollapsed = collapsed ?? !screens.md;

  useEffect(() => {
    void minutesApi
      .get(meetingId)
      .then((m) => setAgenda(m.fields.agenda))
      .catch(() => setAgenda([]));
  }, [meetingId]);

  const editable = !!sync && sync.canWrite;
  if (isCollapsed)
    return (
      <div
        className="bm-minutes-panel bm-minutes-collapsed"
        data-testid="minutes-panel"
        data-collapsed="true"
      >
        <Button
          className="bm-minutes-tab"
          icon={<FileTextOutlined />}
          onClick={() => setCollapsed(false)}
          data-testid="minutes-expand"
        >
          {t('minutes.title')}
        </Button>
      </div>
    );
  return (
    <Flex vertical gap={12} className="bm-minutes-panel" data-testid="minutes-panel">
      <Flex align="center" justify="space-between" gap={8} wrap>
        <Flex align="center" gap={8}>
          <FileTextOutlined />
          <Typography.Text strong>{t('minutes.title')}</Typography.Text>
          {state.status && <MinutesStatusTag status={state.status} />}
          {state.synced && (
            <Tag color={editable ? 'blue' : 'default'} data-testid="minutes-mode">
              {editable ? t('minutes.writing') : t('minutes.readOnly')}
            </Tag>
          )}
        </Flex>
        <Flex align="center" gap={4}>
          <Link to={`/meetings/${meetingId}/minutes`} target="_blank">
            <Button size="small" type="link">
              {t('minutes.openPage')}
            </Button>
          </Link>
          <Button
            size="small"
            type="text"
            icon={<RightOutlined />}
            aria-label={t('minutes.collapse')}
            onClick={() => setCollapsed(true)}
            data-testid="minutes-collapse"
          />
        </Flex>
      </Flex>
      {state.error && <Alert type="warning" showIcon message={state.error.message} />}
      {state.synced && !state.connected && <Alert type="info" showIcon message={t('minutes.reconnecting')} />}
      <MinutesEditor sync={sync} editable={editable} compact />
      {sync && state.synced && <VotePanel sync={sync} state={state} agenda={agenda} />}
    </Flex>
  );
}
