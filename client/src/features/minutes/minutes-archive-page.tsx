import { FilePdfOutlined, FileWordOutlined } from '@ant-design/icons';
import type { MinutesSearchResult, MinutesStatus } from '@branchmeet/shared';
import {
  App,
  Breadcrumb,
  Button,
  Card,
  DatePicker,
  Empty,
  Flex,
  Input,
  List,
  Select,
  Space,
  Tag,
  Typography,
} from 'antd';
import dayjs, { type Dayjs } from 'dayjs';
import { useCallback, useEffect, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { Link, useParams } from 'react-router-dom';
import { meetingTitleText } from '../../i18n/generated-text';
import { saveBlob } from '../../api/client';
import { errorText } from '../../api/errors';
import { unitAllows } from '../orgs/unit-tree';
import { useUnits } from '../orgs/units-context';
import { minutesApi } from './minutes-api';
import { MinutesStatusTag } from './minutes-status';

const PAGE = 20;

/** Marks the words of the query in a snippet. */
function Highlight({ text, words }: { text: string; words: string }) {
  if (!words) return <>{text}</>;
  const at = text.toLowerCase().indexOf(words.toLowerCase());
  if (at < 0) return <>{text}</>;
  return (
    <>
      {text.slice(0, at)}
      <mark>{text.slice(at, at + words.length)}</mark>
      {text.slice(at + words.length)}
    </>
  );
}

/** `/units/:unitId/minutes`: a branch's minutes, newest first, searched by words; a period's minutes in one file. */
export function MinutesArchivePage() {
  const { t } = useTranslation();
  const { message } = App.useApp();
  const { unitId = '' } = useParams();
  const { byId } = useUnits();
  const unit = byId(unitId);
  const [q, setQ] = useState('');
  const [words, setWords] = useState('');
  const [status, setStatus] = useState<MinutesStatus | undefined>();
  const [page, setPage] = useState(1);
  const [result, setResult] = useState<MinutesSearchResult | null>(null);
  const [loading, setLoading] = useState(false);
  const [range, setRange] = useState<[Dayjs, Dayjs]>([dayjs().startOf('year'), dayjs().endOf('year')]);
  const [exporting, setExporting] = useState<string | null>(null);

  const search = useCallback(async () => {
    setLoading(true);
    try {
      setResult(
        await minutesApi.search(unitId, {
          q: words || undefined,
          status,
          limit: PAGE,
          offset: (page - 1) * PAGE,
        }),
      );
    } catch (err) {
      void message.error(errorText(err, t));
    } finally {
      setLoading(false);
    }
  }, [unitId, words, status, page, message, t]);

  useEffect(() => {
    void search();
  }, [search]);

  const exportPeriod = async (format: 'docx' | 'pdf') => {
    setExporting(format);
    try {
      const from = range[0].startOf('day').toISOString();
      const to = range[1].add(1, 'day').startOf('day').toISOString();
      saveBlob(
        await minutesApi.exportPeriod(unitId, format, from, to),
        `${unit?.name ?? ''}-会议记录.${format}`,
      );
    } catch (err) {
      void message.error(errorText(err, t));
    } finally {
      setExporting(null);
    }
  };

  return (
    <Flex vertical gap={16} data-testid="minutes-archive">
      <Breadcrumb
        items={[
          { title: <Link to="/org">{t('nav.org')}</Link> },
          ...(unit ? [{ title: <Link to={`/units/${unit.id}`}>{unit.name}</Link> }] : []),
          { title: t('minutes.archive') },
        ]}
      />
      <Typography.Title level={3} style={{ margin: 0 }}>
        {t('minutes.archiveOf', { unit: unit?.name ?? '' })}
      </Typography.Title>
      <Card size="small">
        <Flex wrap gap={8}>
          <Input.Search
            allowClear
            value={q}
            onChange={(e) => setQ(e.target.value)}
            onSearch={(v) => {
              setPage(1);
              setWords(v.trim());
            }}
            placeholder={t('minutes.searchPlaceholder')}
            style={{ maxWidth: 420, flex: '1 1 240px' }}
            enterButton
            data-testid="minutes-search"
          />
          <Select
            allowClear
            placeholder={t('minutes.anyStatus')}
            value={status}
            onChange={(v) => {
              setPage(1);
              setStatus(v);
            }}
            style={{ width: 140 }}
            options={(['draft', 'submitted', 'returned', 'approved'] as const).map((s) => ({
              value: s,
              label: t(`minutes.status.${s}`),
            }))}
          />
        </Flex>
      </Card>
      {unit && unitAllows(unit, 'minutes.export') && (
        <Card size="small" title={t('minutes.periodExport')}>
          <Space wrap>
            <DatePicker.RangePicker
              value={range}
              onChange={(v) => v?.[0] && v[1] && setRange([v[0], v[1]])}
              allowClear={false}
            />
            <Button
              icon={<FileWordOutlined />}
              loading={exporting === 'docx'}
              onClick={() => void exportPeriod('docx')}
              data-testid="period-docx"
            >
              {t('minutes.exportDocx')}
            </Button>
            <Button
              icon={<FilePdfOutlined />}
              loading={exporting === 'pdf'}
              onClick={() => void exportPeriod('pdf')}
              data-testid="period-pdf"
            >
              {t('minutes.exportPdf')}
            </Button>
          </Space>
        </Card>
      )}
      <Card size="small">
        <List
          loading={loading}
          dataSource={result?.items ?? []}
          locale={{
            emptyText: (
              <Empty description={words ? t('minutes.noMatch', { q: words }) : t('minutes.noMinutes')} />
            ),
          }}
          pagination={
            (result?.total ?? 0) > PAGE
              ? {
                  current: page,
                  pageSize: PAGE,
                  total: result?.total ?? 0,
                  onChange: setPage,
                  showSizeChanger: false,
                }
              : false
          }
          header={
            result && (
              <Typography.Text type="secondary">{t('minutes.found', { n: result.total })}</Typography.Text>
            )
          }
          renderItem={(m) => (
            <List.Item data-testid="archive-item">
              <List.Item.Meta
                title={
                  <Space wrap>
                    <Link to={`/meetings/${m.meetingId}/minutes`}>{meetingTitleText(t, m.title)}</Link>
                    <MinutesStatusTag status={m.status} />
                    <Tag>{t(`meetingType.${m.meetingType}`)}</Tag>
                  </Space>
                }
                description={
                  <Flex vertical gap={2}>
                    <Typography.Text type="secondary">
                      {dayjs(m.startedAt).format('YYYY-MM-DD HH:mm')}
                    </Typography.Text>
                    {m.snippet && (
                      <Typography.Text data-testid="archive-snippet">
                        <Highlight text={m.snippet} words={words} />
                      </Typography.Text>
                    )}
                  </Flex>
                }
              />
            </List.Item>
          )}
        />
      </Card>
    </Flex>
  );
}
