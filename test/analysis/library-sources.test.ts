import ts from 'typescript';
import { describe, expect, it } from 'vitest';
import type { Effect } from '../../src/analysis/effects/model.js';
import { invalidationsOf } from '../../src/analysis/effects/invalidation-facts.js';
import { keyPattern } from '../../src/analysis/effects/keys.js';
import { summarize } from '../../src/analysis/effects/summarize.js';
import { fileContext } from '../../src/analysis/extract.js';
import { resolveOptions } from '../../src/analysis/options.js';

/** The function or method `name` (`Class.method`) of a source file. */
function declaration(file: ts.SourceFile, name: string): ts.Node {
  const [owner, member] = name.includes('.') ? name.split('.') : [null, name];
  // Set inside visit, which the compiler does not follow.
  let found = null as ts.Node | null;
  const visit = (node: ts.Node): void => {
    if (found) return;
    if (owner === null && ts.isFunctionDeclaration(node) && node.name?.text === member) found = node;
    if (owner !== null && ts.isClassDeclaration(node) && node.name?.text === owner) {
      found = node.members.find((m) => ts.isMethodDeclaration(m) && m.name.getText(file) === member) ?? null;
    }
    ts.forEachChild(node, visit);
  };
  visit(file);
  if (!found) throw new Error(`no ${name} in the test source`);
  return found;
}

/** What a function does, one line per effect: position, kind, what, the path, deferred. */
function effects(code: string, name: string): string[] {
  const file = ts.createSourceFile('/app/src/handler.ts', code, ts.ScriptTarget.Latest, true, ts.ScriptKind.TS);
  const ctx = fileContext(file, { ts, options: resolveOptions() });
  return summarize(ctx, declaration(file, name))
    .filter((e) => e.kind !== 'opaque')
    .map(describeEffect);
}

function describeEffect(effect: Effect): string {
  const start = effect.ctx.sourceFile.getLineAndCharacterOfPosition(effect.node.getStart(effect.ctx.sourceFile));
  const at = `${String(start.line + 1)}:${String(start.character + 1)}`;
  const what =
    effect.kind === 'model-read' || effect.kind === 'model-write'
      ? `${effect.kind} ${effect.model}.${effect.operation}`
      : effect.kind === 'emit' || effect.kind === 'enqueue'
        ? `${effect.kind} ${effect.target}`
        : `${effect.kind} ${effect.name}`;
  const through = effect.through.length > 0 ? ` through ${effect.through.join(' → ')}` : '';
  return `${at} ${what}${through}${effect.isDeferred ? ' (deferred)' : ''}`;
}

const REDIS = "import Redis from 'ioredis';\nconst redis = new Redis();\n";

describe('Prisma', () => {
  it('reads and writes delegates of a client, a transaction and a class extending PrismaClient', () => {
    const code = `${REDIS}import { PrismaClient } from '@prisma/client';
const prisma = new PrismaClient();
class PrismaService extends PrismaClient {}
export async function handler(id: string) {
  await prisma.website.findUnique({ where: { id } });
  await prisma.website.update({ where: { id }, data: {} });
  await prisma.$transaction(async (tx) => {
    await tx.domain.deleteMany({ where: { id } });
  });
}
class Sites {
  constructor(private readonly prisma: PrismaService) {}
  async remove(id: string) {
    await this.prisma.site.delete({ where: { id } });
  }
}`;
    expect(effects(code, 'handler')).toEqual([
      '7:9 model-read Website.findUnique',
      '8:9 model-write Website.update',
      '10:11 model-write Domain.deleteMany',
    ]);
    expect(effects(code, 'Sites.remove')).toEqual(['16:11 model-write Site.delete']);
  });

  it('runs a query extension of the model as part of the write, and not for another model', () => {
    const code = `${REDIS}import { PrismaClient } from '@prisma/client';
const prisma = new PrismaClient().$extends({
  query: {
    website: {
      async update({ args, query }) {
        await redis.del('websites');
        return query(args);
      },
    },
  },
});
export async function handler(id: string) {
  await prisma.website.update({ where: { id }, data: {} });
  await prisma.domain.update({ where: { id }, data: {} });
}`;
    expect(effects(code, 'handler')).toEqual([
      '15:9 model-write Website.update',
      '8:15 invalidate del through Website.update (hook)',
      '16:9 model-write Domain.update',
    ]);
  });

  it('runs a $use middleware only for the models and actions it tests', () => {
    const code = `${REDIS}import { PrismaClient } from '@prisma/client';
const prisma = new PrismaClient();
prisma.$use(async (params, next) => {
  if (params.model === 'Team' && params.action === 'create') await redis.del('teams');
  return next(params);
});
export async function handler(id: string) {
  await prisma.team.create({ data: {} });
  await prisma.team.update({ where: { id }, data: {} });
  await prisma.user.create({ data: {} });
}`;
    expect(effects(code, 'handler')).toEqual([
      '10:9 model-write Team.create',
      '6:68 invalidate del through Team.$use (hook)',
      '11:9 model-write Team.update',
      '12:9 model-write User.create',
    ]);
  });

  it('does not take an object of maps named db for a client', () => {
    const code = `const db = { quotes: new Map<string, number>() };
export function handler(id: string) {
  db.quotes.delete(id);
}`;
    expect(effects(code, 'handler')).toEqual([]);
  });
});

