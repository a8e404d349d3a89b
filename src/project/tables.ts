import type ts from 'typescript';
import { collectHooks, hooksIn, relationsIn } from '../analysis/hooks.js';
import type { HookTable } from '../analysis/hooks.js';
import { collectImplementations } from '../analysis/implementations.js';
import { collectListeners } from '../analysis/listeners.js';
import { collectMounts, mountPrefix, routerKeys } from '../analysis/frameworks/mounts.js';
import type { ModulePath, MountTable } from '../analysis/frameworks/mounts.js';
import type { RouteFile, RouteTable } from '../analysis/frameworks/own-routes.js';
import { CascadeTables } from '../analysis/code-cascades.js';
import type { Cascade, CascadeSchema, SchemaText } from '../analysis/prisma-schema.js';
import type { JobProcessor, ModelHook, RelationTarget } from '../analysis/sources/source.js';
import type { TS } from '../ts/syntax.js';
import type { ReadRecorder } from './modules.js';

type Fn = ts.FunctionLikeDeclaration;

/**
 * The project-wide tables: event listeners, ORM hooks and job processors, each collected once from
 * the files that can hold them, the routes of the project's files and the cascades of its Prisma
 * schema and of its code; every lookup told to the recorder.
 */
export class ProjectTables {
  private listeners: Map<string, Fn[]> | null = null;
  private implementations: Map<string, ts.ClassLikeDeclaration[]> | null = null;
  private hookTable: HookTable | null = null;
  private routes: RouteTable | null = null;
  private mounts: MountTable | null = null;
  private readonly cascades: CascadeTables;

  constructor(
    private readonly ts: TS,
    /** The parsed files that can hold listeners, hooks, processors or cascading relations. */
    private readonly files: () => readonly ts.SourceFile[],
    private readonly recorder?: ReadRecorder,
    /** The route table of the project's files (made from their paths), asked for when first needed. */
    private readonly routeTable?: () => RouteTable,
    /** The project file an import names, for the routers one file mounts from another. */
    private readonly modulePath: ModulePath = () => null,
    /** The project's Prisma schema files, read when a delete first asks for its cascades. */
    prismaSchemas: () => readonly SchemaText[] = () => [],
  ) {
    this.cascades = new CascadeTables(ts, files, prismaSchemas);
  }

  listenersOf(event: string): readonly Fn[] {
    this.recorder?.consultedTables();
    this.listeners ??= collectListeners(this.ts, this.files());
    return this.listeners.get(event) ?? [];
  }

  /** The classes that implement an interface of this name. */
  implementationsOf(name: string): readonly ts.ClassLikeDeclaration[] {
    this.recorder?.consultedTables();
    this.implementations ??= collectImplementations(this.ts, this.files());
    return this.implementations.get(name) ?? [];
  }

  hooksOf(model: string): readonly ModelHook[] {
    this.recorder?.consultedTables();
    this.hookTable ??= collectHooks(this.ts, this.files());
    return hooksIn(this.hookTable, model);
  }

  relationsOf(model: string): ReadonlyMap<string, RelationTarget> {
    this.recorder?.consultedTables();
    this.hookTable ??= collectHooks(this.ts, this.files());
    return relationsIn(this.hookTable, model);
  }

  processorsOf(queue: string): readonly JobProcessor[] {
    this.recorder?.consultedTables();
    this.hookTable ??= collectHooks(this.ts, this.files());
    return this.hookTable.processors.get(queue) ?? [];
  }

  /**
   * The models a delete of `model` removes rows of by the cascading relations of the code (see
   * `codeCascadeTable`), and for a Prisma client's delete of the Prisma schema too: its files are
   * looked for only then.
   */
  cascadesOf(model: string, schema: CascadeSchema): readonly Cascade[] {
    this.recorder?.consultedTables();
    return this.cascades.cascadesOf(model, schema);
  }

  /** The fields by which a created row of `child` joins a list of `parent` rows, by the Prisma schema; null when unknown. */
  joinKeysOf(child: string, parent: string): readonly string[] | null {
    this.recorder?.consultedTables();
    return this.cascades.joinKeysOf(child, parent);
  }

  /** The prefix the routes of a router are served under, from where the project mounts it (`app.use('/api', router)`), or null. */
  routePrefix(router: ts.Identifier): string | null {
    this.recorder?.consultedTables();
    this.mounts ??= collectMounts(this.ts, this.files(), this.modulePath);
    return this.mounts.size === 0 ? null : mountPrefix(this.mounts, routerKeys(this.ts, router, this.modulePath));
  }

  /** The paths of the route files that serve a URL path; none without a route table. */
  routeFilesOf(path: string): readonly RouteFile[] {
    this.recorder?.consultedTables();
    if (!this.routeTable) return [];
    this.routes ??= this.routeTable();
    return this.routes.filesOf(path);
  }
}
