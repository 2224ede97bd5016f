import {
  MemberType,
  UnitRole,
  type OrgUnit,
  type RosterMember,
  type UpdateMemberRequest,
} from '@branchmeet/shared';
import { App, Form, Input, Modal, Select, type ButtonProps } from 'antd';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { ApiRequestError } from '../../api/client';
import { http } from '../../api/endpoints';
import { errorText } from '../../api/errors';

interface Values {
  name: string;
  phone: string;
  role: UnitRole;
  memberType: MemberType;
  groupId: string | null;
}

const PHONE = /^1[3-9]\d{9}$/;
const fieldNames: readonly string[] = ['name', 'phone', 'role', 'memberType', 'groupId'];

/**
 * Add a member to a unit, or edit one (`member` set). Party groups are offered when the unit has any.
 * Render it only while open, so each opening starts from a fresh form.
 */
export function MemberFormModal({
  unit,
  groups,
  member,
  onClose,
  onSaved,
}: {
  unit: OrgUnit;
  groups: OrgUnit[];
  member: RosterMember | null;
  onClose: () => void;
  onSaved: (member: RosterMember | null) => void;
}) {
  const { t } = useTranslation();
  const { message } = App.useApp();
  const [form] = Form.useForm<Values>();
  const [saving, setSaving] = useState(false);

  const initialValues: Values = member
    ? {
        name: member.name,
        phone: member.phone ?? '',
        role: member.role,
        memberType: member.memberType,
        groupId: member.groupId,
      }
    : { name: '', phone: '', role: 'member', memberType: 'member', groupId: null };

  const submit = async () => {
    const values = await form.validateFields();
    const body: Values = {
      ...values,
      name: values.name.trim(),
      phone: values.phone.trim(),
      groupId: values.groupId ?? null,
    };
    setSaving(true);
    try {
      if (member) {
        const changes: UpdateMemberRequest = {};
        if (body.name !== member.name) changes.name = body.name;
        if (body.phone !== (member.phone ?? '')) changes.phone = body.phone;
        if (body.role !== member.role) changes.role = body.role;
        if (body.memberType !== member.memberType) changes.memberType = body.memberType;
        if (body.groupId !== member.groupId) changes.groupId = body.groupId;
        if (Object.keys(changes).length === 0) {
          onClose();
          return;
        }
        const saved = await http.updateMember(unit.id, member.membershipId, changes);
        message.success(t('roster.saved'));
        onSaved(saved ?? null);
      } else {
        const saved = await http.addMember(unit.id, body);
        message.success(t('roster.added', { name: body.name }));
        onSaved(saved ?? null);
      }
    } catch (err) {
      if (err instanceof ApiRequestError && err.issues?.length) {
        const fields = err.issues.filter((i) => fieldNames.includes(i.path));
        form.setFields(fields.map((i) => ({ name: i.path as keyof Values, errors: [i.message] })));
      }
      message.error(errorText(err, t));
    } finally {
      setSaving(false);
    }
  };

  return (
    <Modal
      open
      title={member ? t('roster.editTitle') : t('roster.add')}
      okText={t('common.save')}
      cancelText={t('common.cancel')}
      onOk={() => void submit().catch(() => undefined)}
      onCancel={onClose}
      confirmLoading={saving}
      okButtonProps={{ 'data-testid': 'member-save' } as ButtonProps}
    >
      <Form<Values>
        form={form}
        layout="vertical"
        requiredMark={false}
        initialValues={initialValues}
        data-testid="member-form"
      >
        <Form.Item
          name="name"
          label={t('roster.name')}
          rules={[{ required: true, whitespace: true, message: t('roster.nameRequired') }, { max: 50 }]}
        >
          <Input autoComplete="off" data-testid="member-name" />
        </Form.Item>
        <Form.Item
          name="phone"
          label={t('roster.phone')}
          rules={[{ required: true, pattern: PHONE, message: t('roster.phoneInvalid') }]}
        >
          <Input inputMode="numeric" maxLength={11} autoComplete="off" data-testid="member-phone" />
        </Form.Item>
        <Form.Item name="role" label={t('roster.role')} rules={[{ required: true }]}>
          <Select
            data-testid="member-role"
            options={UnitRole.options.map((role) => ({ value: role, label: t(`role.${role}`) }))}
          />
        </Form.Item>
        <Form.Item name="memberType" label={t('roster.memberType')} rules={[{ required: true }]}>
          <Select
            data-testid="member-type"
            options={MemberType.options.map((type) => ({ value: type, label: t(`memberType.${type}`) }))}
          />
        </Form.Item>
        {groups.length > 0 && (
          <Form.Item name="groupId" label={t('roster.group')}>
            <Select
              data-testid="member-group"
              allowClear
              placeholder={t('roster.noGroup')}
              options={groups.map((g) => ({ value: g.id, label: g.name }))}
            />
          </Form.Item>
        )}
      </Form>
    </Modal>
  );
}