describe('Prisma Accelerate', () => {
  const code = `import { PrismaClient } from '@prisma/client';
import { withAccelerate } from '@prisma/extension-accelerate';
const prisma = new PrismaClient().$extends(withAccelerate());
export async function list(clientId: string) {
  await prisma.quote.findMany({ where: { clientId }, cacheStrategy: { ttl: 60, swr: 30, tags: ['quotes', 'quotes_' + clientId] } });
  await prisma.quote.count({ cacheStrategy: { ttl: 60 } });
}
export async function update(id: string) {
  await prisma.quote.update({ where: { id }, data: { total: 1 } });
  await prisma.$accelerate.invalidate({ tags: ['quotes'] });
  await prisma.$accelerate.invalidateAll();
}`;

  it('reads a cacheStrategy with tags as a cached read of its first tag, and one without tags as a plain read', () => {
    expect(effects(code, 'list')).toEqual(['5:9 model-read Quote.findMany', '5:9 cache-read findMany', '6:9 model-read Quote.count']);
  });

  it('reads $accelerate.invalidate of a client as the invalidation of its tags, invalidateAll of every one', () => {
    expect(effects(code, 'update')).toEqual([
      '9:9 model-write Quote.update',
      '10:9 invalidate invalidate',
      '11:9 invalidate invalidateAll',
    ]);
  });
});

