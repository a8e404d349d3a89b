import type ts from 'typescript';
import { staticString } from '../context.js';
import type { FileContext } from '../context.js';
import { unwrap } from '../../ts/syntax.js';
import { declarationOf, modelName, typeReference } from './declarations.js';

/** The entity an expression names: a class (`Website`), a string (`'Website'`), or `Website.name`. */
export function entityName(ctx: FileContext, expression: ts.Expression | undefined): string | null {
  if (!expression) return null;
  const { ts } = ctx;
  const bare = unwrap(ts, expression);
  if (ts.isIdentifier(bare)) return /^[A-Z]/.test(bare.text) ? bare.text : null;
  if (ts.isPropertyAccessExpression(bare) && bare.name.text === 'name' && ts.isIdentifier(bare.expression)) return bare.expression.text;
  const value = staticString(ctx, bare);
  return value === null ? null : modelName(value);
}

/** The types a parameter that is given an entity class is declared with (`entity: Type<T>`, `target: EntityTarget<T>`). */
const ENTITY_TYPES = new Set(['Type', 'EntityTarget', 'ObjectType', 'EntityClass']);

/**
 * A parameter given an entity class (`entityType: Type<T>` of a generic helper): the model is the
 * class its callers pass, told where the call binds it (`Effect.given`).
 */
export function givenEntity(ctx: FileContext, expression: ts.Expression): ts.Identifier | null {
  const { ts } = ctx;
  const bare = unwrap(ts, expression);
  if (!ts.isIdentifier(bare)) return null;
  const declared = declarationOf(ctx, bare, false);
  const type = declared?.parameterOf ? typeReference(ts, declared.type) : null;
  return type && ENTITY_TYPES.has(type.name) ? bare : null;
}

/** What a model given by a parameter is called until a call binds it: no model of a schema has a colon. */
export const GIVEN = 'given:';

/** Whether a model is one a parameter gives, not yet bound to a class by a call (see `givenEntity`). */
export function isGivenModel(model: string): boolean {
  return model.startsWith(GIVEN);
}
