/**
 * The rules: ids, descriptions and messages, written once for the ESLint plugin, the CLI and the
 * reports. Messages are whole sentences with {{placeholders}}.
 */
export const RULES = {
  'require-invalidation': {
    description: 'Require mutation handlers to invalidate the cache keys they change',
    type: 'problem',
    recommended: true,
    requiresRegistry: false,
    messages: {
      missing:
        '{{handler}} changes data but invalidates no cache key. The policy asks every mutation to invalidate what it changes, or {{exception}} if it changes nothing cached.',
      emptyReason: '@NoCacheInvalidation needs a reason: say why {{handler}} leaves the cache alone.',
      updateTagInRoute:
        "updateTag() works only in Server Actions: in the route handler {{handler}}{{through}} it throws at run time and invalidates nothing. Use revalidateTag(tag, 'max') here.",
    },
  },
  'require-dependent-invalidation': {
    description: 'Require mutation handlers to invalidate every key that depends on the resource they change',
    type: 'problem',
    recommended: true,
    requiresRegistry: false,
    messages: {
      stale:
        '{{handler}} leaves {{count}} stale: {{families}}.{{details}}\nInvalidate {{them}}, or {{exception}} if {{they}} need not be fresh.',
      addPattern: "Add @InvalidateCachePattern('{{pattern}}').",
    },
  },
  'no-broad-pattern': {
    description: 'Disallow invalidation patterns that span every namespace',
    type: 'problem',
    recommended: true,
    requiresRegistry: false,
    messages: {
      broad: 'The pattern `{{pattern}}` is too broad: {{reason}}. Name the key family it means, such as `quotes:*`.',
    },
  },
  'pattern-in-registry': {
    description: 'Require invalidation patterns to match a key of the registry',
    type: 'problem',
    recommended: true,
    requiresRegistry: true,
    messages: {
      unknown: 'The pattern `{{pattern}}` matches no key of the registry.{{closest}}',
      unknownName: '`{{call}}` names no key family of the registry ({{names}}).',
      unknownTag: 'The tag `{{tag}}` names no key family of the registry. Did you mean `{{closest}}`?',
      useClosest: 'Use `{{suggestion}}`.',
    },
  },
  'valid-pattern': {
    description: 'Disallow malformed and suspicious invalidation patterns',
    type: 'problem',
    recommended: true,
    requiresRegistry: false,
    messages: {
      error: 'Malformed pattern `{{pattern}}`: {{message}}',
      warning: 'Suspicious pattern `{{pattern}}`: {{message}}',
      unknownPlaceholder: 'The placeholder `{{placeholder}}` in `{{pattern}}` is not a parameter of any registry key ({{params}}).',
    },
  },
  'no-invalidation-in-query': {
    description: 'Disallow cache invalidation in read-only (GET, HEAD, query) handlers',
    type: 'problem',
    recommended: true,
    requiresRegistry: false,
    messages: {
      query:
        '{{handler}} is a read-only {{method}} handler, but it invalidates {{what}}: reads must not change the cache. Move the invalidation to the mutation that changes the data.',
    },
  },
  'no-redundant-invalidation': {
    description: 'Disallow invalidating the same keys twice in one handler',
    type: 'suggestion',
    recommended: true,
    requiresRegistry: false,
    messages: {
      duplicate: '{{handler}} invalidates `{{pattern}}` twice.',
      covered: '`{{pattern}}` is redundant: `{{by}}` already invalidates every key it matches.',
    },
  },
  'no-unescaped-pattern-interpolation': {
    description: 'Disallow runtime values in invalidation patterns without escaping',
    type: 'problem',
    recommended: true,
    requiresRegistry: false,
    messages: {
      unescaped:
        "`{{expression}}` puts a runtime value into the pattern `{{pattern}}` unescaped: a value such as `a*` would delete other keys (other tenants' too). Escape it with {{escape}}().",
      escape: 'Wrap it in {{escape}}().',
    },
  },
  'require-tenant-scope': {
    description: 'Require invalidations to stay within the tenant of the request when one is in scope',
    type: 'suggestion',
    recommended: false,
    requiresRegistry: true,
    messages: {
      allTenants:
        '{{handler}} has the tenant in scope, but `{{pattern}}` invalidates `{{key}}` for every tenant. Scope it to the tenant: `{{scoped}}`.',
    },
  },
} as const;