describe('TypeORM', () => {
  const code = `${REDIS}import { InjectRepository } from '@nestjs/typeorm';
import { AfterInsert, DataSource, Entity, EntitySubscriberInterface, EventSubscriber, Repository } from 'typeorm';
@Entity()
class Website {
  @AfterInsert()
  clearList() {
    return redis.del('websites');
  }
}
@Entity()
class Domain {}
@EventSubscriber()
class DomainSubscriber implements EntitySubscriberInterface<Domain> {
  listenTo() {
    return Domain;
  }
  afterUpdate() {
    return redis.del('domains');
  }
}
class WebsitesService {
  constructor(
    @InjectRepository(Website) private readonly websites: Repository<Website>,
    private readonly domains: Repository<Domain>,
    private readonly dataSource: DataSource,
    private readonly connection: TransactionalConnection,
  ) {}
  async create(data: Partial<Website>) {
    await this.websites.findOneBy({});
    await this.websites.save(data);
  }
  async rename(id: string) {
    await this.websites.update(id, {});
    await this.domains.update(id, {});
  }
  async viaDataSource(id: string) {
    await this.dataSource.getRepository(Domain).delete(id);
    await this.dataSource.manager.save(Website, {});
  }
  async viaContext(ctx: RequestContext, id: string) {
    await this.connection.getRepository(ctx, Domain).delete(id);
  }
}
class TransactionalConnection {
  constructor(private readonly dataSource: DataSource) {}
  getRepository<T>(ctx: RequestContext, target: new () => T) {
    return this.dataSource.getRepository(target);
  }
}
interface RequestContext { userId: string }`;

  it('reads and writes through injected repositories, and runs the entity listener on save', () => {
    expect(effects(code, 'WebsitesService.create')).toEqual([
      '31:11 model-read Website.findOneBy',
      '32:11 model-write Website.save',
      '9:12 invalidate del through Website.afterInsert (hook)',
    ]);
  });

  it('runs subscribers for query-builder updates, entity listeners not', () => {
    expect(effects(code, 'WebsitesService.rename')).toEqual([
      '35:11 model-write Website.update',
      '36:11 model-write Domain.update',
      '20:12 invalidate del through Domain.afterUpdate (hook)',
    ]);
  });

  it('reads a save of a new entity, made here without an id, as an insert, and any other save as an upsert', () => {
    const saves = `import { InjectRepository } from '@nestjs/typeorm';
import { Entity, Repository } from 'typeorm';
@Entity()
class Quote {
  id!: number;
}
class QuotesService {
  constructor(@InjectRepository(Quote) private readonly quotes: Repository<Quote>) {}
  async create(input: { total: number }, id: number, found: Quote) {
    await this.quotes.save(this.quotes.create({ ...input, tenantId: 't' }));
    const made = this.quotes.create(input);
    await this.quotes.save(made);
    const built = new Quote();
    await this.quotes.save(built);
    await this.quotes.save({ total: 1 });
    await this.quotes.save({ id, ...input });
    await this.quotes.save(this.quotes.create({ id, ...input }));
    const moved = new Quote();
    moved.id = id;
    await this.quotes.save(moved);
    await this.quotes.save(found);
  }
}`;
    expect(effects(saves, 'QuotesService.create')).toEqual([
      '10:11 model-write Quote.insert',
      '12:11 model-write Quote.insert',
      '14:11 model-write Quote.insert',
      '15:11 model-write Quote.insert',
      '16:11 model-write Quote.save',
      '17:11 model-write Quote.save',
      '20:11 model-write Quote.save',
      '21:11 model-write Quote.save',
    ]);
  });

  it('reads the entity of getRepository(…) and of the manager', () => {
    expect(effects(code, 'WebsitesService.viaDataSource')).toEqual([
      '39:11 model-write Domain.delete',
      '40:11 model-write Website.insert',
      '9:12 invalidate del through Website.afterInsert (hook)',
    ]);
  });

  it("reads the entity of a wrapper's getRepository(ctx, …) that takes a request context first", () => {
    expect(effects(code, 'WebsitesService.viaContext')).toEqual(['43:11 model-write Domain.delete']);
  });
});

describe('TypeORM entities given to generic helpers, and query builders', () => {
  const code = `import { Type } from '@nestjs/common';
import { DataSource, Entity, ObjectLiteral } from 'typeorm';
@Entity()
class Channel {}
@Entity()
class Role {}
class Helpers {
  constructor(private readonly dataSource: DataSource) {}
  listOf<T extends ObjectLiteral>(entity: Type<T>) {
    return this.dataSource.getRepository(entity).createQueryBuilder('row');
  }
  async assign<T extends ObjectLiteral>(entityType: Type<T>, id: string, channelIds: string[]) {
    await this.dataSource.getRepository(entityType).createQueryBuilder().relation('channels').of(id).add(channelIds);
  }
  findOne<T extends ObjectLiteral>(entityType: Type<T>, id: string) {
    return this.byId(entityType, id);
  }
  private byId<T extends ObjectLiteral>(target: Type<T>, id: string) {
    const qb = this.dataSource.getRepository(target).createQueryBuilder('row');
    qb.andWhere('row.id = :id', { id });
    return qb.getOne();
  }
  async purge(id: string) {
    await this.dataSource.getRepository(Channel).createQueryBuilder().delete().where('id = :id', { id }).execute();
    return this.dataSource.getRepository(Channel).createQueryBuilder('c').orderBy('c.name').getMany();
  }
}
const helpers = new Helpers(new DataSource({ type: 'postgres' }));
class Service {
  async run(id: string) {
    await helpers.listOf(Channel).getMany();
    await helpers.assign(Role, id, ['c']);
    await helpers.findOne(Role, id);
  }
}`;

  /** Each model effect of a function: where, what, and what the source says of its rows. */
  function modelEffects(name: string): string[] {
    const file = ts.createSourceFile('/app/src/handler.ts', code, ts.ScriptTarget.Latest, true, ts.ScriptKind.TS);
    const ctx = fileContext(file, { ts, options: resolveOptions() });
    const target = declaration(file, name);
    return summarize(ctx, target).flatMap((e) => {
      if (e.kind === 'model-read') return [`${describeEffect(e)}${e.hasUnreadFilter === true ? ' (rows filtered)' : ''}`];
      if (e.kind === 'model-write') return [`${describeEffect(e)}${e.relation === undefined ? '' : ` (relation ${e.relation})`}`];
      return [];
    });
  }

  it('binds the entity a helper is given to the class its caller passes, through helpers that pass it on', () => {
    expect(modelEffects('Service.run')).toEqual([
      '10:12 model-read Channel.createQueryBuilder through Helpers.listOf (rows filtered)',
      '13:11 model-write Role.update through Helpers.assign (relation channels)',
      '19:16 model-read Role.createQueryBuilder through Helpers.findOne → Helpers.byId (rows filtered)',
    ]);
  });

  it('reads a builder that writes as a write, one run where it is made with no filter as a read of every row', () => {
    expect(modelEffects('Helpers.purge')).toEqual(['24:11 model-write Channel.delete', '25:12 model-read Channel.createQueryBuilder']);
  });

  it('tells no model where no caller passes the class', () => {
    expect(modelEffects('Helpers.assign')).toEqual(['13:11 model-write given:entityType.update (relation channels)']);
  });
});

