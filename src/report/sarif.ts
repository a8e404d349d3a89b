import { PROJECT_RULES, RULES } from '../../rules/index.js';
import { helpUri } from './context.js';
import type { Reporter } from './context.js';

const INFORMATION_URI = 'https://github.com/cache-audit/cache-audit';

const LEVELS = { error: 'error', warning: 'warning', note: 'note' } as const;

/** A readable name that differs from the id, as SARIF asks (`require-invalidation` → `RequireInvalidation`). */
function sarifName(id: string): string {
  const name = id.replace(/(^|-)([a-z])/g, (_m, _d: string, c: string) => c.toUpperCase());
  return name.toLowerCase() === id.toLowerCase() ? `${name}Code` : name;
}

/** SARIF 2.1.0, with the catalogue of rules (help links to their docs), for code-scanning UIs. */
export const sarifReporter: Reporter = (result) => {
  const catalogue = [
    ...RULES.map(({ id, meta }) => ({ id, description: meta.description, level: meta.type === 'problem' ? 'error' : 'warning' })),
    ...PROJECT_RULES.map(({ id, meta }) => ({ id, description: meta.description, level: meta.level })),
  ];
  const index = new Map<string, number>(catalogue.map((rule, i) => [rule.id, i]));
  const rules = catalogue.map((rule) => ({
    id: rule.id,
    name: sarifName(rule.id),
    shortDescription: { text: `${rule.description}.` },
    fullDescription: { text: `${rule.description}.` },
    helpUri: helpUri(rule.id),
    help: {
      text: `${rule.description}. See ${helpUri(rule.id)}.`,
      markdown: `${rule.description}. See [the rule's documentation](${helpUri(rule.id)}).`,
    },
    defaultConfiguration: { level: rule.level },
  }));
  const sarif = {
    $schema: 'https://json.schemastore.org/sarif-2.1.0.json',
    version: '2.1.0',
    runs: [
      {
        tool: {
          driver: {
            name: result.tool.name,
            version: result.tool.version,
            semanticVersion: result.tool.version,
            informationUri: INFORMATION_URI,
            rules,
          },
        },
        originalUriBaseIds: { SRCROOT: { uri: `file://${result.root.replace(/\\/g, '/').replace(/\/?$/, '/')}` } },
        columnKind: 'utf16CodeUnits',
        results: result.findings.map((f) => ({
          ruleId: f.ruleId,
          ruleIndex: index.get(f.ruleId) ?? 0,
          level: LEVELS[f.severity],
          message: { text: [f.message, ...(f.details ?? [])].join('\n') },
          locations: [
            {
              physicalLocation: {
                artifactLocation: { uri: encodeURI(f.file), uriBaseId: 'SRCROOT' },
                region: {
                  startLine: f.line,
                  startColumn: f.column,
                  endLine: f.endLine,
                  endColumn: Math.max(f.endColumn, f.endLine === f.line ? f.column : 1),
                },
              },
            },
          ],
          partialFingerprints: { 'cacheAudit/v1': f.fingerprint },
        })),
        invocations: [
          {
            executionSuccessful: true,
            toolExecutionNotifications: result.diagnostics.map((d) => ({
              level: 'warning',
              message: { text: d.message },
              locations: [
                {
                  physicalLocation: {
                    artifactLocation: { uri: encodeURI(d.file), uriBaseId: 'SRCROOT' },
                    region: { startLine: d.line, startColumn: d.column },
                  },
                },
              ],
            })),
          },
        ],
      },
    ],
  };
  return `${JSON.stringify(sarif, null, 2)}\n`;
};
