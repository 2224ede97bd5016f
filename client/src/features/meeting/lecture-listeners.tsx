import { Flex, Input, List, Pagination, Typography } from 'antd';
import { useEffect, useRef, useState, type ReactNode } from 'react';
import { useTranslation } from 'react-i18next';
import { LoadFailed, useLoad } from '../../api/use-load';
import { useRoom } from './room-context';
import { peerView, type PeerView } from './peer-view';
import { lectureRole } from './room-store';

export const LISTENERS_PAGE_SIZE = 20;
/** Changes (the count, hands, roles) read the page again at most this often: a request within the 'act' rate. */
export const LISTENERS_SETTLE_MS = 500;

/**
 * A lecture's listeners for its presenters, a page at a time from the server (`lecture.listeners`: raised hands
 * first, then in joining order), read again when the count, a listener's hand or the roles change. Listeners are
 * not announced one by one, so this is the only place that lists them; each row is the participants panel's.
 */
export function LectureListeners({ renderItem }: { renderItem: (peer: PeerView) => ReactNode }) {
  const { t } = useTranslation();
  const { state, room } = useRoom();
  const [page, setPage] = useState(1);
  const [search, setSearch] = useState('');
  // Read again at most once per LISTENERS_SETTLE_MS, with the latest change (a storm of hands never starves it).
  const latest = useRef(state.audienceVersion);
  latest.current = state.audienceVersion;
  const [version, setVersion] = useState(state.audienceVersion);
  const changed = version !== state.audienceVersion;
  useEffect(() => {
    if (!changed) return;
    const timer = setTimeout(() => setVersion(latest.current), LISTENERS_SETTLE_MS);
    return () => clearTimeout(timer);
  }, [changed]);

  const joined = !!room && state.connection === 'joined';
  const listed = useLoad(async () => {
    if (!room || !joined) return null;
    return room.send('lecture.listeners', {
      offset: (page - 1) * LISTENERS_PAGE_SIZE,
      limit: LISTENERS_PAGE_SIZE,
      ...(search ? { search } : {}),
    });
  }, [room, joined, page, search, version]);

  const total = listed.data?.total ?? 0;
  // Someone given the floor since the page was read shows on the stage above, not twice.
  const rows = (listed.data?.listeners ?? [])
    .map(peerView)
    .filter((p) => p.peerId !== state.self?.peerId && lectureRole(state, p) === 'listener');
  return (
    <Flex vertical gap={8} data-testid="lecture-listener-list">
      <Typography.Text strong data-testid="lecture-listeners-title">
        {t('lecture.listenersTitle', { count: state.listeners })}
      </Typography.Text>
      <Input.Search
        allowClear
        size="small"
        placeholder={t('lecture.searchListeners')}
        data-testid="lecture-listener-search"
        onSearch={(value) => {
          setSearch(value.trim());
          setPage(1);
        }}
      />
      {!!listed.error && (
        <LoadFailed
          error={listed.error}
          onRetry={() => void listed.reload()}
          testId="lecture-listeners-failed"
        />
      )}
      <List size="small" dataSource={rows} renderItem={renderItem} />
      {total > LISTENERS_PAGE_SIZE && (
        <Pagination
          size="small"
          simple
          current={page}
          pageSize={LISTENERS_PAGE_SIZE}
          total={total}
          onChange={setPage}
          data-testid="lecture-listener-pages"
        />
      )}
    </Flex>
  );
}