describe('TypeORM query result cache', () => {
  const code = `import { InjectRepository } from '@nestjs/typeorm';
import { DataSource, Repository } from 'typeorm';
class QuotesService {
  constructor(
    @InjectRepository(Quote) private readonly quotes: Repository<Quote>,
    private readonly dataSource: DataSource,
  ) {}
  async open() {
    await this.quotes.find({ where: { status: 'open' }, cache: { id: 'quotes_open', milliseconds: 60_000 } });
    await this.quotes.count({ cache: true });
    await this.dataSource.manager.find(Quote, { cache: { id: 'quotes_all', milliseconds: 5_000 } });
  }
  async accept(id: string, files: { remove(ids: string[]): void }) {
    await this.quotes.update({ id }, { status: 'accepted' });
    await this.dataSource.queryResultCache?.remove(['quotes_open']);
    await this.dataSource.queryResultCache?.clear();
    files.remove(['quotes_open']);
  }
}`;

  it('reads a find cached under an id as a cached read, and one cached by its SQL as a plain read', () => {
    expect(effects(code, 'QuotesService.open')).toEqual([
      '9:11 model-read Quote.find',
      '9:11 cache-read find',
      '10:11 model-read Quote.count',
      '11:11 model-read Quote.find',
      '11:11 cache-read find',
    ]);
  });

  it("reads the data source's queryResultCache.remove as the invalidation of its ids, and clear as a flush", () => {
    expect(effects(code, 'QuotesService.accept')).toEqual([
      '14:11 model-write Quote.update',
      '15:11 invalidate remove',
      '16:11 invalidate clear',
    ]);
  });
});

describe('Sequelize', () => {
  const code = `${REDIS}import { AfterSave, Model, Table } from 'sequelize-typescript';
@Table
class Website extends Model {
  @AfterSave
  static async clear() {
    await redis.del('websites');
  }
}
class Domain extends Model {}
Domain.addHook('afterDestroy', async () => {
  await redis.del('domains');
});
export async function create() {
  await Website.create({ name: 'a' });
}
export async function bulk() {
  await Website.update({ name: 'b' }, { where: {} });
  await Website.update({ name: 'c' }, { where: {}, individualHooks: true });
}
export async function instance(id: string) {
  const site = await Website.findByPk(id);
  await site.save();
  const domain = await Domain.findOne({ where: { id } });
  await domain.destroy();
  await Domain.destroy({ where: { id } });
}`;

  it('runs the model hooks of a static create', () => {
    expect(effects(code, 'create')).toEqual(['16:9 model-write Website.create', '8:11 invalidate del through Website.afterSave (hook)']);
  });

  it('runs per-instance hooks of a bulk update only with individualHooks', () => {
    expect(effects(code, 'bulk')).toEqual([
      '19:9 model-write Website.update',
      '20:9 model-write Website.update',
      '8:11 invalidate del through Website.afterSave (hook)',
    ]);
  });

  it('follows an instance to the model it was read from', () => {
    expect(effects(code, 'instance')).toEqual([
      '23:22 model-read Website.findByPk',
      '24:9 model-write Website.save',
      '8:11 invalidate del through Website.afterSave (hook)',
      '25:24 model-read Domain.findOne',
      '26:9 model-write Domain.destroy',
      '13:9 invalidate del through Domain.afterDestroy (hook)',
      '27:9 model-write Domain.destroy',
    ]);
  });
});

