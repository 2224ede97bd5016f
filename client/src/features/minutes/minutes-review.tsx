import {
  CheckOutlined,
  EditOutlined,
  FilePdfOutlined,
  FileWordOutlined,
  RollbackOutlined,
  SendOutlined,
} from '@ant-design/icons';
import type { Minutes } from '@branchmeet/shared';
import { Alert, App, Button, Input, Space } from 'antd';
import { useTranslation } from 'react-i18next';
import { saveBlob } from '../../api/client';
import { minutesApi } from './minutes-api';
import { minutesTime } from './minutes-fields-card';
import type { MinutesPageModel } from './use-minutes-page';

/** The page's action buttons: sign, submit, approve or return, correct, export (each as the minutes allow). */
export function MinutesActions({
  minutes,
  model,
  onCorrect,
}: {
  minutes: Minutes;
  model: MinutesPageModel;
  onCorrect(): void;
}) {
  const { t } = useTranslation();
  const { message, modal } = App.useApp();
  const { act, busy } = model;
  const meetingId = minutes.meetingId;
  const can = minutes.can;

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

  return (
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
            onClick={() => void act('approve', () => minutesApi.approve(meetingId), t('minutes.approved'))}
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
        <Button icon={<EditOutlined />} onClick={onCorrect} data-testid="minutes-correct">
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
  );
}

/** Where the review stands: returned (and why), waiting for approval, or approved. */
export function ReviewAlerts({ minutes }: { minutes: Minutes }) {
  const { t } = useTranslation();
  return (
    <>
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
            at: minutesTime(minutes.review.submittedAt),
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
            at: minutesTime(minutes.review.reviewedAt),
          })}
        />
      )}
    </>
  );
}
