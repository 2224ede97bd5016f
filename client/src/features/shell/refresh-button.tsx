import { ReloadOutlined } from '@ant-design/icons';
import { Button } from 'antd';
import { useTranslation } from 'react-i18next';

/** The small reload button in a card's header. */
export function RefreshButton({ onClick }: { onClick: () => void }) {
  const { t } = useTranslation();
  return (
    <Button
      size="small"
      type="text"
      icon={<ReloadOutlined />}
      aria-label={t('common.refresh')}
      onClick={onClick}
    />
  );
}