describe("a model's own methods", () => {
  it('reads this.save(), this.destroy() and this.update() in a Sequelize model as writes that run its hooks', () => {
    const code = `${REDIS}import { AfterDestroy, AfterUpdate, Model } from 'sequelize-typescript';
class Website extends Model {
  declare name: string;
  async rename(name: string) {
    this.name = name;
    await this.save();
  }
  async archive() {
    const done = async () => this.destroy();
    await done();
  }
  static async renameAll(name: string) {
    await this.update({ name }, { where: {} });
    return this.findAll();
  }
  @AfterUpdate
  @AfterDestroy
  static async clear() {
    await redis.del('websites');
  }
}
function unbound(this: Website) {
  return this.save();
}`;
    expect(effects(code, 'Website.rename')).toEqual([
      '8:11 model-write Website.save',
      '21:11 invalidate del through Website.afterUpdate (hook)',
    ]);
    expect(effects(code, 'Website.archive')).toEqual([
      '11:30 model-write Website.destroy',
      '21:11 invalidate del through Website.afterDestroy (hook)',
    ]);
    // In a static method `this` is the class: a bulk update, which runs no per-instance hook.
    expect(effects(code, 'Website.renameAll')).toEqual(['15:11 model-write Website.update', '16:12 model-read Website.findAll']);
    // A plain function's `this` is whatever the call binds: no model.
    expect(effects(code, 'unbound')).toEqual([]);
  });

  it('reads this.save() and this.remove() of a TypeORM active-record entity, and this.find() in a static method', () => {
    const code = `${REDIS}import { AfterRemove, BaseEntity, Entity } from 'typeorm';
@Entity()
class Website extends BaseEntity {
  name = '';
  async rename(name: string) {
    this.name = name;
    await this.save();
  }
  async drop() {
    await this.remove();
  }
  static async named(name: string) {
    return this.findOneBy({ name });
  }
  @AfterRemove()
  clear() {
    return redis.del('websites');
  }
}`;
    expect(effects(code, 'Website.rename')).toEqual(['9:11 model-write Website.save']);
    expect(effects(code, 'Website.drop')).toEqual([
      '12:11 model-write Website.remove',
      '19:12 invalidate del through Website.afterRemove (hook)',
    ]);
    expect(effects(code, 'Website.named')).toEqual(['15:12 model-read Website.findOneBy']);
  });
});

describe('Sequelize models the resolver cannot see', () => {
  it("follows the project's own base classes to Model", () => {
    const code = `${REDIS}import { AfterCreate, Model } from 'sequelize-typescript';
class IdModel extends Model {}
class ParanoidModel extends IdModel {}
class Website extends ParanoidModel {
  @AfterCreate
  static clear() {
    return redis.del('websites');
  }
}
export async function create() {
  await Website.create({});
}`;
    expect(effects(code, 'create')).toEqual(['13:9 model-write Website.create', '9:12 invalidate del through Website.afterCreate (hook)']);
  });

  it('takes an unresolvable import for a model by a method only Sequelize has, or by its Sequelize hooks', () => {
    const code = `${REDIS}import { Document, Comment } from '@server/models';
Document.addHook('afterCreate', async () => {
  await redis.del('documents');
});
export async function handler() {
  await Document.findAll();
  await Document.create({});
  await Comment.findByPk('1');
  await Comment.create({});
}`;
    expect(effects(code, 'handler')).toEqual([
      '8:9 model-read Document.findAll',
      '9:9 model-write Document.create',
      '5:9 invalidate del through Document.afterCreate (hook)',
      '10:9 model-read Comment.findByPk',
    ]);
  });
});

