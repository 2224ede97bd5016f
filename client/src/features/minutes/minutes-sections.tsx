import { DeleteOutlined, PaperClipOutlined, UploadOutlined } from '@ant-design/icons';
import type { Minutes, MinutesRevisionDetail, MinutesRevisionSummary } from '@branchmeet/shared';
import { Alert, App, Button, Card, Descriptions, Flex, Input, List, Modal, Typography, Upload } from 'antd';
import { useEffect, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { saveBlob } from '../../api/client';
import { errorText } from '../../api/errors';
import { DiffView } from './diff-view';
import { minutesApi } from './minutes-api';
import { minutesTime } from './minutes-fields-card';
import type { MinutesPageModel } from './use-minutes-page';
import { VoteResult } from './vote-panel';

interface SectionProps {
  minutes: Minutes;
  model: MinutesPageModel;
}

/** The reasons of the absent, for whoever may edit the fields. */
export function AbsenceReasonsCard({ minutes, model }: SectionProps) {
  const { t } = useTranslation();
  const [reasons, setReasons] = useState<Record<string, string>>(minutes.absenceReasons);
  // Loaded or saved again: start from the server's.
  useEffect(() => setReasons(minutes.absenceReasons), [minutes.absenceReasons]);
  const absent = minutes.fields.absentNames;
  const changed = absent.some((p) => (reasons[p.userId] ?? '') !== (minutes.absenceReasons[p.userId] ?? ''));
  return (
    <Card size="small" title={t('minutes.absenceReasons')}>
      <Flex vertical gap={8}>
        {absent.map((p) => (
          <Flex key={p.userId} gap={8} align="center">
            <Typography.Text style={{ minWidth: 64 }}>{p.name}</Typography.Text>
            <Input
              maxLength={200}
              value={reasons[p.userId] ?? ''}
              placeholder={t('minutes.absenceReasonHint')}
              onChange={(e) => setReasons({ ...reasons, [p.userId]: e.target.value })}
              data-testid={`absence-${p.userId}`}
            />
          </Flex>
        ))}
        <div>
          <Button
            disabled={!changed}
            loading={model.busy === 'reasons'}
            onClick={() =>
              void model.act(
                'reasons',
                () =>
                  minutesApi.update(minutes.meetingId, {
                    absenceReasons: Object.fromEntries(
                      absent.map((p) => [p.userId, reasons[p.userId] ?? '']),
                    ),
                  }),
                t('minutes.saved'),
              )
            }
            data-testid="absence-save"
          >
            {t('common.save')}
          </Button>
        </div>
      </Flex>
    </Card>
  );
}

/** Votes still open in the live document (the host may close them from here), then the closed ones' results. */
export function VotesSection({ minutes, model }: SectionProps) {
  const { t } = useTranslation();
  const { sync, state } = model.live;
  return (
    <>
      {sync &&
        state.votes
          .filter((v) => v.status === 'open')
          .map((v) => (
            <Alert
              key={v.id}
              type="warning"
              showIcon
              message={t('minutes.voteStillOpen', { subject: v.subject, cast: v.cast })}
              action={
                state.host && (
                  <Button
                    size="small"
                    loading={model.busy === 'vote'}
                    onClick={() =>
                      void model.act('vote', async () => {
                        await sync.vote('close', v.id);
                        await model.page.reload();
                      })
                    }
                    data-testid="page-vote-close"
                  >
                    {t('minutes.closeVote')}
                  </Button>
                )
              }
            />
          ))}
      {minutes.votes.some((v) => v.status === 'closed') && (
        <Card size="small" title={t('minutes.votes')}>
          <Flex vertical gap={6}>
            {minutes.votes
              .filter((v) => v.status === 'closed')
              .map((v) => (
                <VoteResult key={v.id} vote={v} />
              ))}
          </Flex>
        </Card>
      )}
    </>
  );
}

/** The attached files: download for readers, upload and remove for whoever may edit the fields. */
export function AttachmentsCard({ minutes, model }: SectionProps) {
  const { t } = useTranslation();
  const meetingId = minutes.meetingId;
  const editable = minutes.can.editFields;
  return (
    <Card
      size="small"
      title={t('minutes.attachments')}
      extra={
        editable && (
          <Upload
            showUploadList={false}
            customRequest={({ file }) =>
              void model.act('attach', async () => {
                await minutesApi.attach(meetingId, file as File);
                await model.page.reload();
              })
            }
          >
            <Button
              size="small"
              icon={<UploadOutlined />}
              loading={model.busy === 'attach'}
              data-testid="minutes-attach"
            >
              {t('minutes.attach')}
            </Button>
          </Upload>
        )
      }
    >
      <List
        size="small"
        dataSource={minutes.attachmentFiles}
        locale={{ emptyText: t('minutes.noAttachments') }}
        renderItem={(a) => (
          <List.Item
            actions={
              editable
                ? [
                    <Button
                      key="rm"
                      size="small"
                      type="text"
                      danger
                      icon={<DeleteOutlined />}
                      aria-label={t('common.delete')}
                      onClick={() =>
                        void model.act('rm', async () => {
                          await minutesApi.removeAttachment(meetingId, a.id);
                          await model.page.reload();
                        })
                      }
                    />,
                  ]
                : []
            }
          >
            <Button
              type="link"
              icon={<PaperClipOutlined />}
              onClick={() =>
                void model.act('dl', async () =>
                  saveBlob(await minutesApi.attachment(meetingId, a.id), a.filename),
                )
              }
            >
              {a.filename}
            </Button>
            <Typography.Text type="secondary">{`${Math.max(1, Math.round(a.size / 1024))} KB · ${a.uploadedBy}`}</Typography.Text>
          </List.Item>
        )}
      />
    </Card>
  );
}

export function SignaturesCard({ minutes }: { minutes: Minutes }) {
  const { t } = useTranslation();
  const signed = (s: { name: string; at: string } | null) =>
    s ? `${s.name} · ${minutesTime(s.at)}` : t('minutes.notSigned');
  return (
    <Card size="small" title={t('minutes.signatures')}>
      <Descriptions size="small" column={{ xs: 1, sm: 2 }}>
        <Descriptions.Item label={t('minutes.hostSignature')}>
          <span data-testid="signature-host">{signed(minutes.signatures.host)}</span>
        </Descriptions.Item>
        <Descriptions.Item label={t('minutes.recorderSignature')}>
          <span data-testid="signature-recorder">{signed(minutes.signatures.recorder)}</span>
        </Descriptions.Item>
      </Descriptions>
    </Card>
  );
}

/** The submitted and corrected revisions, newest first, each with its diff. */
export function RevisionsCard({
  meetingId,
  revisions,
}: {
  meetingId: string;
  revisions: MinutesRevisionSummary[];
}) {
  const { t } = useTranslation();
  const { message } = App.useApp();
  const [revision, setRevision] = useState<MinutesRevisionDetail | null>(null);
  return (
    <Card size="small" title={t('minutes.revisions')}>
      <List
        size="small"
        dataSource={[...revisions].reverse()}
        locale={{ emptyText: t('minutes.noRevisions') }}
        renderItem={(r) => (
          <List.Item
            actions={[
              <Button
                key="diff"
                size="small"
                onClick={() =>
                  void minutesApi
                    .revision(meetingId, r.number)
                    .then(setRevision, (err: unknown) => void message.error(errorText(err, t)))
                }
                data-testid={`revision-${r.number}`}
              >
                {t('minutes.viewDiff')}
              </Button>,
            ]}
          >
            <Typography.Text>
              {t(r.kind === 'correction' ? 'minutes.revisionCorrection' : 'minutes.revisionSubmission', {
                n: r.number,
                who: r.createdBy,
                at: minutesTime(r.createdAt),
              })}
              {r.reason ? ` — ${r.reason}` : ''}
            </Typography.Text>
          </List.Item>
        )}
      />
      <Modal
        open={!!revision}
        title={revision ? t('minutes.diffTitle', { n: revision.number }) : ''}
        footer={null}
        width={820}
        onCancel={() => setRevision(null)}
      >
        {revision && <DiffView parts={revision.diff} />}
      </Modal>
    </Card>
  );
}
