import { DataSource } from 'typeorm';
import { testServerUrl } from '../test-support/int-app';
import { dataSourceOptions } from './typeorm-options';

/** A failed query's log line never carries its parameters (a phone here). */
describe('database log lines (real PostgreSQL)', () => {
  it('logs a failed query with its SQL but not its parameters', async () => {
    const ds = new DataSource({ ...dataSourceOptions(testServerUrl()), migrations: [], entities: [] });
    await ds.initialize();
    const written: string[] = [];
    const capture = (stream: NodeJS.WriteStream) => {
      const original = stream.write.bind(stream);
      stream.write = ((chunk: unknown, ...rest: unknown[]) => {
        written.push(String(chunk));
        return (original as (...a: unknown[]) => boolean)(chunk, ...rest);
      }) as typeof stream.write;
      return () => (stream.write = original as typeof stream.write);
    };
    const restore = [capture(process.stdout), capture(process.stderr)];
    const consoleSpies = (['log', 'error', 'warn', 'info'] as const).map((m) =>
      jest.spyOn(console, m).mockImplementation((...args: unknown[]) => void written.push(args.join(' '))),
    );
    try {
      await expect(
        ds.query('SELECT * FROM no_such_table_for_logging WHERE phone = $1', ['13812345678']),
      ).rejects.toThrow();
    } finally {
      restore.forEach((r) => r());
      consoleSpies.forEach((s) => s.mockRestore());
      await ds.destroy();
    }
    const log = written.join('\n');
    expect(log).toContain('no_such_table_for_logging');
    expect(log).not.toContain('13812345678');
  });
});