describe('Mongoose', () => {
  it('reads model constants and injected models, and runs schema middleware', () => {
    const code = `${REDIS}import mongoose, { Model, Schema } from 'mongoose';
import { InjectModel } from '@nestjs/mongoose';
const WebsiteSchema = new Schema({ name: String });
WebsiteSchema.post('findOneAndUpdate', async function () {
  await redis.del('websites');
});
const Website = mongoose.model('Website', WebsiteSchema);
export async function rename(id: string) {
  await Website.findById(id);
  await Website.findByIdAndUpdate(id, { name: 'b' });
  await Website.deleteOne({ _id: id });
}
class Sites {
  constructor(@InjectModel('Website') private readonly sites: Model<unknown>) {}
  list() {
    return this.sites.find();
  }
}`;
    expect(effects(code, 'rename')).toEqual([
      '11:9 model-read Website.findById',
      '12:9 model-write Website.findByIdAndUpdate',
      '7:9 invalidate del through Website.findOneAndUpdate (hook)',
      '13:9 model-write Website.deleteOne',
    ]);
    expect(effects(code, 'Sites.list')).toEqual(['18:12 model-read Website.find']);
  });

  it('reads a model a constructor assigns to a member typed by the soft-delete plugin, and its soft deletes', () => {
    const code = `import mongoose, { Schema } from 'mongoose';
import mongooseDelete, { SoftDeleteModel } from 'mongoose-delete';
const WorkflowSchema = new Schema({ name: String });
WorkflowSchema.plugin(mongooseDelete, { overrideMethods: 'all' });
const Workflow = (mongoose.models.Workflow as mongoose.Model<unknown>) || mongoose.model('Workflow', WorkflowSchema);
class WorkflowRepository {
  private workflow: SoftDeleteModel;
  constructor() {
    this.workflow = Workflow;
  }
  async remove(id: string) {
    await this.workflow.findOneWithDeleted({ _id: id });
    await this.workflow.delete({ _id: id });
    await this.workflow.deleteById(id);
  }
}`;
    expect(effects(code, 'WorkflowRepository.remove')).toEqual([
      '12:11 model-read Workflow.findOneWithDeleted',
      '13:11 model-write Workflow.delete',
      '14:11 model-write Workflow.deleteById',
    ]);
  });
});

describe('Drizzle', () => {
  it('reads selects and writes inserts, updates and deletes of tables', () => {
    const code = `import { drizzle } from 'drizzle-orm/node-postgres';
import { pgTable, text } from 'drizzle-orm/pg-core';
const websites = pgTable('websites', { id: text('id') });
const db = drizzle(process.env.DATABASE_URL!);
const seen = new Map<string, number>();
export async function handler(id: string) {
  await db.select().from(websites);
  await db.insert(websites).values({ id });
  await db.update(websites).set({ id });
  await db.delete(websites);
  seen.delete(id);
}`;
    expect(effects(code, 'handler')).toEqual([
      '7:9 model-read Websites.select',
      '8:9 model-write Websites.insert',
      '9:9 model-write Websites.update',
      '10:9 model-write Websites.delete',
    ]);
  });
});

describe("Drizzle's cache", () => {
  const code = `import { drizzle } from 'drizzle-orm/node-postgres';
import { upstashCache } from 'drizzle-orm/cache/upstash';
import { pgTable, text } from 'drizzle-orm/pg-core';
const quotes = pgTable('quotes', { id: text('id') });
const db = drizzle(process.env.DATABASE_URL!, { cache: upstashCache() });
const plain = drizzle(process.env.DATABASE_URL!);
export async function handler(id: string) {
  await db.select().from(quotes).$withCache();
  await db.select().from(quotes).$withCache(false);
  await db.select().from(quotes).$withCache({ autoInvalidate: false });
  await db.update(quotes).set({ id });
  await db.transaction(async (tx) => {
    await tx.update(quotes).set({ id });
  });
  await db.batch([db.delete(quotes)]);
  await plain.insert(quotes).values({ id });
  await db.$cache.invalidate({ tables: quotes, tags: ['open'] });
}`;

  it('reads cached selects, and the writes the cache sees (not those of a transaction, a batch or a database with no cache)', () => {
    expect(effects(code, 'handler')).toEqual([
      '8:9 cache-read $withCache',
      '8:9 model-read Quotes.select',
      '9:9 model-read Quotes.select',
      '10:9 model-read Quotes.select',
      '11:9 model-write Quotes.update',
      '11:9 invalidate update',
      '13:11 model-write Quotes.update',
      '15:19 model-write Quotes.delete',
      '16:9 model-write Quotes.insert',
      '17:9 invalidate invalidate',
    ]);
  });
});

