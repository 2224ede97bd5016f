import { randomBytes } from 'node:crypto';
import { Redis } from 'ioredis';

/** The Redis the cluster's integration tests run against (a real one; CI runs Redis 7 there). */
export const TEST_REDIS_URL = process.env.TEST_REDIS_URL ?? 'redis://127.0.0.1:6379';

/** A key prefix of a test's own, so parallel runs never see each other's keys. */
export function testPrefix(): string {
  return `bmtest:${randomBytes(5).toString('hex')}:`;
}

/** A connected client, or an error that says how to start Redis. */
export async function connectTestRedis(): Promise<Redis> {
  const redis = new Redis(TEST_REDIS_URL, {
    lazyConnect: true,
    connectTimeout: 2000,
    maxRetriesPerRequest: 1,
    retryStrategy: () => null,
  });
  redis.on('error', () => undefined);
  try {
    await redis.connect();
    await redis.ping();
    return redis;
  } catch (e) {
    redis.disconnect();
    throw new Error(
      `These tests need Redis at ${TEST_REDIS_URL} (${String(e)}). Start one: ` +
        '`redis-server --daemonize yes` (apt-get install redis-server) or `docker run -d -p 6379:6379 redis:7`; ' +
        'another server: TEST_REDIS_URL=redis://host:port',
    );
  }
}

/** Deletes every key under the prefix. */
export async function dropPrefix(redis: Redis, prefix: string): Promise<void> {
  let cursor = '0';
  do {
    const [next, keys] = await redis.scan(cursor, 'MATCH', `${prefix}*`, 'COUNT', 500);
    if (keys.length > 0) await redis.del(...keys);
    cursor = next;
  } while (cursor !== '0');
}

/** Polls until `check` holds (or fails the test after `ms`). */
export async function eventually(
  check: () => Promise<boolean>,
  ms = 10000,
  what = 'condition',
): Promise<void> {
  const until = Date.now() + ms;
  while (!(await check())) {
    if (Date.now() > until) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 25));
  }
}
