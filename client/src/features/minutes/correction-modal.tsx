import type { Minutes } from '@branchmeet/shared';
import { App, Flex, Input, Modal, Typography } from 'antd';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { errorText } from '../../api/errors';
import { sectionTitleText } from '../../i18n/generated-text';
import { minutesApi } from './minutes-api';

/** A correction of approved minutes: the texts to correct and why (a new revision, reviewed again). */
export function CorrectionModal({
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
