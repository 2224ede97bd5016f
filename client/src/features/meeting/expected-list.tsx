import type { AttendanceRecord, MeetingAttendance } from '@branchmeet/shared';
import { Flex, Space, Tag, Typography } from 'antd';
import { useCallback, useEffect, useMemo, useRef, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { http } from '../../api/endpoints';
import { useRoom } from './room-context';
import type { RoomViewState } from './room-store';

/** While the panel is mounted the list is read again this often, so leave decisions show up too. */
export const EXPECTED_REFRESH_MS = 30_000;
export const EXPECTED_SETTLE_MS = 1_000;

/** The user ids in the room now (oneself included): a change of this set is a join or a leave. */
export function userIdsInRoom(state: Pick<RoomViewState, 'self' | 'peers'>): string[] {
  const ids = new Set<string>();
  if (state.self) ids.add(state.self.userId);
  for (const p of Object.values(state.peers)) ids.add(p.userId);
  return [...ids].sort();
}

/** Expected members who are not in the room, split into those on (approved) leave and those not yet in. */
export function missingOf(
  attendance: Pick<MeetingAttendance, 'records'>,
  inRoom: readonly string[],
  /** A lecture: its listeners are counted, not listed, so whoever has joined counts as in. */
  joinedCountsAsIn = false,
): { notYetIn: AttendanceRecord[]; onLeave: AttendanceRecord[] } {
  const here = new Set(inRoom);
  const away = attendance.records.filter((r) => !here.has(r.userId) && !(joinedCountsAsIn && r.firstJoin));
  return {
    onLeave: away.filter((r) => r.status === 'excused'),
    notYetIn: away.filter((r) => r.status !== 'excused'),
  };
}

/**
 * In the participants panel, under who is in: the expected members who are not — not yet in, and on leave —
 * from the meeting's attendance (the same answer the meeting's page reads; names only), read again whenever
 * someone joins or leaves the room. A guest (no account in the branch) sees who is in only.
 */
export function ExpectedList() {
  const { t } = useTranslation();
  const { state } = useRoom();
  const meetingId = state.room?.meetingId ?? null;
  const guest = state.self?.role === 'guest';
  const lecture = state.lecture !== null;
  // A lecture knows its stage by name and its listeners by their count: either changing is a join or a leave.
  const inRoomKey = userIdsInRoom(state).join(',') + (lecture ? `#${state.listeners}` : '');
  const inRoom = useMemo(() => {
    const ids = inRoomKey.split('#')[0];
    return ids ? ids.split(',') : [];
  }, [inRoomKey]);
  const [attendance, setAttendance] = useState<MeetingAttendance | null>(null);
  const [failed, setFailed] = useState(false);

  const load = useCallback(async () => {
    if (!meetingId) return;
    try {
      setAttendance(await http.meetingAttendance(meetingId));
      setFailed(false);
    } catch {
      setFailed(true);
    }
  }, [meetingId]);

  // Read on opening, and after joins or leaves (the set of people in the room changed): a burst of them (a
  // lecture's start) is one read, EXPECTED_SETTLE_MS after the last.
  const opened = useRef(false);
  useEffect(() => {
    if (guest) return;
    const timer = setTimeout(() => void load(), opened.current ? EXPECTED_SETTLE_MS : 0);
    opened.current = true;
    return () => clearTimeout(timer);
  }, [load, guest, inRoomKey]);
  useEffect(() => {
    if (guest) return;
    const timer = setInterval(() => void load(), EXPECTED_REFRESH_MS);
    return () => clearInterval(timer);
  }, [load, guest]);

  if (guest || !meetingId) return null;
  if (!attendance) {
    return (
      <Typography.Text type="secondary" data-testid="expected-state">
        {failed ? t('roomExtra.expectedFailed') : t('roomExtra.expectedLoading')}
      </Typography.Text>
    );
  }
  const { notYetIn, onLeave } = missingOf(attendance, inRoom, lecture);
  const names = (list: AttendanceRecord[], testId: string, color?: string) => (
    <Space wrap size={4}>
      {list.map((r) => (
        <Tag key={r.userId} color={color} data-testid={testId} data-user-id={r.userId}>
          {r.name}
        </Tag>
      ))}
    </Space>
  );
  return (
    <Flex vertical gap={8} data-testid="expected-list">
      <Typography.Text strong data-testid="not-yet-in-title">
        {t('roomExtra.notYetIn', { count: notYetIn.length })}
      </Typography.Text>
      {notYetIn.length > 0 ? (
        names(notYetIn, 'not-yet-in')
      ) : (
        <Typography.Text type="secondary">{t('roomExtra.everyoneIn')}</Typography.Text>
      )}
      {onLeave.length > 0 && (
        <>
          <Typography.Text strong data-testid="on-leave-title">
            {t('roomExtra.onLeave', { count: onLeave.length })}
          </Typography.Text>
          {names(onLeave, 'on-leave', 'orange')}
        </>
      )}
    </Flex>
  );
}
