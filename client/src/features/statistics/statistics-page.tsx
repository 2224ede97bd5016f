import { FileExcelOutlined } from '@ant-design/icons';
import type {
  BranchStatistics,
  MeetingStatistics,
  MemberStatistics,
  UnitStatistics,
} from '@branchmeet/shared';
import { attendanceRate } from '@branchmeet/shared';
import {
  App,
  Breadcrumb,
  Button,
  Card,
  Col,
  DatePicker,
  Flex,
  Result,
  Row,
  Skeleton,
  Space,
  Spin,
  Statistic,
  Table,
  Typography,
} from 'antd';
import type { ColumnsType } from 'antd/es/table';
import dayjs, { type Dayjs } from 'dayjs';
import { lazy, Suspense, useCallback, useDeferredValue, useEffect, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { Link, useParams } from 'react-router-dom';
import { meetingTitleText } from '../../i18n/generated-text';
import { saveBlob } from '../../api/client';
import { http } from '../../api/endpoints';
import { CorrectionsCard } from './corrections-card';
import { RequiredTable } from './required-table';
import { errorText } from '../../api/errors';
import { unitAllows, unitPath } from '../orgs/unit-tree';
import { useUnits } from '../orgs/units-context';
import { formatTime } from '../schedule/meeting-tags';
import { AttendanceRulesCard } from './attendance-rules-card';

// recharts is loaded with the charts only (not in the main bundle), asked for as the page opens: it comes
// while the statistics are on their way, not after them.
const charts = () => import('./statistics-charts');
const MonthlyRateChart = lazy(() => charts().then((m) => ({ default: m.MonthlyRateChart })));
const RequiredChart = lazy(() => charts().then((m) => ({ default: m.RequiredChart })));
const BranchesChart = lazy(() => charts().then((m) => ({ default: m.BranchesChart })));

const chartFallback = (
  <Flex justify="center" align="center" style={{ height: 260 }}>
    <Spin />
  </Flex>
);

/** Branches keep China time: a month begins at 00:00 in Beijing, wherever the browser is. */
const chinaMonth = (d: Dayjs) => `${d.format('YYYY-MM')}-01T00:00:00+08:00`;
/** The first instant of the first month and of the month after the last. */
const periodOf = ([from, to]: [Dayjs, Dayjs]) => ({
  from: chinaMonth(from),
  to: chinaMonth(to.add(1, 'month')),
});

/** An upper unit's totals: its branches' summed (person-times), the rate over them. */
function totalsOf(stats: UnitStatistics): UnitStatistics['summary'] {
  if (stats.branches.length === 0) return stats.summary;
  const sum = (
    k:
      | 'meetingsHeld'
      | 'expected'
      | 'present'
      | 'leftEarly'
      | 'attended'
      | 'excused'
      | 'absent'
      | 'makeUp'
      | 'requiredTotal'
      | 'requiredMet',
  ) => stats.branches.reduce((n, b) => n + b.summary[k], stats.summary[k]);
  const expected = sum('expected');
  const attended = sum('attended');
  return {
    meetingsHeld: sum('meetingsHeld'),
    expected,
    present: sum('present'),
    leftEarly: sum('leftEarly'),
    attended,
    excused: sum('excused'),
    absent: sum('absent'),
    makeUp: sum('makeUp'),
    rate: attendanceRate(attended, expected),
    requiredTotal: sum('requiredTotal'),
    requiredMet: sum('requiredMet'),
  };
}

/**
 * `/units/:unitId/statistics`: a branch's (or an upper unit's) attendance over a period of months — the rate by
 * month, 三会一课 held against required, per meeting and per member; for an upper unit, per branch below it.
 */
export function StatisticsPage() {
  const { t } = useTranslation();
  const { message } = App.useApp();
  const { unitId = '' } = useParams();
  const { units, byId, loading: unitsLoading } = useUnits();
  const unit = byId(unitId);
  const [range, setRange] = useState<[Dayjs, Dayjs]>(() => [
    dayjs().startOf('year'),
    dayjs().startOf('month'),
  ]);
  const [stats, setStats] = useState<UnitStatistics | null>(null);
  const [failed, setFailed] = useState<unknown>(null);
  const [exporting, setExporting] = useState(false);

  const load = useCallback(async () => {
    const { from, to } = periodOf(range);
    try {
      setStats(await http.statistics(unitId, from, to));
      setFailed(null);
    } catch (err) {
      setFailed(err);
    }
  }, [unitId, range]);
  useEffect(() => {
    setStats(null);
    void load();
  }, [load]);
  useEffect(() => void charts().catch(() => undefined), []);
  // The totals and charts first; the tables (hundreds of rows for a committee of many branches) render after,
  // without holding up the first paint or the range picker.
  const tables = useDeferredValue(stats);

  if (!unit) {
    if (unitsLoading) return <Skeleton active />;
    return <Result status="404" title="404" subTitle={t('org.notFound')} />;
  }
  const exportLedger = async () => {
    const { from, to } = periodOf(range);
    setExporting(true);
    try {
      saveBlob(await http.ledger(unit.id, from, to), `${unit.name}-台账.xlsx`);
    } catch (err) {
      void message.error(errorText(err, t));
    } finally {
      setExporting(false);
    }
  };

  const s = stats ? totalsOf(stats) : undefined;
  const upper = !!stats && stats.branches.length > 0;
  return (
    <Flex vertical gap={16} data-testid="statistics-page">
      <Breadcrumb
        items={[
          { title: <Link to="/org">{t('nav.org')}</Link> },
          ...unitPath(units, unit.id).map((u) => ({ title: <Link to={`/units/${u.id}`}>{u.name}</Link> })),
          { title: t('statistics.title') },
        ]}
      />
      <Flex wrap align="center" justify="space-between" gap={8}>
        <Typography.Title level={3} style={{ margin: 0 }}>
          {unit.name} · {t('statistics.title')}
        </Typography.Title>
        <Space wrap>
          <DatePicker.RangePicker
            picker="month"
            allowClear={false}
            value={range}
            onChange={(v) => v?.[0] && v[1] && setRange([v[0], v[1]])}
            data-testid="statistics-range"
          />
          {unitAllows(unit, 'attendance.export') && (
            <Button
              icon={<FileExcelOutlined />}
              loading={exporting}
              onClick={() => void exportLedger()}
              data-testid="ledger-export"
            >
              {t('statistics.ledger')}
            </Button>
          )}
        </Space>
      </Flex>

      {failed && !stats ? (
        <Result status="error" title={errorText(failed, t)} />
      ) : !stats || !s ? (
        <Skeleton active />
      ) : (
        <>
          <Row gutter={[12, 12]} data-testid="statistics-summary">
            {(
              [
                { key: 'meetingsHeld', value: s.meetingsHeld },
                { key: 'expected', value: s.expected },
                { key: 'present', value: s.present },
                { key: 'excusedAbsent', value: `${s.excused} / ${s.absent}` },
                { key: 'rate', value: s.rate, suffix: '%' },
                { key: 'requiredMet', value: `${s.requiredMet} / ${s.requiredTotal}` },
              ] as const
            ).map((c) => (
              <Col key={c.key} xs={12} sm={8} lg={4}>
                <Card size="small">
                  <Statistic
                    title={t(`statistics.card.${c.key}`)}
                    value={c.value}
                    suffix={'suffix' in c ? c.suffix : undefined}
                  />
                </Card>
              </Col>
            ))}
          </Row>
          <Typography.Text type="secondary" data-testid="statistics-rate-rule">
            {t('statistics.rateRule')}
          </Typography.Text>

          <Row gutter={[16, 16]}>
            <Col xs={24} lg={stats.required.length > 0 ? 12 : 24}>
              <Card size="small" title={t('statistics.byMonth')} data-testid="chart-months">
                <Suspense fallback={chartFallback}>
                  <MonthlyRateChart months={stats.months} />
                </Suspense>
              </Card>
            </Col>
            {stats.required.length > 0 && (
              <Col xs={24} lg={12}>
                <Card size="small" title={t('statistics.requiredTitle')} data-testid="chart-required">
                  <Suspense fallback={chartFallback}>
                    <RequiredChart checks={stats.required} />
                  </Suspense>
                </Card>
              </Col>
            )}
          </Row>

          {stats.branches.length > 0 && (
            <Card size="small" title={t('statistics.branches')} data-testid="statistics-branches">
              <Suspense fallback={chartFallback}>
                <BranchesChart branches={stats.branches} />
              </Suspense>
              {tables === stats ? <BranchesTable branches={stats.branches} /> : <Skeleton active />}
            </Card>
          )}

          {tables !== stats ? (
            <Skeleton active />
          ) : (
            <>
              {stats.required.length > 0 && <RequiredTable checks={stats.required} />}
              {(!upper || stats.meetings.length > 0) && <MeetingsTable meetings={stats.meetings} />}
              {(!upper || stats.members.length > 0) && <MembersTable members={stats.members} />}
              {unitAllows(unit, 'attendance.export') && <CorrectionsCard items={stats.corrections ?? []} />}
            </>
          )}
          {unit.type === 'branch' && (
            <AttendanceRulesCard
              unit={unit}
              rules={stats.rules}
              editable={unitAllows(unit, 'attendance.rules')}
              onChanged={load}
            />
          )}
        </>
      )}
    </Flex>
  );
}

function MeetingsTable({ meetings }: { meetings: MeetingStatistics[] }) {
  const { t } = useTranslation();
  const columns: ColumnsType<MeetingStatistics> = [
    { key: 'date', title: t('statistics.date'), render: (_, m) => formatTime(m.startedAt) },
    {
      key: 'title',
      title: t('meetingInfo.name'),
      render: (_, m) => <Link to={`/meetings/${m.meetingId}/info`}>{meetingTitleText(t, m.title)}</Link>,
    },
    { key: 'type', title: t('meetingInfo.type'), render: (_, m) => t(`meetingType.${m.type}`) },
    { key: 'expected', title: t('statistics.col.expected'), dataIndex: 'expected', align: 'right' },
    { key: 'present', title: t('statistics.col.present'), dataIndex: 'present', align: 'right' },
    { key: 'excused', title: t('statistics.col.excused'), dataIndex: 'excused', align: 'right' },
    { key: 'absent', title: t('statistics.col.absent'), dataIndex: 'absent', align: 'right' },
    { key: 'makeUp', title: t('statistics.col.makeUp'), dataIndex: 'makeUp', align: 'right' },
    { key: 'rate', title: t('statistics.col.rate'), align: 'right', render: (_, m) => `${m.rate}%` },
  ];
  return (
    <Card
      size="small"
      title={t('statistics.meetings', { count: meetings.length })}
      data-testid="statistics-meetings"
    >
      <Table
        size="small"
        rowKey="meetingId"
        columns={columns}
        dataSource={meetings}
        pagination={{ pageSize: 10, hideOnSinglePage: true }}
        scroll={{ x: 'max-content' }}
      />
    </Card>
  );
}

function MembersTable({ members }: { members: MemberStatistics[] }) {
  const { t } = useTranslation();
  const num = (key: keyof MemberStatistics) => ({
    key,
    dataIndex: key,
    align: 'right' as const,
    sorter: (a: MemberStatistics, b: MemberStatistics) => Number(a[key]) - Number(b[key]),
  });
  const columns: ColumnsType<MemberStatistics> = [
    { key: 'name', title: t('meetingInfo.member'), dataIndex: 'name', fixed: 'left' },
    { ...num('expected'), title: t('statistics.col.expected') },
    { ...num('present'), title: t('attendanceStatus.present') },
    { ...num('late'), title: t('attendanceStatus.late') },
    { ...num('leftEarly'), title: t('attendanceStatus.left_early') },
    { ...num('absent'), title: t('attendanceStatus.absent') },
    { ...num('excused'), title: t('attendanceStatus.excused') },
    { ...num('makeUp'), title: t('attendanceStatus.make_up') },
    { ...num('rate'), title: t('statistics.col.rate'), render: (v: number) => `${v}%` },
  ];
  return (
    <Card
      size="small"
      title={t('statistics.members', { count: members.length })}
      data-testid="statistics-members"
    >
      <Table
        size="small"
        rowKey="userId"
        columns={columns}
        dataSource={members}
        pagination={{ pageSize: 20, hideOnSinglePage: true }}
        scroll={{ x: 'max-content' }}
      />
    </Card>
  );
}

function BranchesTable({ branches }: { branches: BranchStatistics[] }) {
  const { t } = useTranslation();
  const columns: ColumnsType<BranchStatistics> = [
    {
      key: 'name',
      title: t('statistics.branch'),
      render: (_, b) => <Link to={`/units/${b.unitId}/statistics`}>{b.name}</Link>,
    },
    {
      key: 'held',
      title: t('statistics.meetingsHeld'),
      align: 'right',
      render: (_, b) => b.summary.meetingsHeld,
    },
    {
      key: 'expected',
      title: t('statistics.col.expected'),
      align: 'right',
      render: (_, b) => b.summary.expected,
    },
    {
      key: 'present',
      title: t('statistics.col.present'),
      align: 'right',
      render: (_, b) => b.summary.present,
    },
    { key: 'rate', title: t('statistics.col.rate'), align: 'right', render: (_, b) => `${b.summary.rate}%` },
    {
      key: 'required',
      title: t('statistics.card.requiredMet'),
      align: 'right',
      render: (_, b) => `${b.summary.requiredMet} / ${b.summary.requiredTotal}`,
    },
  ];
  return (
    <Table
      size="small"
      rowKey="unitId"
      columns={columns}
      dataSource={branches}
      pagination={false}
      scroll={{ x: 'max-content' }}
      style={{ marginTop: 12 }}
      // Per branch and requirement: which meetings counted and why the others did not.
      expandable={{ expandedRowRender: (b) => <RequiredTable checks={b.required} bare /> }}
    />
  );
}
