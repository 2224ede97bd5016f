import type { BranchAttendanceRules, OrgUnit } from '@branchmeet/shared';
import { App, Button, Card, Checkbox, DatePicker, Flex, Form, InputNumber, Typography } from 'antd';
import dayjs, { type Dayjs } from 'dayjs';
import { useEffect, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { http } from '../../api/endpoints';
import { errorText } from '../../api/errors';

interface RulesForm {
  lateAfterMinutes: number;
  presentMinPercent: number;
  meetingMinMinutes: number;
  recompute: boolean;
  recomputeFrom?: Dayjs;
}

/**
 * A branch's attendance rules: shown to its readers, set by its managers — for meetings that end from now on,
 * and optionally recomputing the ended meetings since a date (each recomputation is in the audit log).
 */
export function AttendanceRulesCard({
  unit,
  rules: current,
  editable,
  onChanged,
}: {
  unit: OrgUnit;
  /** As the statistics brought them (one request for the page); undefined while unknown. */
  rules: BranchAttendanceRules | undefined;
  editable: boolean;
  onChanged(): void;
}) {
  const { t } = useTranslation();
  const { message } = App.useApp();
  const [rules, setRules] = useState<BranchAttendanceRules | undefined>(current);
  const [saving, setSaving] = useState(false);
  const [form] = Form.useForm<RulesForm>();
  const recompute = Form.useWatch('recompute', form);

  useEffect(() => setRules(current), [current]);

  if (!rules) return <Card size="small" title={t('rules.title')} loading />;

  const save = async (v: RulesForm) => {
    setSaving(true);
    try {
      const res = await http.updateAttendanceRules(unit.id, {
        lateAfterMinutes: v.lateAfterMinutes,
        presentMinPercent: v.presentMinPercent,
        meetingMinMinutes: v.meetingMinMinutes,
        ...(v.recompute && v.recomputeFrom
          ? { recomputeFrom: v.recomputeFrom.startOf('day').toISOString() }
          : {}),
      });
      setRules(res);
      void message.success(
        v.recompute
          ? t('rules.savedRecomputed', { count: res.recomputed, changed: res.changed })
          : t('rules.saved'),
      );
      onChanged();
    } catch (err) {
      void message.error(errorText(err, t));
    } finally {
      setSaving(false);
    }
  };

  return (
    <Card size="small" title={t('rules.title')} data-testid="attendance-rules">
      <Typography.Paragraph type="secondary">
        {t('attendanceExtra.rules', {
          late: rules.rules.lateAfterMinutes,
          percent: rules.rules.presentMinPercent,
        })}
        {rules.isDefault ? t('rules.defaultNote', { text: t('rules.default') }) : ''}
        <br />
        {rules.meetingMinMinutes > 0
          ? t('statistics.requiredRule', { min: rules.meetingMinMinutes })
          : t('statistics.requiredRuleOff')}
      </Typography.Paragraph>
      {editable && (
        <Form<RulesForm>
          form={form}
          layout="inline"
          initialValues={{
            ...rules.rules,
            meetingMinMinutes: rules.meetingMinMinutes,
            recompute: false,
            recomputeFrom: dayjs().startOf('year'),
          }}
          onFinish={(v) => void save(v)}
        >
          <Flex wrap gap={8} align="center">
            <Form.Item name="lateAfterMinutes" label={t('rules.late')} rules={[{ required: true }]}>
              <InputNumber
                min={0}
                max={1440}
                step={1}
                addonAfter={t('rules.minutes')}
                data-testid="rules-late"
              />
            </Form.Item>
            <Form.Item name="presentMinPercent" label={t('rules.present')} rules={[{ required: true }]}>
              <InputNumber min={0} max={100} step={5} addonAfter="%" data-testid="rules-percent" />
            </Form.Item>
            <Form.Item name="meetingMinMinutes" label={t('rules.meetingMin')} rules={[{ required: true }]}>
              <InputNumber
                min={0}
                max={1440}
                step={5}
                addonAfter={t('rules.minutes')}
                data-testid="rules-meeting-min"
              />
            </Form.Item>
            <Form.Item name="recompute" valuePropName="checked">
              <Checkbox data-testid="rules-recompute">{t('rules.recompute')}</Checkbox>
            </Form.Item>
            {recompute && (
              <Form.Item name="recomputeFrom" rules={[{ required: true }]}>
                <DatePicker allowClear={false} />
              </Form.Item>
            )}
            <Button type="primary" htmlType="submit" loading={saving} data-testid="rules-save">
              {t('rules.save')}
            </Button>
          </Flex>
        </Form>
      )}
    </Card>
  );
}
