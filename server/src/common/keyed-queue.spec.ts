import { KeyedQueue } from './keyed-queue';

const tick = () => new Promise((r) => setImmediate(r));

describe('KeyedQueue', () => {
  it('runs the tasks of one key one after another, in order', async () => {
    const q = new KeyedQueue();
    const log: string[] = [];
    let release!: () => void;
    const first = q.run('m', async () => {
      log.push('a start');
      await new Promise<void>((r) => (release = r));
      log.push('a end');
      return 1;
    });
    const second = q.run('m', async () => {
      log.push('b');
      return 2;
    });
    await tick();
    expect(log).toEqual(['a start']);
    release();
    expect(await first).toBe(1);
    expect(await second).toBe(2);
    expect(log).toEqual(['a start', 'a end', 'b']);
  });

  it('runs different keys concurrently', async () => {
    const q = new KeyedQueue();
    let release!: () => void;
    const blocked = q.run('a', () => new Promise<void>((r) => (release = r)));
    const other = await q.run('b', () => Promise.resolve('b done'));
    expect(other).toBe('b done');
    release();
    await blocked;
  });

  it('a failing task rejects only its own caller; the next task of the key still runs', async () => {
    const q = new KeyedQueue();
    const failed = q.run('m', () => Promise.reject(new Error('boom')));
    const next = q.run('m', () => Promise.resolve('ok'));
    await expect(failed).rejects.toThrow('boom');
    expect(await next).toBe('ok');
  });

  it('forgets a key once its queue drained', async () => {
    const q = new KeyedQueue();
    await q.run('m', () => Promise.resolve());
    await tick();
    expect(q.busyKeys).toBe(0);
  });
});
