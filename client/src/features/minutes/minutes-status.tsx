import type { MinutesStatus } from '@branchmeet/shared';
import { Tag } from 'antd';
import { useTranslation } from 'react-i18next';

const colors: Record<MinutesStatus, string> = {
  draft: 'default',
  submitted: 'processing',
  approved: 'success',
  returned: 'warning',
};

export function MinutesStatusTag({ status }: { status: MinutesStatus }) {
  const { t } = useTranslation();
  return (
    <Tag color={colors[status]} data-testid="minutes-status" data-status={status}>
      {t(`minutes.status.${status}`)}
    </Tag>
  );
}
