import { Breadcrumb, Button, Card, Flex, Result, Skeleton, Space, Typography } from 'antd';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { Link, useParams } from 'react-router-dom';
import { ApiRequestError } from '../../api/client';
import { errorText } from '../../api/errors';
import { meetingTitleText } from '../../i18n/generated-text';
import { useUnits } from '../orgs/units-context';
import { CorrectionModal } from './correction-modal';
import { MinutesEditor } from './minutes-editor';
import { FieldsCard } from './minutes-fields-card';
import { MinutesActions, ReviewAlerts } from './minutes-review';
import {
  AbsenceReasonsCard,
  AttachmentsCard,
  RevisionsCard,
  SignaturesCard,
  VotesSection,
} from './minutes-sections';
import { MinutesStatusTag } from './minutes-status';
import { useMinutesPage } from './use-minutes-page';

/** `/meetings/:meetingId/minutes`: the record after (or during) the meeting, its review, revisions, exports. */
export function MinutesPage() {
  const { t } = useTranslation();
  const { meetingId = '' } = useParams();
  const { byId } = useUnits();
  const model = useMinutesPage(meetingId);
  const { page, live } = model;
  const [correcting, setCorrecting] = useState(false);

  if (!page.data) {
    if (page.error) {
      const missing = page.error instanceof ApiRequestError && page.error.status === 404;
      return (
        <Result
          status={missing ? '404' : 'error'}
          title={missing ? '404' : t('common.loadFailed')}
          subTitle={errorText(page.error, t)}
          extra={
            <Button onClick={() => void page.reload()} data-testid="minutes-retry">
              {t('common.retry')}
            </Button>
          }
        />
      );
    }
    return <Skeleton active />;
  }
  const { minutes, revisions } = page.data;
  const unit = byId(minutes.unitId);
  const editable = !!live.sync && live.sync.canWrite && minutes.can.write;

  return (
    <Flex vertical gap={16} data-testid="minutes-page">
      <Breadcrumb
        items={[
          { title: <Link to="/org">{t('nav.org')}</Link> },
          ...(unit
            ? [
                {
                  title: (
                    <Link to={`/units/${unit.id}/minutes`}>
                      {t('minutes.archiveOf', { unit: unit.name })}
                    </Link>
                  ),
                },
              ]
            : []),
          {
            title: (
              <Link to={`/meetings/${meetingId}/info`}>{meetingTitleText(t, minutes.fields.title)}</Link>
            ),
          },
          { title: t('minutes.title') },
        ]}
      />
      <Flex wrap align="center" justify="space-between" gap={8}>
        <Space wrap align="center">
          <Typography.Title level={3} style={{ margin: 0 }}>
            {t('minutes.titleOf', { title: meetingTitleText(t, minutes.fields.title) })}
          </Typography.Title>
          <MinutesStatusTag status={minutes.status} />
          {minutes.revision > 0 && (
            <Typography.Text type="secondary">
              {t('minutes.revisionN', { n: minutes.revision })}
            </Typography.Text>
          )}
        </Space>
        <MinutesActions minutes={minutes} model={model} onCorrect={() => setCorrecting(true)} />
      </Flex>

      <ReviewAlerts minutes={minutes} />
      <FieldsCard fields={minutes.fields} />
      {minutes.can.editFields && minutes.fields.absentNames.length > 0 && (
        <AbsenceReasonsCard minutes={minutes} model={model} />
      )}

      <Card
        size="small"
        title={t('minutes.content')}
        extra={
          live.state.synced && (
            <Typography.Text type="secondary" data-testid="minutes-mode">
              {editable ? t('minutes.writingLive') : t('minutes.readOnlyLive')}
            </Typography.Text>
          )
        }
      >
        <MinutesEditor sync={live.sync} editable={editable} />
      </Card>

      <VotesSection minutes={minutes} model={model} />
      <AttachmentsCard minutes={minutes} model={model} />
      <SignaturesCard minutes={minutes} />
      <RevisionsCard meetingId={meetingId} revisions={revisions} />

      {correcting && (
        <CorrectionModal
          minutes={minutes}
          onClose={() => setCorrecting(false)}
          onSaved={(m) => {
            setCorrecting(false);
            page.update((data) => ({ ...data, minutes: m }));
            void page.reload();
          }}
        />
      )}
    </Flex>
  );
}
