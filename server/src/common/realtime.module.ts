import { Global, Module } from '@nestjs/common';
import { RoomEvents } from './room-events';
import { SocketHub } from './socket-hub';

/**
 * The socket hub and the room-event bus: one instance each for the whole app, so the live rooms, recordings,
 * minutes and notifications meet here instead of importing one another.
 */
@Global()
@Module({ providers: [SocketHub, RoomEvents], exports: [SocketHub, RoomEvents] })
export class RealtimeModule {}
