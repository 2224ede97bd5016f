import { fakeNamespace } from '../test-support/rtc-fakes';
import { SocketHub } from './socket-hub';

describe('SocketHub', () => {
  it('does nothing before the gateway binds the namespace', () => {
    const hub = new SocketHub();
    expect(() => hub.toMeeting('m1', 'peer.left', { peerId: 'p' })).not.toThrow();
    expect(() => hub.disconnect('s1')).not.toThrow();
  });

  it('sends to a socket, a meeting, the minutes readers and a person on their own channels', () => {
    const hub = new SocketHub();
    const fake = fakeNamespace();
    hub.bind(fake.ns);
    hub.toSocket('s1', 'media.downlink', { videoPaused: true });
    hub.toMeeting('m1', 'peer.left', { peerId: 'p' });
    hub.toMeetingExcept('m1', 's2', 'hand.changed', { peerId: 'p', raised: true });
    hub.toMeetingExcept('m1', undefined, 'speaker.changed', { peerId: 'p' });
    hub.toReaders('m1', 'minutes.changed', { meetingId: 'm1', status: 'draft' });
    hub.toReadersExcept('m1', 's3', 'minutes.updated', { meetingId: 'm1', update: 'AA==' });
    expect(fake.sent.map((s) => [s.to, s.except, s.event])).toEqual([
      ['s1', undefined, 'media.downlink'],
      ['meeting:m1', undefined, 'peer.left'],
      ['meeting:m1', 's2', 'hand.changed'],
      ['meeting:m1', undefined, 'speaker.changed'],
      ['minutes:m1', undefined, 'minutes.changed'],
      ['minutes:m1', 's3', 'minutes.updated'],
    ]);
    hub.toPerson('u1', 'notification.created', {
      id: 'n1',
      kind: 'meeting.reminder',
      meetingId: 'm1',
      params: {},
      read: false,
      createdAt: new Date(0).toISOString(),
    });
    // With several nodes only the readers' and a person's events go to every node; the room's stay here.
    expect(fake.clusterWide).toEqual([
      'minutes:m1 minutes.changed',
      'minutes:m1 minutes.updated',
      'user:u1 notification.created',
    ]);
  });

  it('moves sockets in and out of channels and disconnects them', () => {
    const hub = new SocketHub();
    const fake = fakeNamespace();
    hub.bind(fake.ns);
    hub.enterMeeting('s1', 'm1');
    hub.leaveMeeting('s1', 'm1');
    hub.enterReaders('s1', 'm1');
    hub.leaveReaders('s1', 'm1');
    hub.enterPerson('s1', 'u1');
    hub.disconnect('s1');
    fake.gone.add('gone');
    hub.disconnect('gone');
    expect(fake.joins).toEqual([
      's1+meeting:m1',
      's1-meeting:m1',
      's1+minutes:m1',
      's1-minutes:m1',
      's1+user:u1',
    ]);
    // Sockets joining and leaving channels are this node's own: nothing of it goes to other nodes.
    expect(fake.clusterWide).toEqual([]);
    expect(fake.disconnected).toEqual(['s1']);
  });
});
