import { rmSync } from 'node:fs';
import tsParser from '@typescript-eslint/parser';
import { ESLint } from 'eslint';
import ts from 'typescript';
import { describe, expect, it } from 'vitest';
import { codeCascadeTable, mergedCascades } from '../../src/analysis/code-cascades.js';
import { cascadesOf } from '../../src/analysis/prisma-schema.js';
import plugin from '../../src/eslint.js';
import { parseSource } from '../../src/ts/syntax.js';
import { projects, writeProject } from '../support/project.js';

const scan = projects('code-cascades');

function tableOf(files: Record<string, string>): Record<string, readonly string[]> {
  const parsed = Object.entries(files).map(([name, text]) => parseSource(ts, name, text));
  return Object.fromEntries(codeCascadeTable(ts, parsed));
}

describe('cascading relations declared in the code', () => {
  it('reads Knex column builders in createTable, alterTable and table, by inTable or a dotted references', () => {
    expect(
      tableOf({
        'models/link.model.js': `async function createLinkTable(knex) {
  await knex.schema.createTable("links", (table) => {
    table.integer("user_id").unsigned();
    table.foreign("user_id").references("id").inTable("users").onDelete("CASCADE").withKeyName("links_user_id_foreign");
    table.integer("domain_id").references("id").inTable("domains").onDelete("SET NULL");
  });
  await knex.schema.alterTable("visits", (table) => {
    table.integer("link_id").references("links.id").onDelete("cascade");
  });
}
module.exports = { createLinkTable };
`,
        'migrations/20240101_tags.ts': `import type { Knex } from "knex";
export async function up(knex: Knex) {
  await knex.schema.table("tags", (t) => { t.uuid("link_id").references("id").inTable("links").onDelete("CASCADE"); });
}
`,
      }),
    ).toEqual({ Users: ['Links'], Links: ['Visits', 'Tags'] });
  });

  it('reads Drizzle columns and foreign keys, naming each table by its variable', () => {
    expect(
      tableOf({
        'db/schema.ts': `import { foreignKey, pgTable, text } from "drizzle-orm/pg-core";
export const workspaces = pgTable("workspaces", { id: text("id").primaryKey() });
export const apiKeys = pgTable("api_keys", {
  id: text("id").primaryKey(),
  workspaceId: text("workspace_id").notNull().references(() => workspaces.id, { onDelete: "cascade" }),
  ownerId: text("owner_id").references(() => users.id, { onDelete: "set null" }),
});
export const keyRoles = pgTable("key_roles", { keyId: text("key_id").notNull() }, (t) => [
  foreignKey({ columns: [t.keyId], foreignColumns: [apiKeys.id] }).onDelete("cascade"),
]);
`,
      }),
    ).toEqual({ Workspaces: ['ApiKeys'], ApiKeys: ['KeyRoles'] });
  });

  it('reads TypeORM and sequelize-typescript relation decorators, and Sequelize associations', () => {
    expect(
      tableOf({
        'entities/link.entity.ts': `import { Entity, ManyToOne, OneToMany } from "typeorm";
@Entity()
export class Link {
  @ManyToOne(() => User, (user) => user.links, { onDelete: "CASCADE" }) user: User;
  @ManyToOne(() => Domain, { onDelete: "SET NULL" }) domain: Domain;
  @OneToMany(() => Visit, (visit) => visit.link) visits: Visit[];
}
`,
        'models/team.ts': `import { BelongsTo, HasMany, Model, Table } from "sequelize-typescript";
@Table
export class Team extends Model {
  @HasMany(() => Member, { onDelete: "CASCADE" }) members: Member[];
  @BelongsTo(() => Organization, { onDelete: "CASCADE" }) organization: Organization;
}
`,
        'models/index.js': `Document.belongsTo(Collection, { onDelete: "CASCADE" });
Collection.hasMany(Star, { foreignKey: "collectionId", onDelete: "cascade" });
User.hasMany(Event, { foreignKey: "userId" });
`,
      }),
    ).toEqual({ User: ['Link'], Team: ['Member'], Organization: ['Team'], Collection: ['Document', 'Star'] });
  });

  it('leaves out a relation whose parent or child is a runtime value, and joins tables with a Prisma schema', () => {
    expect(
      tableOf({
        'dynamic.js': `function make(knex, name, parent) {
  return knex.schema.createTable(name, (t) => t.integer("p").references("id").inTable(parent).onDelete("CASCADE"));
}
`,
      }),
    ).toEqual({});
    const merged = mergedCascades(
      new Map([['Organization', ['Project']]]),
      new Map([
        ['Project', ['ApiKey']],
        ['Organization', ['Team']],
      ]),
    );
    expect(cascadesOf(merged, 'Organization').map((c) => c.chain.join(' → '))).toEqual([
      'Organization → Project',
      'Organization → Team',
      'Organization → Project → ApiKey',
    ]);
  });
});

