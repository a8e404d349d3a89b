import { describe, expect, it } from 'vitest';
import { projects } from '../support/project.js';

const scan = projects('commonjs-modules');

/**
 * An Express app in plain CommonJS: a Redis client made only when enabled, its key builders and
 * deletes kept in objects of the module's exports, queries gathered by an index module, and
 * express-validator chains as route middleware.
 */
const APP = {
  'package.json': '{ "name": "links", "dependencies": { "express": "^4", "express-validator": "^7", "ioredis": "^5", "knex": "^3" } }\n',
  'server/env.js': 'module.exports = { REDIS_ENABLED: process.env.REDIS_ENABLED === "true", DB_CLIENT: "pg" };\n',
  'server/knex.js': `const knex = require("knex");
const env = require("./env");
const db = knex({ client: env.DB_CLIENT });
module.exports = db;
`,
  'server/redis.js': `const Redis = require("ioredis");
const env = require("./env");
let client;
if (env.REDIS_ENABLED) {
  client = new Redis();
}
const key = {
  link: (address, domain_id) => \`l:\${address}:\${domain_id || ""}\`,
};
const remove = {
  link: (link) => {
    if (!link) return;
    return client.del(key.link(link.address, link.domain_id));
  },
};
module.exports = { client, key, remove };
`,
  'server/queries/link.queries.js': `const redis = require("../redis");
const knex = require("../knex");
async function find(match) {
  const key = redis.key.link(match.address, match.domain_id);
  const cached = await redis.client.get(key);
  if (cached) return JSON.parse(cached);
  const link = await knex("links").where(match).first();
  if (link) redis.client.set(key, JSON.stringify(link), "EX", 60 * 15);
  return link;
}
async function create(params) {
  const [link] = await knex("links").insert(params, "*");
  return link;
}
async function update(match, update) {
  const links = await knex("links").where(match).update(update, "*");
  links.forEach(redis.remove.link);
  return links;
}
async function remove(match) {
  const link = await knex("links").where(match).first();
  await knex("links").where("id", link.id).delete();
  return link;
}
module.exports = { find, create, update, remove };
`,
  'server/queries/index.js': `const link = require("./link.queries");
module.exports = { link };
`,
  'server/validators.js': `const { body, param } = require("express-validator");
const editLink = [body("target").optional().isString().trim(), param("id").isLength({ min: 36, max: 36 })];
module.exports = { editLink };
`,
  'server/app.js': `const express = require("express");
const query = require("./queries");
const validators = require("./validators");
const app = express();
app.get("/links/:address", async (req, res) => res.json(await query.link.find({ address: req.params.address })));
app.post("/links", async (req, res) => res.json(await query.link.create({ address: req.body.address })));
app.patch("/links/:id", validators.editLink, async (req, res) => res.json(await query.link.update({ id: req.params.id }, { target: req.body.target })));
app.post("/links/:id/report", validators.editLink, async (req, res) => res.json({ reported: req.params.id }));
app.delete("/links/:id", async (req, res) => res.json(await query.link.remove({ id: req.params.id })));
module.exports = app;
`,
};

describe('a CommonJS app whose cache and queries are reached through module objects', () => {
  it('reads the family, follows the deletes an object holds, and reports the handler that clears nothing', async () => {
    const result = await scan(APP);
    expect(result.families.map((f) => [f.key, f.models, f.ttl])).toEqual([['l:{address}:{}', ['Links'], 900]]);
    const judged = result.findings.map((f) => `${f.file}:${String(f.line)} ${f.severity} ${f.ruleId} ${f.message.split('\n')[0] ?? ''}`);
    // The link is cached only where it was found (`if (link) redis.client.set(…)`): POST /links creates a row no entry kept a miss of.
    expect(judged).toEqual([
      'server/app.js:9 error require-dependent-invalidation DELETE /links/:id leaves a cached family stale: `l:{address}:{value}`.',
    ]);
    expect(result.findings[0]?.details?.[0]).toBe(
      '- `l:{address}:{value}` holds Links (the first row a filter finds; read at server/queries/link.queries.js:5, filled at server/queries/link.queries.js:8, ttl 900 s); it writes Links (delete) at server/queries/link.queries.js:22: delete `l:{address}:{value}`.',
    );
  });
});
