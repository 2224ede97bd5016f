import { lectureRole } from '@branchmeet/shared';
import {
  isPresenter,
  leadsLecture,
  lectureState,
  maySend,
  mustWait,
  newRoom,
  newSeat,
  noteDeparture,
  peerInfo,
  roleOf,
  seatOf,
  seatToResume,
} from './room-state';

const meeting = (over: Partial<Parameters<typeof newRoom>[0]> = {}) =>
  newRoom({
    id: 'm1',
    title: 'T',
    hostId: 'host',
    type: 'other',
    lecturerId: null,
    settings: { waitingRoom: false, locked: false },
    ...over,
  });

describe('room state', () => {
  it('a lecture room knows its lecturer (the host when none is named)', () => {
    expect(meeting().lecture).toBeUndefined();
    expect(meeting({ type: 'lecture' }).lecture?.lecturerUserId).toBe('host');
    expect(lectureState(meeting({ type: 'lecture', lecturerId: 'lec' }))).toEqual({
      lecturerUserId: 'lec',
      coPresenterUserIds: [],
      floorPeerIds: [],
    });
    expect(() => lectureState(meeting())).toThrow(
      expect.objectContaining({ messageKey: 'lecture.notLecture' }),
    );
  });

  it('waits in the lobby: a waiting room, a lock or a guest; never the host, never someone admitted', () => {
    const open = meeting();
    expect(mustWait(open, 'u', false)).toBe(false);
    expect(mustWait(open, 'u', true)).toBe(true);
    const locked = meeting({ settings: { waitingRoom: false, locked: true } });
    expect(mustWait(locked, 'u', false)).toBe(true);
    expect(mustWait(locked, 'host', false)).toBe(false);
    locked.admitted.add('u');
    expect(mustWait(locked, 'u', false)).toBe(false);
  });

  it('presenters publish; a listener only with the floor', () => {
    const room = meeting({ type: 'lecture', lecturerId: 'lec' });
    const lecturer = newSeat('p1', 'lec', 'L', false);
    const host = newSeat('p2', 'host', 'H', false);
    const listener = newSeat('p3', 'u', 'U', false);
    expect([isPresenter(room, lecturer), isPresenter(room, host), isPresenter(room, listener)]).toEqual([
      true,
      true,
      false,
    ]);
    expect(maySend(room, listener)).toBe(false);
    room.lecture!.floorPeerIds.add('p3');
    expect(maySend(room, listener)).toBe(true);
    room.lecture!.coPresenterUserIds.add('u');
    expect(isPresenter(room, listener)).toBe(true);
    expect(isPresenter(meeting(), listener)).toBe(true); // everyone outside a lecture
  });

  it('the wire state gives every seat the role the room gives it (the client decides as the server does)', () => {
    const room = meeting({ type: 'lecture', lecturerId: 'lec' });
    const seats = [
      newSeat('p1', 'lec', 'L', false),
      newSeat('p2', 'host', 'H', false),
      newSeat('p3', 'co', 'C', false),
      newSeat('p4', 'u', 'U', false),
      newSeat('p5', 'v', 'V', false),
    ];
    room.lecture!.coPresenterUserIds.add('co');
    room.lecture!.floorPeerIds.add('p4');
    const wire = lectureState(room);
    expect(seats.map((s) => roleOf(room, s))).toEqual([
      'lecturer',
      'presenter',
      'presenter',
      'floor',
      'listener',
    ]);
    expect(seats.map((s) => lectureRole(wire, room.hostUserId, s))).toEqual(
      seats.map((s) => roleOf(room, s)),
    );
    expect(seats.map((s) => leadsLecture(room, s.userId))).toEqual([true, true, false, false, false]);
    expect(roleOf(meeting(), seats[0])).toBeNull();
  });

  it('finds the seat to take back: the named one, else any seat of the user', () => {
    const room = meeting();
    const a = newSeat('a', 'u', 'U', false);
    const b = newSeat('b', 'u', 'U', false);
    room.seats.set('a', a).set('b', b);
    expect(seatToResume(room, 'u', 'b')).toBe(b);
    expect(seatToResume(room, 'u', 'x')).toBe(a);
    expect(seatToResume(room, 'other', 'a')).toBeUndefined();
    expect(() => seatOf(room, 'x')).toThrow(expect.objectContaining({ messageKey: 'rtc.peerNotFound' }));
  });

  it('roles: host, guest, member', () => {
    const room = meeting();
    expect(peerInfo(room, newSeat('a', 'host', 'H', false), []).role).toBe('host');
    expect(peerInfo(room, newSeat('b', 'g', 'G', true), []).role).toBe('guest');
    expect(peerInfo(room, newSeat('c', 'u', 'U', false), []).role).toBe('member');
  });

  it('the room was empty from the latest departure, even if the last one dropped earlier', () => {
    const room = meeting();
    room.seats.set('a', newSeat('a', 'u', 'U', false));
    expect(noteDeparture(room, new Date(2000))).toBeNull(); // someone is still there
    room.seats.clear();
    expect(noteDeparture(room, new Date(1000))).toEqual(new Date(2000));
    expect(room.lastLeftAt).toBeUndefined();
    expect(noteDeparture(room, new Date(3000))).toEqual(new Date(3000));
  });
});
