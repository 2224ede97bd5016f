import type { OrgUnit } from '@branchmeet/shared';
import { Tag } from 'antd';
import { useTranslation } from 'react-i18next';

const typeColors: Record<OrgUnit['type'], string> = {
  committee: 'red',
  general_branch: 'volcano',
  branch: 'orange',
  group: 'gold',
};

const accessColors: Record<OrgUnit['access'], string> = {
  admin: 'purple',
  manager: 'green',
  supervisor: 'blue',
  member: 'default',
};

export function UnitTypeTag({ type }: { type: OrgUnit['type'] }) {
  const { t } = useTranslation();
  return (
    <Tag color={typeColors[type]} style={{ marginInlineEnd: 0 }}>
      {t(`unitType.${type}`)}
    </Tag>
  );
}

export function AccessTag({ access }: { access: OrgUnit['access'] }) {
  const { t } = useTranslation();
  return (
    <Tag color={accessColors[access]} style={{ marginInlineEnd: 0 }} data-testid="unit-access">
      {t(`access.${access}`)}
    </Tag>
  );
}
