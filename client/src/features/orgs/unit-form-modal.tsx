import type { OrgUnit, OrgUnitType } from '@branchmeet/shared';
import { App, Form, Input, Modal, Select, type ButtonProps } from 'antd';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { http } from '../../api/endpoints';
import { errorText } from '../../api/errors';

interface Values {
  name: string;
  type: OrgUnitType;
}

export type UnitFormMode =
  | { kind: 'create'; parent: OrgUnit | null; types: readonly OrgUnitType[] }
  | { kind: 'rename'; unit: OrgUnit };

/** Create a unit under a parent (one of `types`), or rename one. Render only while open. */
export function UnitFormModal({
  mode,
  onClose,
  onSaved,
}: {
  mode: UnitFormMode;
  onClose: () => void;
  onSaved: (unit: OrgUnit | null) => void;
}) {
  const { t } = useTranslation();
  const { message } = App.useApp();
  const [form] = Form.useForm<Values>();
  const [saving, setSaving] = useState(false);
  const creating = mode.kind === 'create';
  const onlyGroup = mode.kind === 'create' && mode.types.length === 1 && mode.types[0] === 'group';

  let title: string;
  if (mode.kind === 'rename') title = t('org.rename');
  else if (onlyGroup) title = t('roster.createGroup');
  else if (mode.parent) title = `${t('org.createChild')} · ${mode.parent.name}`;
  else title = t('org.createRoot');

  const submit = async () => {
    const values = await form.validateFields();
    setSaving(true);
    try {
      if (mode.kind === 'create') {
        const created = await http.createUnit({
          name: values.name.trim(),
          type: values.type,
          parentId: mode.parent?.id ?? null,
        });
        message.success(t('org.created', { name: values.name.trim() }));
        onSaved(created ?? null);
      } else {
        const saved = await http.updateUnit(mode.unit.id, { name: values.name.trim() });
        message.success(t('org.renamed'));
        onSaved(saved ?? null);
      }
    } catch (err) {
      message.error(errorText(err, t));
    } finally {
      setSaving(false);
    }
  };

  return (
    <Modal
      open
      title={title}
      okText={creating ? t('common.create') : t('common.save')}
      cancelText={t('common.cancel')}
      onOk={() => void submit().catch(() => undefined)}
      onCancel={onClose}
      confirmLoading={saving}
      okButtonProps={{ 'data-testid': 'unit-save' } as ButtonProps}
    >
      <Form<Values>
        form={form}
        layout="vertical"
        requiredMark={false}
        initialValues={
          mode.kind === 'rename'
            ? { name: mode.unit.name, type: mode.unit.type }
            : { name: '', type: mode.types[0] }
        }
      >
        <Form.Item
          name="name"
          label={onlyGroup ? t('roster.groupName') : t('org.name')}
          rules={[{ required: true, whitespace: true, message: t('org.nameRequired') }, { max: 100 }]}
        >
          <Input autoComplete="off" data-testid="unit-name" />
        </Form.Item>
        {mode.kind === 'create' && !onlyGroup && (
          <Form.Item name="type" label={t('org.type')} rules={[{ required: true }]}>
            <Select options={mode.types.map((type) => ({ value: type, label: t(`unitType.${type}`) }))} />
          </Form.Item>
        )}
      </Form>
    </Modal>
  );
}
