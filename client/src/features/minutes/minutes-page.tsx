import {
  CheckOutlined,
  DeleteOutlined,
  EditOutlined,
  FilePdfOutlined,
  FileWordOutlined,
  PaperClipOutlined,
  RollbackOutlined,
  SendOutlined,
  UploadOutlined,
} from '@ant-design/icons';
import {
  type Minutes,
  type MinutesFields,
  type MinutesRevisionDetail,
  type MinutesRevisionSummary,
} from '@branchmeet/shared';
import {
  Alert,
  App,
  Breadcrumb,
  Button,
  Card,
  Descriptions,
  Flex,
  Input,
  List,
  Modal,
  Result,
  Skeleton,
  Space,
  Typography,
  Upload,
} from 'antd';
import dayjs from 'dayjs';
import { useCallback, useEffect, useRef, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { Link, useParams } from 'react-router-dom';
import { saveBlob } from '../../api/client';
import { errorText } from '../../api/errors';
import { meetingTitleText, periodText, placeText, sectionTitleText } from '../../i18n/generated-text';
import { useUnits } from '../orgs/units-context';
import { DiffView } from './diff-view';
import { minutesApi } from './minutes-api';
import { MinutesEditor } from './minutes-editor';
import { MinutesStatusTag } from './minutes-status';
import { useMinutesSync } from './use-minutes-sync';
import { VoteResult } from './vote-panel';

const time = (iso: string | null) => (iso ? dayjs(iso).format('YYYY-MM-DD HH:mm') : '');

function FieldsCard({ fields }: { fields: MinutesFields }) {
  const { t } = useTranslation();
  const names = (people: { name: string; reason?: string }[]) =>
    people
      .map((p) => (p.reason ? t('common.withReason', { name: p.name, reason: p.reason }) : p.name))
      .join(t('common.listSep')) || t('common.none');
  const actual = fields.actualStart
    ? `${time(fields.actualStart)} – ${fields.actualEnd ? dayjs(fields.actualEnd).format('HH:mm') : t('minutes.ongoing')}` +
      (fields.durationMinutes !== null ? ` · ${t('minutes.minutesLong', { n: fields.durationMinutes })}` : '')
    : t('minutes.notStarted');
  return (
    <Card size="small" title={t('minutes.fields')} data-testid="minutes-fields">
      <Descriptions size="small" column={{ xs: 1, sm: 2, lg: 3 }}>
        <Descriptions.Item label={t('minutes.meetingType')}>
          {t(`meetingType.${fields.meetingType}`)}
        </Descriptions.Item>
        <Descriptions.Item label={t('minutes.period')}>
          {t('minutes.periodOrdinal', { period: periodText(t, fields.period), n: fields.ordinal })}
        </Descriptions.Item>
        <Descriptions.Item label={t('minutes.place')}>{placeText(t, fields.place)}</Descriptions.Item>
        <Descriptions.Item label={t('minutes.planned')}>
          {fields.scheduledStart
            ? `${time(fields.scheduledStart)} – ${dayjs(fields.scheduledEnd).format('HH:mm')}`
            : t('common.none')}
        </Descriptions.Item>
        <Descriptions.Item label={t('minutes.actual')}>{actual}</Descriptions.Item>
        <Descriptions.Item label={t('minutes.host')}>
          <span data-testid="minutes-host">{fields.host?.name ?? t('common.none')}</span>
        </Descriptions.Item>
        <Descriptions.Item label={t('minutes.recorder')}>
          <span data-testid="minutes-recorder">{fields.recorder?.name ?? t('common.none')}</span>
        </Descriptions.Item>
        <Descriptions.Item label={t('minutes.counts')} span="filled">
          <span data-testid="minutes-counts">
            {t('minutes.countsText', {
              expected: fields.expected,
              present: fields.present,
              excused: fields.excused,
              absent: fields.absent,
            })}
          </span>
        </Descriptions.Item>
        <Descriptions.Item label={t('minutes.presentNames')} span="filled">
          {names(fields.presentNames)}
        </Descriptions.Item>
        <Descriptions.Item label={t('minutes.excusedNames')} span="filled">
          {names(fields.excusedNames)}
        </Descriptions.Item>
        <Descriptions.Item label={t('minutes.absentNames')} span="filled">
          {names(fields.absentNames)}
        </Descriptions.Item>
        <Descriptions.Item label={t('minutes.observers')} span="filled">
          {names(fields.observers)}
        </Descriptions.Item>
      </Descriptions>
      <Typography.Text type="secondary" style={{ fontSize: 12 }}>
        {t('minutes.autoHint', { type: t(`meetingType.${fields.meetingType}`) })}
      </Typography.Text>
    </Card>
  );
}

/** `/meetings/:meetingId/minutes`: the record after (or during) the meeting, its review, revisions, exports. */
export function MinutesPage() {
  const { t } = useTranslation();
  const { message, modal } = App.useApp();
  const { meetingId = '' } = useParams();
  const { byId } = useUnits();
  const [minutes, setMinutes] = useState<Minutes | null>(null);
  const [failed, setFailed] = useState<unknown>(null);
  const [busy, setBusy] = useState<string | null>(null);
  const [revisions, setRevisions] = useState<MinutesRevisionSummary[]>([]);
  const [revision, setRevision] = useState<MinutesRevisionDetail | null>(null);
  const [reasons, setReasons] = useState<Record<string, string>>({});
  const [correcting, setCorrecting] = useState(false);
  const { sync, state } = useMinutesSync(meetingId);

  const load = useCallback(async () => {
    try {
      const m = await minutesApi.get(meetingId);
      setMinutes(m);
      setReasons(m.absenceReasons);
      setFailed(null);
      setRevisions(await minutesApi.revisions(meetingId));
    } catch (err) {
      setFailed(err);
    }
  }, [meetingId]);

  useEffect(() => {
    void load();
  }, [load]);
  // Someone else submitted, returned or approved it: show the new state.
  const lastStatus = useRef(state.status);
  useEffect(() => {
    if (state.status && lastStatus.current && state.status !== lastStatus.current) void load();
    lastStatus.current = state.status;
  }, [state.status, load]);

  if (!minutes) {
    if (failed) return <Result status="404" title="404" subTitle={errorText(failed, t)} />;
    return <Skeleton active />;
  }
  const unit = byId(minutes.unitId);
  const can = minutes.can;
  const editable = !!sync && sync.canWrite && can.write;

  const act = async (name: string, fn: () => Promise<Minutes | void>, done?: string) => {
    setBusy(name);
    try {
      const next = await fn();
      if (next) {
        setMinutes(next);
        setReasons(next.absenceReasons);
      }
      setRevisions(await minutesApi.revisions(meetingId));
      if (done) void message.success(done);
    } catch (err) {
      void message.error(errorText(err, t));
    } finally {
      setBusy(null);
    }
  };

  const download = (format: 'docx' | 'pdf') =>
    act(format, async () => {
      saveBlob(await minutesApi.exportFile(meetingId, format), `${minutes.fields.title}-会议记录.${format}`);
    });

  const askReason = (title: string, onOk: (reason: string) => Promise<void>, testId: string) => {
    let reason = '';
    void modal.confirm({
      title,
      content: (
        <Input.TextArea
          autoFocus
          maxLength={500}
          placeholder={t('minutes.reasonPlaceholder')}
          onChange={(e) => {
            reason = e.target.value;
          }}
          data-testid={testId}
        />
      ),
      okText: t('common.ok'),
      cancelText: t('common.cancel'),
      onOk: () =>
        (reason.trim() ? onOk(reason.trim()) : Promise.reject(new Error('reason'))).catch(() => {
          void message.warning(t('minutes.reasonRequired'));
          throw new Error('reason required');
        }),
    });
  };

  const absentChanged = minutes.fields.absentNames.some(
    (p) => (reasons[p.userId] ?? '') !== (minutes.absenceReasons[p.userId] ?? ''),
  );

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
        <Space wrap>
          {can.sign && (
            <Button
              icon={<EditOutlined />}
              loading={busy === 'sign'}
              onClick={() => void act('sign', () => minutesApi.sign(meetingId), t('minutes.signed'))}
              data-testid="minutes-sign"
            >
              {t('minutes.sign')}
            </Button>
          )}
          {can.submit && (
            <Button
              type="primary"
              icon={<SendOutlined />}
              loading={busy === 'submit'}
              onClick={() =>
                void modal.confirm({
                  title: t('minutes.submitConfirmTitle'),
                  content: t('minutes.submitConfirm'),
                  okText: t('minutes.submit'),
                  cancelText: t('common.cancel'),
                  onOk: () => act('submit', () => minutesApi.submit(meetingId), t('minutes.submitted')),
                })
              }
              data-testid="minutes-submit"
            >
              {t('minutes.submit')}
            </Button>
          )}
          {can.review && (
            <>
              <Button
                type="primary"
                icon={<CheckOutlined />}
                loading={busy === 'approve'}
                onClick={() =>
                  void act('approve', () => minutesApi.approve(meetingId), t('minutes.approved'))
                }
                data-testid="minutes-approve"
              >
                {t('minutes.approve')}
              </Button>
              <Button
                icon={<RollbackOutlined />}
                onClick={() =>
                  askReason(
                    t('minutes.returnTitle'),
                    (reason) =>
                      act('return', () => minutesApi.returnMinutes(meetingId, reason), t('minutes.returned')),
                    'return-reason',
                  )
                }
                data-testid="minutes-return"
              >
                {t('minutes.return')}
              </Button>
            </>
          )}
          {can.correct && (
            <Button icon={<EditOutlined />} onClick={() => setCorrecting(true)} data-testid="minutes-correct">
              {t('minutes.correct')}
            </Button>
          )}
          {can.export && (
            <>
              <Button
                icon={<FileWordOutlined />}
                loading={busy === 'docx'}
                onClick={() => void download('docx')}
                data-testid="minutes-docx"
              >
                {t('minutes.exportDocx')}
              </Button>
              <Button
                icon={<FilePdfOutlined />}
                loading={busy === 'pdf'}
                onClick={() => void download('pdf')}
                data-testid="minutes-pdf"
              >
                {t('minutes.exportPdf')}
              </Button>
            </>
          )}
        </Space>
      </Flex>

      {minutes.status === 'returned' && minutes.review.reason && (
        <Alert
          type="warning"
          showIcon
          message={t('minutes.returnedBy', { who: minutes.review.reviewedBy ?? '' })}
          description={minutes.review.reason}
          data-testid="minutes-returned"
        />
      )}
      {minutes.status === 'submitted' && (
        <Alert
          type="info"
          showIcon
          message={t('minutes.waiting', {
            who: minutes.review.submittedBy ?? '',
            at: time(minutes.review.submittedAt),
          })}
          description={
            minutes.review.reason
              ? t('minutes.correctionReason', { reason: minutes.review.reason })
              : undefined
          }
        />
      )}
      {minutes.status === 'approved' && (
        <Alert
          type="success"
          showIcon
          message={t('minutes.approvedBy', {
            who: minutes.review.reviewedBy ?? '',
            at: time(minutes.review.reviewedAt),
          })}
        />
      )}

      <FieldsCard fields={minutes.fields} />

      {can.editFields && minutes.fields.absentNames.length > 0 && (
        <Card size="small" title={t('minutes.absenceReasons')}>
          <Flex vertical gap={8}>
            {minutes.fields.absentNames.map((p) => (
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
                disabled={!absentChanged}
                loading={busy === 'reasons'}
                onClick={() =>
                  void act(
                    'reasons',
                    () =>
                      minutesApi.update(meetingId, {
                        absenceReasons: Object.fromEntries(
                          minutes.fields.absentNames.map((p) => [p.userId, reasons[p.userId] ?? '']),
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
      )}

      <Card
        size="small"
        title={t('minutes.content')}
        extra={
          state.synced && (
            <Typography.Text type="secondary" data-testid="minutes-mode">
              {editable ? t('minutes.writingLive') : t('minutes.readOnlyLive')}
            </Typography.Text>
          )
        }
      >
        <MinutesEditor sync={sync} editable={editable} />
      </Card>

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
                    loading={busy === 'vote'}
                    onClick={() =>
                      void act('vote', async () => {
                        await sync.vote('close', v.id);
                        await load();
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

      <Card
        size="small"
        title={t('minutes.attachments')}
        extra={
          can.editFields && (
            <Upload
              showUploadList={false}
              customRequest={({ file }) =>
                void act('attach', async () => {
                  await minutesApi.attach(meetingId, file as File);
                  await load();
                })
              }
            >
              <Button
                size="small"
                icon={<UploadOutlined />}
                loading={busy === 'attach'}
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
              actions={[
                ...(can.editFields
                  ? [
                      <Button
                        key="rm"
                        size="small"
                        type="text"
                        danger
                        icon={<DeleteOutlined />}
                        aria-label={t('common.delete')}
                        onClick={() =>
                          void act('rm', async () => {
                            await minutesApi.removeAttachment(meetingId, a.id);
                            await load();
                          })
                        }
                      />,
                    ]
                  : []),
              ]}
            >
              <Button
                type="link"
                icon={<PaperClipOutlined />}
                onClick={() =>
                  void act('dl', async () =>
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

      <Card size="small" title={t('minutes.signatures')}>
        <Descriptions size="small" column={{ xs: 1, sm: 2 }}>
          <Descriptions.Item label={t('minutes.hostSignature')}>
            <span data-testid="signature-host">
              {minutes.signatures.host
                ? `${minutes.signatures.host.name} · ${time(minutes.signatures.host.at)}`
                : t('minutes.notSigned')}
            </span>
          </Descriptions.Item>
          <Descriptions.Item label={t('minutes.recorderSignature')}>
            <span data-testid="signature-recorder">
              {minutes.signatures.recorder
                ? `${minutes.signatures.recorder.name} · ${time(minutes.signatures.recorder.at)}`
                : t('minutes.notSigned')}
            </span>
          </Descriptions.Item>
        </Descriptions>
      </Card>

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
                  at: time(r.createdAt),
                })}
                {r.reason ? ` — ${r.reason}` : ''}
              </Typography.Text>
            </List.Item>
          )}
        />
      </Card>

      <Modal
        open={!!revision}
        title={revision ? t('minutes.diffTitle', { n: revision.number }) : ''}
        footer={null}
        width={820}
        onCancel={() => setRevision(null)}
      >
        {revision && <DiffView parts={revision.diff} />}
      </Modal>
      {correcting && (
        <CorrectionModal
          minutes={minutes}
          onClose={() => setCorrecting(false)}
          onSaved={(m) => {
            setCorrecting(false);
            setMinutes(m);
            void load();
          }}
        />
      )}
    </Flex>
  );
}

/** A correction of approved minutes: the texts to correct and why (a new revision, reviewed again). */
function CorrectionModal({
  minutes,
  onClose,
  onSaved,
}: {
  minutes: Minutes;
  onClose(): void;
  onSaved(m: Minutes): void;
}) {
  const { t } = useTranslation();
  const { message } = App.useApp();
  const [texts, setTexts] = useState(() => Object.fromEntries(minutes.sections.map((s) => [s.key, s.text])));
  const [resolutions, setResolutions] = useState(minutes.resolutions);
  const [reason, setReason] = useState('');
  const [saving, setSaving] = useState(false);
  return (
    <Modal
      open
      width={760}
      title={t('minutes.correctTitle')}
      okText={t('minutes.correct')}
      cancelText={t('common.cancel')}
      confirmLoading={saving}
      okButtonProps={{ disabled: !reason.trim(), ...{ 'data-testid': 'correction-save' } }}
      onCancel={onClose}
      onOk={() => {
        setSaving(true);
        minutesApi
          .correct(minutes.meetingId, {
            reason: reason.trim(),
            sections: minutes.sections.map((s) => ({ key: s.key, text: texts[s.key] ?? '' })),
            resolutions,
          })
          .then(onSaved, (err: unknown) => void message.error(errorText(err, t)))
          .finally(() => setSaving(false));
      }}
    >
      <Flex vertical gap={12}>
        <Typography.Text type="secondary">{t('minutes.correctHint')}</Typography.Text>
        {minutes.sections.map((s, i) => (
          <Flex vertical gap={4} key={s.key}>
            <Typography.Text strong>{`${i + 1}. ${sectionTitleText(t, s)}`}</Typography.Text>
            <Input.TextArea
              autoSize={{ minRows: 3, maxRows: 12 }}
              value={texts[s.key]}
              onChange={(e) => setTexts({ ...texts, [s.key]: e.target.value })}
            />
          </Flex>
        ))}
        <Typography.Text strong>{t('minutes.resolutions')}</Typography.Text>
        <Input.TextArea
          autoSize={{ minRows: 2, maxRows: 8 }}
          value={resolutions}
          onChange={(e) => setResolutions(e.target.value)}
        />
        <Typography.Text strong>{t('minutes.correctionReasonLabel')}</Typography.Text>
        <Input.TextArea
          maxLength={500}
          value={reason}
          onChange={(e) => setReason(e.target.value)}
          placeholder={t('minutes.reasonPlaceholder')}
          data-testid="correction-reason"
        />
      </Flex>
    </Modal>
  );
}
