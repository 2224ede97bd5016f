import { DeleteOutlined, EditOutlined, PlusOutlined, RightOutlined } from '@ant-design/icons';
import { allowedChildTypes, childTypeAction, deleteUnitAction, type OrgUnit } from '@branchmeet/shared';
import {
  Alert,
  App,
  Button,
  Card,
  Col,
  Descriptions,
  Empty,
  Flex,
  Row,
  Skeleton,
  Space,
  Tree,
  Typography,
} from 'antd';
import type { TreeDataNode } from 'antd';
import { useMemo, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { useNavigate } from 'react-router-dom';
import { http } from '../../api/endpoints';
import { errorText } from '../../api/errors';
import { useMe } from '../auth/auth-context';
import { UnitFormModal, type UnitFormMode } from './unit-form-modal';
import { AccessTag, UnitTypeTag } from './unit-tags';
import { buildUnitTree, childUnits, unitAllows, type UnitNode } from './unit-tree';
import { useUnits } from './units-context';

function toTreeData(nodes: UnitNode[], memberLabel: (count: number) => string): TreeDataNode[] {
  return nodes.map(({ unit, children }) => ({
    key: unit.id,
    title: (
      <Space size={6} data-testid={`org-node-${unit.id}`}>
        <span>{unit.name}</span>
        <UnitTypeTag type={unit.type} />
        <Typography.Text type="secondary" style={{ fontSize: 12 }}>
          {memberLabel(unit.memberCount)}
        </Typography.Text>
      </Space>
    ),
    children: toTreeData(children, memberLabel),
  }));
}

/** `/org`: the organisation tree the user may see, with details and the editing the shared rules allow them. */
export function OrgTreePage() {
  const { t } = useTranslation();
  const { message, modal } = App.useApp();
  const navigate = useNavigate();
  const me = useMe();
  const { units, loading, error, byId, reload } = useUnits();
  const [selectedId, setSelectedId] = useState<string | null>(null);
  const [formMode, setFormMode] = useState<UnitFormMode | null>(null);

  const tree = useMemo(() => buildUnitTree(units), [units]);
  const treeData = useMemo(() => toTreeData(tree, (count) => t('org.memberCount', { count })), [tree, t]);
  const selected = (selectedId && byId(selectedId)) || tree[0]?.unit;

  const confirmDelete = (unit: OrgUnit) => {
    modal.confirm({
      title: t('org.deleteConfirm', { name: unit.name }),
      okText: t('common.delete'),
      okButtonProps: { danger: true },
      cancelText: t('common.cancel'),
      onOk: async () => {
        try {
          await http.deleteUnit(unit.id);
          message.success(t('org.deleted'));
          setSelectedId(null);
          await reload();
        } catch (err) {
          message.error(errorText(err, t));
        }
      },
    });
  };

  const childTypesFor = (unit: OrgUnit): readonly OrgUnit['type'][] =>
    allowedChildTypes[unit.type].filter((type) => unitAllows(unit, childTypeAction(type)));

  if (loading && units.length === 0) return <Skeleton active />;

  return (
    <Flex vertical gap={16}>
      <Flex wrap align="center" justify="space-between" gap={8}>
        <Typography.Title level={3} style={{ margin: 0 }}>
          {t('org.title')}
        </Typography.Title>
        {me.user.isAdmin && (
          <Button
            icon={<PlusOutlined />}
            onClick={() => setFormMode({ kind: 'create', parent: null, types: ['committee'] })}
            data-testid="unit-create-root"
          >
            {t('org.createRoot')}
          </Button>
        )}
      </Flex>
      {error !== null && <Alert type="error" showIcon title={errorText(error, t)} />}
      {units.length === 0 ? (
        <Card>
          <Empty description={t('org.empty')} />
        </Card>
      ) : (
        <Row gutter={[16, 16]}>
          <Col xs={24} lg={14}>
            <Card styles={{ body: { overflowX: 'auto' } }}>
              <Tree
                blockNode
                showLine
                defaultExpandAll
                selectedKeys={selected ? [selected.id] : []}
                treeData={treeData}
                onSelect={(keys) => {
                  if (keys.length > 0) setSelectedId(String(keys[0]));
                }}
                onDoubleClick={(_, node) => navigate(`/units/${String(node.key)}`)}
                data-testid="org-tree"
              />
            </Card>
          </Col>
          <Col xs={24} lg={10}>
            {selected ? (
              <Card
                title={selected.name}
                data-testid="unit-details"
                extra={
                  <Button
                    type="primary"
                    onClick={() => navigate(`/units/${selected.id}`)}
                    data-testid="unit-open"
                  >
                    {t('org.open')} <RightOutlined />
                  </Button>
                }
              >
                <Descriptions column={1} size="small">
                  <Descriptions.Item label={t('org.type')}>
                    <UnitTypeTag type={selected.type} />
                  </Descriptions.Item>
                  <Descriptions.Item label={t('org.yourAccess')}>
                    <AccessTag access={selected.access} />
                  </Descriptions.Item>
                  <Descriptions.Item label={t('org.parent')}>
                    {(selected.parentId && byId(selected.parentId)?.name) || t('common.none')}
                  </Descriptions.Item>
                  <Descriptions.Item label={t('roster.title')}>
                    {t('org.memberCount', { count: selected.memberCount })}
                  </Descriptions.Item>
                  <Descriptions.Item label={t('org.children')}>
                    {childUnits(units, selected.id).length}
                  </Descriptions.Item>
                </Descriptions>
                <Space wrap style={{ marginTop: 12 }}>
                  {childTypesFor(selected).length > 0 && (
                    <Button
                      icon={<PlusOutlined />}
                      onClick={() =>
                        setFormMode({ kind: 'create', parent: selected, types: childTypesFor(selected) })
                      }
                      data-testid="unit-create-child"
                    >
                      {selected.type === 'branch' ? t('roster.createGroup') : t('org.createChild')}
                    </Button>
                  )}
                  {unitAllows(selected, 'unit.update') && (
                    <Button
                      icon={<EditOutlined />}
                      onClick={() => setFormMode({ kind: 'rename', unit: selected })}
                      data-testid="unit-rename"
                    >
                      {t('org.rename')}
                    </Button>
                  )}
                  {unitAllows(selected, deleteUnitAction(selected.type)) && (
                    <Button
                      danger
                      icon={<DeleteOutlined />}
                      onClick={() => confirmDelete(selected)}
                      data-testid="unit-delete"
                    >
                      {t('org.deleteUnit')}
                    </Button>
                  )}
                </Space>
              </Card>
            ) : (
              <Card>
                <Empty description={t('org.selectHint')} />
              </Card>
            )}
          </Col>
        </Row>
      )}
      {formMode && (
        <UnitFormModal
          mode={formMode}
          onClose={() => setFormMode(null)}
          onSaved={(unit) => {
            setFormMode(null);
            if (unit) setSelectedId(unit.id);
            void reload();
          }}
        />
      )}
    </Flex>
  );
}
