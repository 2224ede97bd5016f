import { DynamicModule, Module } from '@nestjs/common';
import type { AppConfig } from '../config/config';
import { loadMediaConfig, type MediaConfig } from '../media/media.config';
import { ClusterOnce } from './cluster-once';
import { LeaseKeeper } from './lease-keeper';
import { MEETING_LEASES, NODE_REGISTRY, ROOM_MIRROR } from './cluster.types';
import { ClusterRuntime, NODE_IDENTITY } from './cluster.runtime';
import { nodeIdentity } from './node-identity';
import { RoomCalls } from './room-calls';

/**
 * Several identical nodes on one Redis: the node registry, meeting leases with epochs and the room mirror
 * (NODE_REGISTRY, MEETING_LEASES, ROOM_MIRROR), the LeaseKeeper that renews this node's leases, RoomCalls (a
 * request served where the meeting's room is live), and ClusterOnce for jobs one node at a time runs (PostgreSQL
 * advisory locks). Without REDIS_URL the same tokens answer for this node alone and nothing connects to Redis.
 */
@Module({})
export class ClusterModule {
  static forRoot(
    config: AppConfig,
    media?: Pick<MediaConfig, 'announcedAddress' | 'rtcPortBase'>,
  ): DynamicModule {
    return {
      module: ClusterModule,
      global: true,
      providers: [
        { provide: NODE_IDENTITY, useFactory: () => nodeIdentity(config, media ?? loadMediaConfig()) },
        ClusterRuntime,
        { provide: NODE_REGISTRY, useFactory: (rt: ClusterRuntime) => rt.registry, inject: [ClusterRuntime] },
        { provide: MEETING_LEASES, useFactory: (rt: ClusterRuntime) => rt.leases, inject: [ClusterRuntime] },
        { provide: ROOM_MIRROR, useFactory: (rt: ClusterRuntime) => rt.mirror, inject: [ClusterRuntime] },
        { provide: LeaseKeeper, useFactory: (rt: ClusterRuntime) => rt.keeper, inject: [ClusterRuntime] },
        ClusterOnce,
        RoomCalls,
      ],
      exports: [
        ClusterRuntime,
        NODE_REGISTRY,
        MEETING_LEASES,
        ROOM_MIRROR,
        LeaseKeeper,
        ClusterOnce,
        RoomCalls,
      ],
    };
  }
}