export type RuleId = keyof typeof RULES;
export const RULE_IDS = Object.keys(RULES) as RuleId[];
export type MessageId<R extends RuleId> = keyof (typeof RULES)[R]['messages'] & string;

const NAMED_CONTROLS: Readonly<Record<string, string>> = { '\n': '\\n', '\r': '\\r', '\t': '\\t' };

/** C0 and C1 control characters and the Unicode line and paragraph separators. */
// eslint-disable-next-line no-control-regex -- matching control characters is the point
const CONTROLS = /[\u0000-\u001f\u007f-\u009f\u2028\u2029]/g;

/** Text of the audited project on one line, its control characters spelled out (`\n`): data in a message, never layout. */
export function oneLine(text: string): string {
  return text.replace(CONTROLS, (c) => NAMED_CONTROLS[c] ?? `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);
}

/**
 * Fills `{{name}}` placeholders of a message. The values are one line each, except `details`:
 * the lines a check builds below a message's first line, from text it made one line itself.
 */
export function formatMessage(template: string, data: Readonly<Record<string, string>>): string {
  return template.replace(/\{\{\s*(\w+)\s*\}\}/g, (whole, name: string) => {
    const value = data[name];
    if (value === undefined) return whole;
    return name === 'details' ? value : oneLine(value);
  });
}

/**
 * The project-wide findings of a scan (not ESLint rules: they need the whole project): ids,
 * descriptions and messages, whole sentences with {{placeholders}} as for the rules.
 */
export const PROJECT_RULES = {
  'stale-key': {
    description: 'A registered key that no mutation invalidates',
    messages: {
      noTtl: 'No mutation invalidates `{{key}}` ({{template}}), and it has no ttl: its cached values never change.',
      ttl: 'No mutation invalidates `{{key}}` ({{template}}): its cached values change only when their {{ttl}} s ttl runs out.',
    },
  },
  'unused-key': {
    description: 'A registered key that nothing reads or invalidates',
    messages: {
      unused: 'The key `{{key}}` ({{template}}) is registered, but nothing reads or invalidates it: remove it, or use it.',
    },
  },
  'undeclared-dependency': {
    description: 'A registered key whose loaders read models its dependsOn does not name',
    messages: {
      undeclared:
        'The code loads `{{key}}` ({{template}}) from {{models}} (read at {{reads}}), but its dependsOn names {{dependsOn}}: a change to {{models}} leaves it stale unless something else invalidates it. Add them (`dependsOn: [{{suggestion}}]`) if the key shows their data.',
    },
  },
  'wrong-key': {
    description: 'A deletion whose key can match no key the code writes',
    messages: {
      wrongKey:
        '{{call}}() deletes `{{pattern}}`, a key of runtime values only, but no key the code writes can be it{{written}}: the entry it means to clear stays. Delete the key the entry is stored under.',
    },
  },
  'dead-family': {
    description: 'A key family that is invalidated but never read or filled',
    messages: {
      deadFamily:
        '{{call}}() invalidates `{{pattern}}`, but nothing in the project reads, fills or keeps a key it matches: the entry it means to clear is stored under another key, or the family is gone.',
    },
  },
  unresolved: {
    description: 'What the audit could not read statically',
    messages: {
      pattern: 'The pattern `{{pattern}}` of {{call}}() cannot be read statically ({{reason}}): it is not checked.',
      opaqueCalls: '{{handler}} calls code this audit cannot follow ({{calls}}): whether it invalidates is unknown.',
      tooComplex:
        'Whether `{{by}}` already invalidates every key of `{{pattern}}` is too complex to decide: no-redundant-invalidation does not judge it. Simplify the patterns to have them checked.',
    },
  },
} as const;

export type ProjectFindingId = keyof typeof PROJECT_RULES;

export const PROJECT_RULE_DESCRIPTIONS: Readonly<Record<string, string>> = Object.fromEntries(
  Object.entries(PROJECT_RULES).map(([id, rule]) => [id, rule.description]),
);

/** The message of a project-wide finding, filled. */
export function projectMessage<R extends ProjectFindingId>(
  ruleId: R,
  messageId: keyof (typeof PROJECT_RULES)[R]['messages'] & string,
  data: Readonly<Record<string, string>>,
): string {
  const messages: Readonly<Record<string, string>> = PROJECT_RULES[ruleId].messages;
  return formatMessage(messages[messageId] ?? messageId, data);
}
