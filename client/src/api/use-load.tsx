import { ReloadOutlined } from '@ant-design/icons';
import { Alert, Button, Tooltip } from 'antd';
import { useCallback, useEffect, useRef, useState, type DependencyList } from 'react';
import { useTranslation } from 'react-i18next';
import { errorText } from './errors';

export interface Loaded<T> {
  /** The last data loaded (kept while reloading, and after a reload failed). */
  data: T | undefined;
  /** The last load's failure; null once one succeeds. */
  error: unknown;
  loading: boolean;
  /** Loads again (a retry button, a refresh, after a change). */
  reload(): Promise<void>;
  /** Replaces the data with what an action returned. */
  set(data: T): void;
  /** Changes the loaded data (nothing before the first load succeeded). */
  update(change: (data: T) => T): void;
}

/**
 * Data for a page or card: loads on mount and whenever `deps` change, optionally every `refreshMs`. A failure is
 * kept as `error` (show it with `LoadFailed`, which has a retry), never turned into empty data. Answers of an
 * older load that arrive after a newer one are dropped.
 */
export function useLoad<T>(
  load: () => Promise<T>,
  deps: DependencyList,
  options: { refreshMs?: number } = {},
): Loaded<T> {
  const [data, setData] = useState<T | undefined>(undefined);
  const [error, setError] = useState<unknown>(null);
  const [loading, setLoading] = useState(true);
  const seq = useRef(0);
  const loadRef = useRef(load);
  loadRef.current = load;

  const reload = useCallback(async () => {
    const mine = ++seq.current;
    setLoading(true);
    try {
      const next = await loadRef.current();
      if (mine !== seq.current) return;
      setData(next);
      setError(null);
    } catch (err) {
      if (mine !== seq.current) return;
      setError(err);
    } finally {
      if (mine === seq.current) setLoading(false);
    }
  }, []);

  useEffect(() => {
    setData(undefined);
    setError(null);
    void reload();
    const timer = options.refreshMs ? setInterval(() => void reload(), options.refreshMs) : null;
    return () => {
      seq.current += 1; // answers still on their way belong to the old deps
      if (timer) clearInterval(timer);
    };
    // eslint-disable-next-line react-hooks/exhaustive-deps -- the caller's deps decide when to load again
  }, [...deps, options.refreshMs, reload]);

  const set = useCallback((next: T) => {
    seq.current += 1;
    setData(next);
    setError(null);
    setLoading(false);
  }, []);

  const update = useCallback((change: (data: T) => T) => {
    setData((current) => (current === undefined ? current : change(current)));
  }, []);

  return { data, error, loading, reload, set, update };
}

/** A failed load: what went wrong and a retry button (`compact`: a small button, the reason as its tooltip). */
export function LoadFailed({
  error,
  onRetry,
  testId = 'load-failed',
  compact = false,
}: {
  error: unknown;
  onRetry: () => void;
  testId?: string;
  compact?: boolean;
}) {
  const { t } = useTranslation();
  if (compact)
    return (
      <Tooltip title={errorText(error, t)}>
        <Button size="small" danger icon={<ReloadOutlined />} onClick={onRetry} data-testid={testId}>
          {t('common.loadFailed')}
        </Button>
      </Tooltip>
    );
  return (
    <Alert
      type="error"
      showIcon
      message={t('common.loadFailed')}
      description={errorText(error, t)}
      data-testid={testId}
      action={
        <Button size="small" onClick={onRetry} data-testid={`${testId}-retry`}>
          {t('common.retry')}
        </Button>
      }
    />
  );
}
