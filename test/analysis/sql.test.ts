import { resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { isSqlText, readSql } from '../../src/analysis/sources/sql-text.js';
import { scan } from '../../src/scanner/scan.js';

describe('SQL written in the code', () => {
  it('is told from other strings by its first word and a table clause', () => {
    expect(isSqlText('SELECT * FROM products')).toBe(true);
    expect(isSqlText('  update "public"."users" set name = $1')).toBe(true);
    expect(isSqlText('update:table:42')).toBe(false);
    expect(isSqlText('select:users')).toBe(false);
    expect(isSqlText('/products/update')).toBe(false);
  });

  it('reads the tables and the columns an update sets, whatever the quoting and the schema', () => {
    expect(readSql('UPDATE "public"."Website" SET "name" = $1, updated_at = now() WHERE id = $2')).toEqual([
      { table: 'Website', operation: 'update', fields: ['name', 'updated_at'], isPoint: false },
    ]);
    expect(readSql('update products p set price = p.price * 1.1 where p.id = ?')).toEqual([
      { table: 'products', operation: 'update', fields: ['price'], isPoint: false },
    ]);
  });

  it('reads inserts, upserts, deletes and truncates as whole-row writes', () => {
    expect(readSql('INSERT INTO orders (a, b) VALUES ($1, $2)')).toEqual([
      { table: 'orders', operation: 'insert', fields: null, isPoint: false },
    ]);
    expect(readSql('insert into stats (k, v) values ($1, $2) on conflict (k) do update set v = excluded.v')[0]?.operation).toBe('upsert');
    expect(readSql('INSERT INTO t (a) VALUES (1) ON DUPLICATE KEY UPDATE a = 1')[0]?.operation).toBe('upsert');
    expect(readSql('DELETE FROM sessions WHERE expires < now()')).toEqual([
      { table: 'sessions', operation: 'delete', fields: null, isPoint: false },
    ]);
    expect(readSql('TRUNCATE TABLE audit_log')[0]).toMatchObject({ table: 'audit_log', operation: 'delete' });
  });

  it('reads a one-table select by its columns and filter, and a lookup by id as one row', () => {
    expect(readSql('SELECT id, name, price FROM products WHERE archived = false ORDER BY name')).toEqual([
      { table: 'products', operation: 'select', fields: ['id', 'name', 'price', 'archived'], isPoint: false },
    ]);
    expect(readSql('SELECT * FROM products WHERE id = $1')).toEqual([
      { table: 'products', operation: 'select', fields: null, isPoint: true },
    ]);
    expect(readSql('select name from users where users.id=? limit 1')[0]?.isPoint).toBe(true);
    expect(readSql('select name from users where email = ?')[0]?.isPoint).toBe(false);
  });

  it('reads every table a join or a subquery names, with all their columns, and no column taken for a table', () => {
    const joined = readSql('SELECT p.name, c.title FROM products p JOIN categories c ON c.id = p.category_id -- list\nWHERE p.active');
    expect(joined.map((a) => [a.table, a.fields])).toEqual([
      ['products', null],
      ['categories', null],
    ]);
    expect(readSql('SELECT EXTRACT(EPOCH FROM created_at) AS t FROM events').map((a) => a.table)).toEqual(['events']);
  });
});

describe('an app that reads and writes in SQL', () => {
  it('names the table each stale family holds and the statement that writes it', async () => {
    const result = await scan({ root: resolve(import.meta.dirname, '../../fixtures/sql-app') });
    expect(result.families.map((f) => [f.key, f.models])).toEqual([
      ['orders:recent', ['Orders']],
      ['product:{id}', ['Products']],
      ['products:list', ['Products']],
      ['team:{id}', ['Teams']],
      ['user:{id}', ['Users']],
    ]);
    const price = result.findings.find((f) => f.file === 'src/routes/products.ts' && f.line === 39);
    expect(price?.message).toBe('PUT /products/:id/price leaves a cached family stale: `products:list`.');
    expect(price?.details?.[0]).toBe(
      '- `products:list` holds Products (a list, count or aggregate; read at src/routes/products.ts:10, filled at src/routes/products.ts:13, ttl 600 s); it writes Products (update) at src/routes/products.ts:40: delete `products:list`.',
    );
  });

  it('reads a postgres.js statement awaited on its own, in the loader and in the write', async () => {
    const result = await scan({ root: resolve(import.meta.dirname, '../../fixtures/sql-app') });
    const rename = result.findings.find((f) => f.file === 'src/routes/teams.ts' && f.line === 16);
    expect(rename?.details?.[0]).toBe(
      '- `team:{id}` holds Teams (looked up by key; read at src/routes/teams.ts:9, filled at src/routes/teams.ts:12, ttl 600 s); it writes Teams (update) at src/routes/teams.ts:17: delete `team:{id}`.',
    );
    expect(result.findings.filter((f) => f.file === 'src/routes/teams.ts').map((f) => f.line)).toEqual([16]);
  });
});