/** An Express app on Knex, whose links are cached by address for 15 minutes and deleted by the database with their user. */
const KNEX_APP = {
  'package.json': '{ "name": "links", "dependencies": { "express": "^4", "ioredis": "^5", "knex": "^3" } }\n',
  'server/knex.js': 'const knex = require("knex");\nmodule.exports = knex({ client: "pg" });\n',
  'server/redis.js': 'const Redis = require("ioredis");\nmodule.exports = new Redis();\n',
  'server/models/link.model.js': `async function createLinkTable(knex) {
  await knex.schema.createTable("links", (table) => {
    table.increments("id").primary();
    table.string("address").notNullable();
    table.integer("user_id").unsigned();
    table.foreign("user_id").references("id").inTable("users").onDelete("CASCADE");
  });
}
module.exports = { createLinkTable };
`,
  'server/queries.js': `const knex = require("./knex");
const redis = require("./redis");
async function findLink(address) {
  const cached = await redis.get(\`link:\${address}\`);
  if (cached) return JSON.parse(cached);
  const link = await knex("links").where({ address }).first();
  if (link) await redis.set(\`link:\${address}\`, JSON.stringify(link), "EX", 900);
  return link;
}
async function removeUser(id) {
  await knex("users").where("id", id).delete();
}
module.exports = { findLink, removeUser };
`,
  'server/app.js': `const express = require("express");
const { findLink, removeUser } = require("./queries");
const app = express();
app.get("/:address", async (req, res) => res.json(await findLink(req.params.address)));
app.delete("/users/:id", async (req, res) => res.json(await removeUser(req.params.id)));
module.exports = app;
`,
};

/** A Hono app on Drizzle whose API keys are cached by hash with no expiry, and deleted by the database with their workspace. */
const DRIZZLE_APP = {
  'package.json': '{ "name": "keys", "dependencies": { "hono": "^4", "ioredis": "^5", "drizzle-orm": "^0.44" } }\n',
  'src/db/schema.ts': `import { pgTable, text } from 'drizzle-orm/pg-core';
export const workspaces = pgTable('workspaces', { id: text('id').primaryKey(), name: text('name') });
export const keys = pgTable('keys', {
  id: text('id').primaryKey(),
  hash: text('hash').notNull(),
  workspaceId: text('workspace_id').notNull().references(() => workspaces.id, { onDelete: 'cascade' }),
});
`,
  'src/db/index.ts': `import { drizzle } from 'drizzle-orm/node-postgres';
import * as schema from './schema';
export const db = drizzle(process.env.DATABASE_URL!, { schema });
`,
  'src/cache.ts': `import Redis from 'ioredis';
export const redis = new Redis();
`,
  'src/app.ts': `import { Hono } from 'hono';
import { eq } from 'drizzle-orm';
import { db } from './db';
import { keys, workspaces } from './db/schema';
import { redis } from './cache';

export const app = new Hono();

app.get('/keys/:hash', async (c) => {
  const hash = c.req.param('hash');
  const cached = await redis.get(\`key:\${hash}\`);
  if (cached) return c.json(JSON.parse(cached));
  const [key] = await db.select().from(keys).where(eq(keys.hash, hash));
  await redis.set(\`key:\${hash}\`, JSON.stringify(key));
  return c.json(key);
});

app.delete('/workspaces/:id', async (c) => {
  await db.delete(workspaces).where(eq(workspaces.id, c.req.param('id')));
  return c.body(null, 204);
});
`,
};

function judged(findings: readonly { file: string; line: number; severity: string; ruleId: string; message: string }[]): string[] {
  return findings.map((f) => `${f.file}:${String(f.line)} ${f.severity} ${f.ruleId} ${f.message.split('\n')[0] ?? ''}`);
}

describe('a delete the database cascades to rows a family holds', () => {
  it('warns where a Knex relation deletes rows of a family that expires, naming the chain', async () => {
    const result = await scan(KNEX_APP);
    expect(judged(result.findings)).toEqual([
      'server/app.js:5 warning possibly-stale-family DELETE /users/:id may leave a cached family stale: `link:{address}`.',
    ]);
    expect(result.findings[0]?.details?.[0]).toBe(
      '- `link:{address}` holds Links (the first row a filter finds; read at server/queries.js:4, filled at server/queries.js:7, ttl 900 s); it deletes Users → Links by cascade (`ON DELETE CASCADE`) at server/queries.js:11: delete `link:{address}`.',
    );
  });

  it('reports an error where a Drizzle relation deletes rows of a family that never expires', async () => {
    const result = await scan(DRIZZLE_APP);
    expect(judged(result.findings)).toEqual([
      'src/app.ts:18 error require-dependent-invalidation DELETE /workspaces/:id leaves a cached family stale: `key:{hash}`.',
    ]);
    expect(result.findings[0]?.details?.[0]).toContain('it deletes Workspaces → Keys by cascade (`ON DELETE CASCADE`) at src/app.ts:19');
    expect([result.findings[0]?.column, result.findings[0]?.endColumn]).toEqual([5, 11]);
  });

  it('is what ESLint says of the handler too, without type information', async () => {
    const root = writeProject('code-cascades-eslint', DRIZZLE_APP);
    try {
      const options: Record<string, unknown> = {
        cwd: root,
        overrideConfigFile: true,
        overrideConfig: [{ files: ['**/*.ts'], languageOptions: { parser: tsParser } }, plugin.configs.recommended],
      };
      const linter = new ESLint(options);
      const [result] = await linter.lintFiles(['src/app.ts']);
      expect(result?.messages.map((m) => [m.line, m.column, m.ruleId, m.severity, m.message.split('\n')[0]])).toEqual([
        [18, 5, 'cache-audit/require-dependent-invalidation', 2, 'DELETE /workspaces/:id leaves a cached family stale: `key:{hash}`.'],
      ]);
    } finally {
      rmSync(root, { recursive: true, force: true });
    }
  });
});
