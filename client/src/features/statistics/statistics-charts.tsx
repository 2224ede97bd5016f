import type { BranchStatistics, MonthStatistics, RequiredMeetingCheck } from '@branchmeet/shared';
import { useTranslation } from 'react-i18next';
import {
  Bar,
  BarChart,
  CartesianGrid,
  ComposedChart,
  Legend,
  Line,
  ResponsiveContainer,
  Tooltip,
  XAxis,
  YAxis,
} from 'recharts';

const RED = '#c8161d';
const GOLD = '#d4a017';
const GREY = '#bfbfbf';

/** The attendance rate by month (line, %) over the meetings held (bars). Loaded on demand with recharts. */
export function MonthlyRateChart({ months }: { months: MonthStatistics[] }) {
  const { t } = useTranslation();
  const data = months.map((m) => ({
    month: m.month.slice(2),
    rate: m.meetingsHeld ? m.rate : null,
    held: m.meetingsHeld,
  }));
  return (
    <ResponsiveContainer width="100%" height={260}>
      <ComposedChart data={data} margin={{ top: 8, right: 8, bottom: 0, left: -16 }}>
        <CartesianGrid strokeDasharray="3 3" vertical={false} />
        <XAxis dataKey="month" tick={{ fontSize: 12 }} />
        <YAxis yAxisId="rate" domain={[0, 100]} unit="%" tick={{ fontSize: 12 }} />
        <YAxis yAxisId="held" orientation="right" allowDecimals={false} tick={{ fontSize: 12 }} />
        <Tooltip />
        <Legend />
        <Bar yAxisId="held" dataKey="held" name={t('statistics.meetingsHeld')} fill={GREY} barSize={18} />
        <Line
          yAxisId="rate"
          dataKey="rate"
          name={t('statistics.rate')}
          stroke={RED}
          strokeWidth={2}
          connectNulls
          dot={{ r: 3 }}
          unit="%"
        />
      </ComposedChart>
    </ResponsiveContainer>
  );
}

/** Required meetings (三会一课) held against required, per type over the period. */
export function RequiredChart({ checks }: { checks: RequiredMeetingCheck[] }) {
  const { t } = useTranslation();
  const byType = new Map<string, { type: string; required: number; met: number }>();
  for (const c of checks) {
    const row = byType.get(c.type) ?? { type: t(`meetingType.${c.type}`), required: 0, met: 0 };
    row.required += 1;
    if (c.met) row.met += 1;
    byType.set(c.type, row);
  }
  return (
    <ResponsiveContainer width="100%" height={260}>
      <BarChart data={[...byType.values()]} margin={{ top: 8, right: 8, bottom: 0, left: -16 }}>
        <CartesianGrid strokeDasharray="3 3" vertical={false} />
        <XAxis dataKey="type" tick={{ fontSize: 12 }} interval={0} />
        <YAxis allowDecimals={false} tick={{ fontSize: 12 }} />
        <Tooltip />
        <Legend />
        <Bar dataKey="required" name={t('statistics.required')} fill={GREY} />
        <Bar dataKey="met" name={t('statistics.met')} fill={RED} />
      </BarChart>
    </ResponsiveContainer>
  );
}

/** An upper unit: each branch's attendance rate and its required meetings met. */
export function BranchesChart({ branches }: { branches: BranchStatistics[] }) {
  const { t } = useTranslation();
  const data = branches.map((b) => ({
    name: b.name,
    rate: b.summary.rate,
    met: b.summary.requiredTotal
      ? Math.round((b.summary.requiredMet / b.summary.requiredTotal) * 1000) / 10
      : 0,
  }));
  return (
    <ResponsiveContainer width="100%" height={Math.max(200, 60 + data.length * 48)}>
      <BarChart data={data} layout="vertical" margin={{ top: 8, right: 16, bottom: 0, left: 16 }}>
        <CartesianGrid strokeDasharray="3 3" horizontal={false} />
        <XAxis type="number" domain={[0, 100]} unit="%" tick={{ fontSize: 12 }} />
        <YAxis type="category" dataKey="name" width={96} tick={{ fontSize: 12 }} />
        <Tooltip />
        <Legend />
        <Bar dataKey="rate" name={t('statistics.rate')} fill={RED} unit="%" />
        <Bar dataKey="met" name={t('statistics.metShare')} fill={GOLD} unit="%" />
      </BarChart>
    </ResponsiveContainer>
  );
}
