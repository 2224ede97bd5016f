import { EntityManager } from 'typeorm';

export interface BulkColumn<T> {
  name: string;
  /** PostgreSQL element type, e.g. `uuid`, `text`, `jsonb`, `timestamptz`. */
  type: string;
  value: (row: T) => unknown;
}

/**
 * Inserts many rows with one statement per table: each column travels as one array parameter and `unnest`
 * turns them back into rows, in the given order (so serial ids follow the array order). Thousands of rows cost
 * one round trip instead of thousands.
 */
export async function bulkInsert<T>(em: EntityManager, table: string, columns: BulkColumn<T>[], rows: T[]) {
  if (rows.length === 0) return;
  const names = columns.map((c) => `"${c.name}"`).join(', ');
  const arrays = columns.map((c, i) => `$${i + 1}::${c.type}[]`).join(', ');
  const aliases = columns.map((_, i) => `c${i}`);
  await em.query(
    `INSERT INTO "${table}" (${names})
     SELECT ${aliases.join(', ')} FROM unnest(${arrays}) WITH ORDINALITY AS t(${aliases.join(', ')}, n) ORDER BY n`,
    columns.map((c) => rows.map((r) => c.value(r))),
  );
}
