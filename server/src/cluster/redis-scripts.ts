import type { Redis } from 'ioredis';

type Script = (numKeys: number, ...args: (string | number)[]) => Promise<unknown>;

/** Defines the cluster's scripts on a client once (ioredis runs them by SHA, loading them when missing). */
export function defineScripts(redis: Redis, scripts: Record<string, string>): void {
  for (const [name, lua] of Object.entries(scripts)) if (!(name in redis)) redis.defineCommand(name, { lua });
}

export function script(redis: Redis, name: string): Script {
  return (redis as unknown as Record<string, Script>)[name].bind(redis);
}
