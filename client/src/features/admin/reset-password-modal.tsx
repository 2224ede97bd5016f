import type { RosterMember } from '@branchmeet/shared';
import { Alert, App, Form, Input, Modal, Typography, type ButtonProps } from 'antd';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { http } from '../../api/endpoints';
import { errorText } from '../../api/errors';

/** Administrator resets a member's password: to a given one, or to a temporary one shown once. */
export function ResetPasswordModal({ member, onClose }: { member: RosterMember; onClose: () => void }) {
  const { t } = useTranslation();
  const { message } = App.useApp();
  const [form] = Form.useForm<{ newPassword?: string }>();
  const [saving, setSaving] = useState(false);
  const [temporary, setTemporary] = useState<string | null>(null);

  const submit = async () => {
    const { newPassword } = await form.validateFields();
    setSaving(true);
    try {
      const result = await http.resetPassword(member.userId, newPassword ? { newPassword } : {});
      message.success(t('admin.resetDone'));
      if (result?.temporaryPassword) setTemporary(result.temporaryPassword);
      else onClose();
    } catch (err) {
      message.error(errorText(err, t));
    } finally {
      setSaving(false);
    }
  };

  return (
    <Modal
      open
      title={t('admin.resetTitle', { name: member.name })}
      okText={temporary ? t('common.ok') : t('admin.resetPassword')}
      cancelText={t('common.cancel')}
      onOk={temporary ? onClose : () => void submit().catch(() => undefined)}
      onCancel={onClose}
      confirmLoading={saving}
      cancelButtonProps={{ style: temporary ? { display: 'none' } : undefined }}
      okButtonProps={{ 'data-testid': 'reset-password-ok' } as ButtonProps}
    >
      {temporary ? (
        <div data-testid="temporary-password">
          <Typography.Paragraph>
            {t('admin.temporaryPassword')}:{' '}
            <Typography.Text code copyable strong style={{ fontSize: 16 }}>
              {temporary}
            </Typography.Text>
          </Typography.Paragraph>
          <Alert type="warning" showIcon title={t('admin.temporaryHint')} />
        </div>
      ) : (
        <Form form={form} layout="vertical" requiredMark={false}>
          <Form.Item
            name="newPassword"
            label={t('admin.resetNewPassword')}
            extra={t('admin.resetHint')}
            rules={[{ min: 8, message: t('auth.passwordTooShort') }, { max: 128 }]}
          >
            <Input.Password autoComplete="new-password" />
          </Form.Item>
        </Form>
      )}
    </Modal>
  );
}
