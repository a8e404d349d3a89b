/**
 * What a SQL statement written in the code reads and writes: the tables, the kind of change, and
 * the columns where the text says them plainly. A reading, not a parser: what it cannot read
 * plainly is left unknown (all columns, a list), never guessed narrower.
 */

/** One table a statement touches. `fields`: the columns it reads or sets, null when not plain. */
export interface SqlAccess {
  readonly table: string;
  readonly operation: 'select' | 'insert' | 'update' | 'delete' | 'upsert';
  readonly fields: readonly string[] | null;
  /** A select of one row by its id (`WHERE id = $1`). */
  readonly isPoint: boolean;
}

/** A statement's first word: what makes a string SQL. */
const STATEMENT = /^\s*(?:\(\s*)?(select|insert|update|delete|replace|truncate|with|merge)\s/i;

/** A table name: bare, quoted (`"x"`, `` `x` ``, `[x]`), with a schema before it. */
const NAME = String.raw`(?:"[^"]+"|\x60[^\x60]+\x60|\[[^\]]+\]|[A-Za-z_][\w$]*)`;
const TABLE = String.raw`(${NAME}(?:\s*\.\s*${NAME})*)`;

/** Whether a string is a SQL statement (it starts like one and names a table). */
export function isSqlText(text: string): boolean {
  return STATEMENT.test(stripComments(text)) && /\b(from|into|update|table|join)\b/i.test(text);
}

/** The tables a statement reads and writes. */
export function readSql(text: string): SqlAccess[] {
  const sql = stripComments(text).replace(/\s+/g, ' ').trim();
  const writes = writesOf(sql);
  if (writes.length > 0) return writes;
  return readsOf(sql);
}

function stripComments(text: string): string {
  return text.replace(/--[^\n]*/g, ' ').replace(/\/\*[\s\S]*?\*\//g, ' ');
}

/** The last part of a possibly qualified, possibly quoted name, unquoted: `"public"."Website"` → `Website`. */
function bareName(name: string): string | null {
  const last = name.split('.').pop()?.trim() ?? '';
  const bare = last.replace(/^["`[]|["`\]]$/g, '');
  return /^[A-Za-z_][\w$]*$/.test(bare) ? bare : null;
}

function writesOf(sql: string): SqlAccess[] {
  const result: SqlAccess[] = [];
  const isUpsert = /\bon conflict\b[^;]*\bdo update\b|\bon duplicate key update\b/i.test(sql);
  const add = (pattern: RegExp, operation: SqlAccess['operation'], fields: (match: RegExpExecArray) => readonly string[] | null) => {
    for (const match of sql.matchAll(pattern)) {
      const table = bareName(match[1] ?? '');
      if (table) result.push({ table, operation, fields: fields(match), isPoint: false });
    }
  };
  add(new RegExp(String.raw`\binsert (?:ignore )?into ${TABLE}`, 'gi'), isUpsert ? 'upsert' : 'insert', () => null);
  add(new RegExp(String.raw`\b(?:replace|merge) into ${TABLE}`, 'gi'), 'upsert', () => null);
  add(new RegExp(String.raw`\bdelete from (?:only )?${TABLE}`, 'gi'), 'delete', () => null);
  add(new RegExp(String.raw`\btruncate (?:table )?${TABLE}`, 'gi'), 'delete', () => null);
  add(
    new RegExp(String.raw`\bupdate (?:only )?${TABLE}(?: (?:as )?[A-Za-z_]\w*)? set (.*?)(?= where | from | returning |;|$)`, 'gi'),
    'update',
    (m) => setColumns(m[2] ?? ''),
  );
  return result;
}

/** The columns an `UPDATE … SET a = …, b = …` sets; null when a part is not `column = value`. */
function setColumns(assignments: string): string[] | null {
  const columns: string[] = [];
  for (const part of splitTopLevel(assignments)) {
    const match = new RegExp(String.raw`^\s*(${NAME}(?:\.${NAME})?)\s*=`).exec(part);
    const column = match ? bareName(match[1] ?? '') : null;
    if (column === null) return null;
    columns.push(column);
  }
  return columns.length > 0 ? columns : null;
}

/** A list split at its commas outside parentheses. */
function splitTopLevel(text: string): string[] {
  const parts: string[] = [];
  let depth = 0;
  let start = 0;
  for (let i = 0; i < text.length; i++) {
    const char = text[i];
    if (char === '(') depth++;
    else if (char === ')') depth--;
    else if (char === ',' && depth === 0) {
      parts.push(text.slice(start, i));
      start = i + 1;
    }
  }
  parts.push(text.slice(start));
  return parts;
}

function readsOf(sql: string): SqlAccess[] {
  const tables = new Set<string>();
  for (const match of sql.matchAll(new RegExp(String.raw`\b(?:from|join) ${TABLE}`, 'gi'))) {
    const table = bareName(match[1] ?? '');
    // `FROM (SELECT …)` is no table; `EXTRACT(EPOCH FROM created_at)` is a column: inside parentheses.
    if (table && !isInsideParentheses(sql, match.index)) tables.add(table);
  }
  const isOneTable = tables.size === 1 && !/\bjoin\b/i.test(sql) && !/\(\s*select\b/i.test(sql);
  const fields = isOneTable ? selectedColumns(sql) : null;
  const isPoint = isOneTable && /\bwhere (?:[A-Za-z_]\w*\.)?"?(id|_id|uuid)"?\s*=\s*(?:\$\d+|\?|:\w+|@\w+)(?: limit 1)?\s*;?$/i.test(sql);
  return [...tables].map((table) => ({ table, operation: 'select' as const, fields, isPoint }));
}

function isInsideParentheses(sql: string, index: number): boolean {
  let depth = 0;
  for (let i = 0; i < index; i++) {
    if (sql[i] === '(') depth++;
    else if (sql[i] === ')') depth--;
  }
  return depth > 0;
}

/**
 * The columns a one-table select depends on: its select list and the columns its `WHERE` and
 * `ORDER BY` compare and sort by; null for `*`, an expression, or a clause not read plainly.
 */
function selectedColumns(sql: string): string[] | null {
  const list = /^\(?\s*select (?:distinct )?(.*?) from /i.exec(sql)?.[1];
  if (list === undefined) return null;
  const columns = new Set<string>();
  for (const part of splitTopLevel(list)) {
    const match = new RegExp(String.raw`^\s*(${NAME}(?:\.${NAME})?)(?: (?:as )?${NAME})?\s*$`, 'i').exec(part);
    const column = match ? bareName(match[1] ?? '') : null;
    if (column === null || part.includes('*')) return null;
    columns.add(column);
  }
  const where = /\bwhere (.*?)(?= group by | order by | limit | offset |;|$)/i.exec(sql)?.[1] ?? '';
  for (const match of where.matchAll(
    new RegExp(String.raw`(${NAME}(?:\.${NAME})?)\s*(?:=|<>|!=|<=|>=|<|>| in | not in | like | ilike | is | between )`, 'gi'),
  )) {
    const column = bareName(match[1] ?? '');
    if (column === null) return null;
    columns.add(column);
  }
  // What the filter reads beyond plain comparisons (a function, a subquery) is not read here.
  if (/\(/.test(where)) return null;
  const order = /\border by (.*?)(?= limit | offset |;|$)/i.exec(sql)?.[1];
  for (const part of order === undefined ? [] : splitTopLevel(order)) {
    const column = bareName(part.trim().split(' ')[0] ?? '');
    if (column === null) return null;
    columns.add(column);
  }
  return [...columns];
}
