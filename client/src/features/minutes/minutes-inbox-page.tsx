import type { MinutesListItem } from '@branchmeet/shared';
import { Card, Empty, Flex, List, Skeleton, Space, Tag, Typography } from 'antd';
import dayjs from 'dayjs';
import { useEffect, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { Link } from 'react-router-dom';
import { meetingTitleText } from '../../i18n/generated-text';
import { errorText } from '../../api/errors';
import { minutesApi } from './minutes-api';

/** `/minutes/inbox`: minutes the branches below submitted, waiting for this upper-level secretary's review. */
export function MinutesInboxPage() {
  const { t } = useTranslation();
  const [items, setItems] = useState<MinutesListItem[] | null>(null);
  const [error, setError] = useState<string | null>(null);
  useEffect(() => {
    minutesApi.inbox().then(setItems, (err: unknown) => setError(errorText(err, t)));
  }, [t]);
  return (
    <Flex vertical gap={16} data-testid="minutes-inbox">
      <Typography.Title level={3} style={{ margin: 0 }}>
        {t('minutes.inbox')}
      </Typography.Title>
      <Card size="small">
        {error ? (
          <Typography.Text type="danger">{error}</Typography.Text>
        ) : !items ? (
          <Skeleton active />
        ) : items.length === 0 ? (
          <Empty description={t('minutes.inboxEmpty')} />
        ) : (
          <List
            dataSource={items}
            renderItem={(m) => (
              <List.Item data-testid="inbox-item">
                <List.Item.Meta
                  title={
                    <Space wrap>
                      <Link to={`/meetings/${m.meetingId}/minutes`}>{meetingTitleText(t, m.title)}</Link>
                      <Tag>{m.unitName}</Tag>
                      {m.revision > 1 && (
                        <Tag color="orange">{t('minutes.revisionN', { n: m.revision })}</Tag>
                      )}
                    </Space>
                  }
                  description={
                    <Flex vertical gap={2}>
                      <Typography.Text type="secondary">
                        {t('minutes.submittedAt', {
                          held: dayjs(m.startedAt).format('YYYY-MM-DD HH:mm'),
                          at: m.submittedAt ? dayjs(m.submittedAt).format('YYYY-MM-DD HH:mm') : '',
                        })}
                      </Typography.Text>
                      {m.snippet && <Typography.Text ellipsis>{m.snippet}</Typography.Text>}
                    </Flex>
                  }
                />
              </List.Item>
            )}
          />
        )}
      </Card>
    </Flex>
  );
}
