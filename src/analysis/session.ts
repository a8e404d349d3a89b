/**
 * A memo table of the analysis: a module declares one (`memoTable('summaries')`) and keeps its
 * contents in the session it is given, never in module state.
 */
export interface MemoTable<K extends object, V> {
  readonly name: string;
  /** Carries the key and value types (never set). */
  readonly types?: (key: K) => V;
}

export function memoTable<K extends object, V>(name: string): MemoTable<K, V> {
  return { name };
}

/** What a map holds for a key, made and kept there on the first ask. */
export function entryOf<K, V>(map: { get(key: K): V | undefined; set(key: K, value: V): unknown }, key: K, make: () => V): V {
  let value = map.get(key);
  if (value === undefined) {
    value = make();
    map.set(key, value);
  }
  return value;
}

/**
 * One analysis: every memo the analysis keeps (file contexts, function summaries, the patterns
 * read, the roles of keys, the frames of call paths) lives here, for as long as the front end keeps
 * the session: one per scan in the CLI (one per file summarised when the summaries are kept, so
 * that every file's reads are its own), one per program and options in the ESLint plugin. What
 * the memos hold may depend on other files, so a session is not reused once a file changed.
 */
export class AnalysisSession {
  private readonly tables = new Map<object, WeakMap<object, unknown>>();
  /** How many summaries are being made, one inside the other: a chain of calls deep enough would exhaust the stack. */
  depth = 0;
  /** The frame chains being watched (see `watchingFrames`), innermost last. */
  private readonly watches: { readonly frames: ReadonlySet<object>; isConsulted: boolean }[] = [];

  /** The contents of a table in this session. */
  table<K extends object, V>(table: MemoTable<K, V>): WeakMap<K, V> {
    return entryOf(this.tables, table, () => new WeakMap()) as WeakMap<K, V>;
  }

  /** The value memoised under `key`, computed by `make` the first time. */
  memo<K extends object, V>(table: MemoTable<K, V>, key: K, make: () => V): V {
    const contents = this.table(table);
    const known = contents.get(key);
    // One lookup for a value kept; `undefined` may be one too.
    if (known !== undefined || contents.has(key)) return known as V;
    const value = make();
    contents.set(key, value);
    return value;
  }

  /**
   * The value memoised under the pair (`outer`, `inner`), computed by `make` the first time: what
   * a node (`inner`) is, read in the context of one file (`outer`).
   */
  memoPair<K1 extends object, K2 extends object, V>(table: MemoTable<K1, WeakMap<K2, V>>, outer: K1, inner: K2, make: () => V): V {
    const byInner = this.memo(table, outer, () => new WeakMap<K2, V>());
    const known = byInner.get(inner);
    if (known !== undefined || byInner.has(inner)) return known as V;
    const value = make();
    byInner.set(inner, value);
    return value;
  }

  /**
   * What `run` gives, and whether it consulted one of `frames` (the frames of a call path, told by
   * `consulted`): an answer that consulted none is the same on every call path.
   */
  watchingFrames<T>(frames: ReadonlySet<object>, run: () => T): { value: T; isConsulted: boolean } {
    const watch = { frames, isConsulted: false };
    this.watches.push(watch);
    try {
      return { value: run(), isConsulted: watch.isConsulted };
    } finally {
      this.watches.pop();
    }
  }

  /** Told when the analysis reads a frame of a call path: each watch of a chain that holds it. */
  consulted(frame: object): void {
    for (const watch of this.watches) if (watch.frames.has(frame)) watch.isConsulted = true;
  }
}
