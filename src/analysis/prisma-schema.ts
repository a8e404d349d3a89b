import type * as PrismaAst from '@mrleebo/prisma-ast';
import type { Attribute, AttributeArgument, Field, KeyValue, Model } from '@mrleebo/prisma-ast';
import { requirePackage } from '../ts/require-package.cjs';

/** Where a delete's cascades are read: the code's relations, or those and the Prisma schema's (for a Prisma client's delete). */
export type CascadeSchema = 'prisma' | 'code';

/** A Prisma schema file's text, with its path for what the analysis says of it. */
export interface SchemaText {
  readonly file: string;
  readonly text: string;
}

/**
 * A model whose rows the database deletes with another's: `ApiKey.organization` declared
 * `@relation(…, onDelete: Cascade)` makes every delete of an `Organization` a delete of its
 * `ApiKey` rows. `chain`: the models the delete runs through, the deleted one first
 * (`Organization`, `Project`, `ApiKey` where the keys belong to the organization's projects).
 */
export interface Cascade {
  readonly model: string;
  readonly chain: readonly string[];
}

/** The models each model's delete cascades to directly, by the schema's relations (model names as the Prisma source names them). */
export type CascadeTable = ReadonlyMap<string, readonly string[]>;

/**
 * The models of Prisma schemas (one schema in one file or split over several, as `prismaSchemaFolder`
 * does). A file that does not parse adds nothing: the relations it would declare stay unknown.
 */
export function prismaModels(schemas: readonly SchemaText[]): Model[] {
  if (schemas.length === 0) return [];
  // The parser is loaded only for a project with a schema (it takes a third of a second to load).
  const { getSchema } = requirePackage('@mrleebo/prisma-ast') as typeof PrismaAst;
  return schemas.flatMap(({ text }) => {
    try {
      return getSchema(text).list.filter((block): block is Model => block.type === 'model');
    } catch {
      return [];
    }
  });
}

/**
 * The cascades of Prisma schemas' models (see `prismaModels`), each model named by `modelName` as the
 * Prisma source names it. A delete of a model they do not relate is a delete of its own model only.
 */
export function cascadeTable(models: readonly Model[], modelName: (name: string) => string): CascadeTable {
  const table = new Map<string, string[]>();
  for (const model of models) {
    for (const field of model.properties) {
      if (field.type !== 'field' || !isCascadingRelation(field)) continue;
      addCascade(table, modelName(fieldTypeName(field)), modelName(model.name));
    }
  }
  return table;
}

/** The fields of a child model that put a row in a parent's list, by child and parent (see `joinKeysTable`). */
export type JoinKeysTable = ReadonlyMap<string, ReadonlyMap<string, readonly string[]>>;

/**
 * The fields by which a row of each model joins a related model's list, from the schemas' relations:
 * the relation field (`project`, or `rules` of a many-to-many relation) and the scalar keys its
 * `@relation(fields: [projectId])` names. A created row whose data sets none of them belongs to no
 * row of that parent.
 */
export function joinKeysTable(models: readonly Model[], modelName: (name: string) => string): JoinKeysTable {
  const names = new Set(models.map((model) => model.name));
  const table = new Map<string, Map<string, string[]>>();
  for (const model of models) {
    const child = modelName(model.name);
    const byParent = table.get(child) ?? new Map<string, string[]>();
    for (const field of model.properties) {
      if (field.type !== 'field' || !names.has(fieldTypeName(field))) continue;
      const parent = modelName(fieldTypeName(field));
      const keys = byParent.get(parent) ?? [];
      keys.push(field.name, ...relationFields(field));
      byParent.set(parent, keys);
    }
    table.set(child, byParent);
  }
  return table;
}

function fieldTypeName(field: Field): string {
  return typeof field.fieldType === 'string' ? field.fieldType : field.fieldType.name;
}

/** The scalar fields a relation's `@relation(fields: [a, b], …)` names. */
function relationFields(field: Field): string[] {
  const relation = (field.attributes ?? []).find((attribute: Attribute) => attribute.name === 'relation');
  const fields = (relation?.args ?? []).map(({ value }) => value).find((value) => isKeyValue(value) && value.key === 'fields');
  const list = fields && isKeyValue(fields) ? fields.value : null;
  const args = typeof list === 'object' && list !== null && !Array.isArray(list) && list.type === 'array' ? list.args : [];
  return args.filter((arg): arg is string => typeof arg === 'string');
}

/** Records that a delete of `parent` deletes rows of `child`, once. */
export function addCascade(table: Map<string, string[]>, parent: string, child: string): void {
  const children = table.get(parent) ?? [];
  if (!children.includes(child)) children.push(child);
  table.set(parent, children);
}

/** Whether a field is the owning side of a relation whose parent's delete deletes the row (`onDelete: Cascade`). */
function isCascadingRelation(field: Field): boolean {
  return (field.attributes ?? []).some(
    (attribute: Attribute) =>
      attribute.name === 'relation' &&
      (attribute.args ?? []).some(({ value }) => isKeyValue(value) && value.key === 'onDelete' && value.value === 'Cascade'),
  );
}

function isKeyValue(value: AttributeArgument['value']): value is KeyValue {
  return typeof value === 'object' && value !== null && !Array.isArray(value) && value.type === 'keyValue';
}

/** Every model a delete of `model` removes rows of by cascade, through the chain of relations, each once (nearest first). */
export function cascadesOf(table: CascadeTable, model: string): Cascade[] {
  const found: Cascade[] = [];
  const seen = new Set([model]);
  let level: Cascade[] = [{ model, chain: [model] }];
  while (level.length > 0) {
    const next: Cascade[] = [];
    for (const { model: parent, chain } of level) {
      for (const child of table.get(parent) ?? []) {
        if (seen.has(child)) continue;
        seen.add(child);
        next.push({ model: child, chain: [...chain, child] });
      }
    }
    found.push(...next);
    level = next;
  }
  return found;
}
