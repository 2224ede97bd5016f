import { RoomEvents } from './room-events';

describe('RoomEvents', () => {
  it('delivers an event to each listener until it unsubscribes', () => {
    const bus = new RoomEvents();
    const seen: string[] = [];
    const off = bus.on('room.closed', (e) => seen.push(`a:${e.meetingId}`));
    bus.on('room.closed', (e) => seen.push(`b:${e.meetingId}`));
    bus.emit('room.closed', { meetingId: 'm1', reason: 'ended' });
    off();
    bus.emit('room.closed', { meetingId: 'm2', reason: 'moved' });
    expect(seen).toEqual(['a:m1', 'b:m1', 'b:m2']);
  });

  it('a failing listener does not stop the others nor throw at the emitter', () => {
    const bus = new RoomEvents();
    const seen: string[] = [];
    bus.on('room.closed', () => {
      throw new Error('boom');
    });
    bus.on('room.closed', (e) => seen.push(e.meetingId));
    expect(() => bus.emit('room.closed', { meetingId: 'm1', reason: 'ended' })).not.toThrow();
    expect(seen).toEqual(['m1']);
  });

  it('asks the one answerer of a question; undefined while nobody answers', () => {
    const bus = new RoomEvents();
    const state = (meetingId: string) => ({
      meetingId,
      recording: false,
      startedAt: null,
      available: true,
      unavailableReason: null,
    });
    expect(bus.ask('recordingState', 'm1')).toBeUndefined();
    const off = bus.answer('recordingState', state);
    expect(bus.ask('recordingState', 'm1')).toEqual(state('m1'));
    expect(() => bus.answer('recordingState', state)).toThrow(/twice/);
    off();
    expect(bus.ask('recordingState', 'm1')).toBeUndefined();
  });
});