describe('BentoCache', () => {
  const code = `import { BentoCache } from 'bentocache';
import cache from '@adonisjs/cache/services/main';
const bento = new BentoCache({ default: 'memory', stores: {} });
export async function handler(id: string, other: { delete(options: { key: string }): void }) {
  const users = bento.namespace('users');
  await users.getOrSet({ key: \`user:\${id}\`, factory: () => null, tags: ['users'] });
  await bento.getOrSetForever('config', () => null);
  await users.has({ key: 'user:1' });
  await users.deleteMany({ keys: ['a', 'b'] });
  await users.deleteByTag({ tags: ['users'] });
  await users.clear();
  await bento.clear();
  await cache.delete('report');
  other.delete({ key: 'user:1' });
}`;

  it('reads both forms, with the namespace before every key and tag, and the clear of a namespace as its keys', () => {
    const file = ts.createSourceFile('/app/src/handler.ts', code, ts.ScriptTarget.Latest, true, ts.ScriptKind.TS);
    const ctx = fileContext(file, { ts, options: resolveOptions() });
    const read = summarize(ctx, declaration(file, 'handler'))
      .filter((e) => e.kind !== 'opaque')
      .map((e) => {
        const keys =
          e.kind === 'invalidate'
            ? invalidationsOf([e], ctx.file, false).flatMap((i) => i.patterns.map((p) => p.pattern?.source ?? '?'))
            : 'keys' in e
              ? e.keys.map((k) => keyPattern(k)?.source ?? '?')
              : [];
        const tags = e.kind === 'cache-read' ? (e.tags ?? []).map((k) => keyPattern(k)?.source ?? '?') : [];
        return `${describeEffect(e)} [${keys.join(' ')}]${tags.length > 0 ? ` tags [${tags.join(' ')}]` : ''}`;
      });
    expect(read).toEqual([
      '6:9 cache-read getOrSet [users:user:{id}] tags [users:users]',
      '7:9 cache-read getOrSetForever [config]',
      '9:9 invalidate deleteMany [users:a users:b]',
      '10:9 invalidate deleteByTag [users:users]',
      '11:9 invalidate clear [users:*]',
      '12:9 invalidate clear [*]',
      '13:9 invalidate delete [report]',
    ]);
  });
});

describe('queues', () => {
  it('composes a BullMQ worker at the enqueue, deferred', () => {
    const code = `${REDIS}import { Queue, Worker } from 'bullmq';
const emails = new Queue('emails');
new Worker('emails', async (job) => {
  await redis.del('inbox');
});
export async function handler() {
  await emails.add('send', { to: 'a' });
}`;
    expect(effects(code, 'handler')).toEqual(['9:9 enqueue emails:send', '6:9 invalidate del through Worker (job emails) (deferred)']);
  });

  it('composes a @Processor class by the queue name of @InjectQueue, and only the @Process of that job', () => {
    const code = `${REDIS}import { InjectQueue, Process, Processor, WorkerHost } from '@nestjs/bullmq';
import type { Queue } from 'bullmq';
const QUEUES = { emails: 'emails' } as const;
@Processor(QUEUES.emails)
class EmailsProcessor extends WorkerHost {
  async process() {
    await redis.del('inbox');
  }
}
@Processor('reports')
class ReportsProcessor {
  @Process('monthly')
  monthly() {
    return redis.del('reports:monthly');
  }
  @Process('weekly')
  weekly() {
    return redis.del('reports:weekly');
  }
}
class Mailer {
  constructor(@InjectQueue(QUEUES.emails) private readonly queue: Queue, @InjectQueue('reports') private readonly reports: Queue) {}
  send() {
    return this.queue.add('welcome', {});
  }
  report() {
    return this.reports.add('weekly', {});
  }
}`;
    expect(effects(code, 'Mailer.send')).toEqual([
      '26:12 enqueue emails:welcome',
      '9:11 invalidate del through EmailsProcessor.process (job emails) (deferred)',
    ]);
    expect(effects(code, 'Mailer.report')).toEqual([
      '29:12 enqueue reports:weekly',
      '20:12 invalidate del through ReportsProcessor.weekly (job reports) (deferred)',
    ]);
  });

  it('records a QStash publish with the path of its destination', () => {
    const code = `import { Client } from '@upstash/qstash';
const qstash = new Client({ token: process.env.QSTASH_TOKEN! });
const APP_URL = process.env.APP_URL;
export async function handler(id: string) {
  await qstash.publishJSON({ url: \`\${APP_URL}/api/cron/refresh/\${id}\`, body: { id } });
}`;
    expect(effects(code, 'handler')).toEqual(['5:9 enqueue /api/cron/refresh/*:*']);
  });
});
