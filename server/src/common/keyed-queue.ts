/**
 * Runs the tasks of one key (a meeting) one at a time, in the order they were queued; different keys run
 * concurrently. A failed task fails only its own caller: the next one of the key still runs. A key's entry is
 * dropped once its queue drains, so idle keys cost nothing.
 */
export class KeyedQueue {
  private readonly tails = new Map<string, Promise<unknown>>();

  run<T>(key: string, fn: () => Promise<T>): Promise<T> {
    const previous = this.tails.get(key) ?? Promise.resolve();
    const next = previous.catch(() => undefined).then(fn);
    const settled = next.catch(() => undefined);
    this.tails.set(key, settled);
    void settled.then(() => {
      if (this.tails.get(key) === settled) this.tails.delete(key);
    });
    return next;
  }

  /** Keys with work queued or running (tests). */
  get busyKeys(): number {
    return this.tails.size;
  }
}
