import { type INestApplication, Logger } from '@nestjs/common';
import { IoAdapter } from '@nestjs/platform-socket.io';
import { createAdapter } from '@socket.io/redis-streams-adapter';
import { Redis } from 'ioredis';
import type { Server, ServerOptions } from 'socket.io';
import type { AppConfig } from '../config/config';

/**
 * socket.io across the nodes (REDIS_URL set): what the server sends to a person's sockets or to a meeting's
 * minutes readers reaches those sockets on every node, through one Redis stream under CLUSTER_KEY_PREFIX (the
 * streams adapter: a node that loses Redis for a moment reads on where it stopped). A meeting's room traffic is
 * sent on this node only (SocketHub), never through Redis. One Redis client of its own (the adapter opens two
 * more from it: the stream reader and a subscriber), closed after the socket.io server.
 */
export class RedisIoAdapter extends IoAdapter {
  private readonly log = new Logger('Cluster');
  private readonly redis: Redis;

  constructor(
    app: INestApplication,
    private readonly config: Pick<AppConfig, 'REDIS_URL' | 'CLUSTER_KEY_PREFIX'>,
  ) {
    super(app);
    if (!config.REDIS_URL) throw new Error('RedisIoAdapter needs REDIS_URL');
    this.redis = new Redis(config.REDIS_URL, {
      maxRetriesPerRequest: 3,
      connectionName: 'branchmeet:socket.io',
    });
    // ioredis reconnects by itself; an error event without a listener would end the process.
    this.redis.on('error', (e: Error) => this.log.warn(`socket.io redis: ${e.message}`));
  }

  override createIOServer(port: number, options?: ServerOptions): Server {
    const server = super.createIOServer(port, options) as Server;
    const prefix = `${this.config.CLUSTER_KEY_PREFIX}sio`;
    server.adapter(
      createAdapter(this.redis, {
        streamName: `${prefix}:stream`,
        channelPrefix: `${prefix}:ch`,
        sessionKeyPrefix: `${prefix}:session:`,
        // An idle reader asks again this often; a closing server's reader stops within it.
        blockTimeInMs: 1000,
      }),
    );
    return server;
  }

  override async dispose(): Promise<void> {
    await super.dispose();
    await this.redis.quit().catch(() => this.redis.disconnect());
  }
}
