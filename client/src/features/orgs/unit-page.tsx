import { BarChartOutlined, FileTextOutlined, PlusOutlined, TeamOutlined } from '@ant-design/icons';
import { Breadcrumb, Button, Card, Flex, Result, Skeleton, Space, Tag, Typography } from 'antd';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { Link, useParams } from 'react-router-dom';
import { LiveMeetingsCard } from '../meeting/live-meetings-card';
import { UpcomingMeetingsCard } from '../schedule/upcoming-meetings-card';
import { BranchChannelsCard } from '../notifications/channel-settings';
import { RosterSection } from './roster-section';
import { UnitFormModal } from './unit-form-modal';
import { AccessTag, UnitTypeTag } from './unit-tags';
import { childUnits, unitAllows, unitPath } from './unit-tree';
import { useUnits } from './units-context';

/** `/units/:unitId`: a unit's header, its sub-units (party groups of a branch) and its roster. */
export function UnitPage() {
  const { t } = useTranslation();
  const { unitId = '' } = useParams();
  const { units, loading, byId, reload } = useUnits();
  const [creatingGroup, setCreatingGroup] = useState(false);
  const unit = byId(unitId);

  if (!unit) {
    if (loading) return <Skeleton active />;
    return <Result status="404" title="404" subTitle={t('org.notFound')} />;
  }

  const path = unitPath(units, unit.id);
  const children = childUnits(units, unit.id);
  const groups = unit.type === 'branch' ? children.filter((c) => c.type === 'group') : [];
  const mayCreateGroup = unit.type === 'branch' && unitAllows(unit, 'group.create');

  return (
    <Flex vertical gap={16}>
      <Breadcrumb
        items={[
          { title: <Link to="/org">{t('nav.org')}</Link> },
          ...path.map((u) =>
            u.id === unit.id ? { title: u.name } : { title: <Link to={`/units/${u.id}`}>{u.name}</Link> },
          ),
        ]}
      />
      <Flex wrap align="center" gap={8}>
        <Typography.Title level={3} style={{ margin: 0 }} data-testid="unit-title">
          {unit.name}
        </Typography.Title>
        <UnitTypeTag type={unit.type} />
        <AccessTag access={unit.access} />
        <Typography.Text type="secondary">
          <TeamOutlined /> {t('org.memberCount', { count: unit.memberCount })}
        </Typography.Text>
        <Space wrap style={{ marginInlineStart: 'auto' }}>
          {unit.type === 'branch' && (
            <Link to={`/units/${unit.id}/minutes`} data-testid="unit-minutes">
              <Button icon={<FileTextOutlined />}>{t('minutes.archive')}</Button>
            </Link>
          )}
          {unit.type !== 'group' && (
            <Link to={`/units/${unit.id}/statistics`}>
              <Button icon={<BarChartOutlined />} data-testid="open-statistics">
                {t('statistics.open')}
              </Button>
            </Link>
          )}
        </Space>
      </Flex>

      {(children.length > 0 || mayCreateGroup) && (
        <Card
          size="small"
          title={unit.type === 'branch' ? t('org.groups') : t('org.children')}
          extra={
            mayCreateGroup && (
              <Button
                size="small"
                icon={<PlusOutlined />}
                onClick={() => setCreatingGroup(true)}
                data-testid="group-create"
              >
                {t('roster.createGroup')}
              </Button>
            )
          }
        >
          {children.length === 0 ? (
            <Typography.Text type="secondary">{t('common.none')}</Typography.Text>
          ) : (
            <Space wrap>
              {children.map((child) => (
                <Link key={child.id} to={`/units/${child.id}`}>
                  <Tag style={{ padding: '2px 8px', fontSize: 14 }}>
                    {child.name} · {t('org.memberCount', { count: child.memberCount })}
                  </Tag>
                </Link>
              ))}
            </Space>
          )}
        </Card>
      )}

      {unit.type === 'branch' && <LiveMeetingsCard unit={unit} />}
      {unit.type === 'branch' && <UpcomingMeetingsCard unit={unit} groups={groups} />}
      {unit.type === 'branch' && <BranchChannelsCard unit={unit} />}

      <RosterSection unit={unit} groups={groups} onChanged={() => void reload()} />

      {creatingGroup && (
        <UnitFormModal
          mode={{ kind: 'create', parent: unit, types: ['group'] }}
          onClose={() => setCreatingGroup(false)}
          onSaved={() => {
            setCreatingGroup(false);
            void reload();
          }}
        />
      )}
    </Flex>
  );
}
