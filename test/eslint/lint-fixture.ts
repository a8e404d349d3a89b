import { resolve } from 'node:path';
import tsParser from '@typescript-eslint/parser';
import plugin from '../../src/eslint.js';

export interface LintedMessage {
  readonly file: string;
  readonly line: number;
  readonly column: number;
  readonly rule: string;
  readonly message: string;
  /** As the CLI names it: ESLint's 2 is `error`, 1 `warning`. */
  readonly severity: 'error' | 'warning';
}

type EslintModule = {
  ESLint: new (options: Record<string, unknown>) => {
    lintFiles(
      patterns: string[],
    ): Promise<
      { filePath: string; messages: { line: number; column: number; ruleId: string | null; message: string; severity: number }[] }[]
    >;
  };
};

/** Lints a fixture app (or a directory, by its absolute path) with a real ESLint (9 or 10) and the plugin's recommended or strict config. */
export async function lintFixture(
  eslintModule: EslintModule,
  app: string,
  {
    config = 'recommended',
    settings = {},
    typed = false,
  }: { config?: 'recommended' | 'strict'; settings?: Record<string, unknown>; typed?: boolean } = {},
): Promise<LintedMessage[]> {
  const cwd = resolve(import.meta.dirname, '../../fixtures', app);
  const eslint = new eslintModule.ESLint({
    cwd,
    overrideConfigFile: true,
    overrideConfig: [
      {
        files: ['**/*.ts', '**/*.tsx', '**/*.js', '**/*.mjs'],
        languageOptions: {
          parser: tsParser,
          parserOptions: typed ? { projectService: true, tsconfigRootDir: cwd } : {},
        },
        settings,
      },
      plugin.configs[config],
    ],
  });
  const results = await eslint.lintFiles(['src']);
  return results
    .flatMap((result) =>
      result.messages.map((m) => ({
        file: result.filePath
          .slice(cwd.length + 1)
          .split('\\')
          .join('/'),
        line: m.line,
        column: m.column,
        rule: (m.ruleId ?? 'fatal').replace(/^cache-audit\//, ''),
        message: m.message,
        severity: m.severity === 2 ? ('error' as const) : ('warning' as const),
      })),
    )
    .sort((a, b) => a.file.localeCompare(b.file) || a.line - b.line || a.column - b.column || a.rule.localeCompare(b.rule));
}

/** A fixture app's messages as `file:line:column severity rule` and the first line of the message, sorted, as the CLI's are compared. */
export async function lintedLines(eslintModule: EslintModule, app: string, { typed = false } = {}): Promise<string[]> {
  const messages = await lintFixture(eslintModule, app, { typed });
  return messages
    .map((m) => `${m.file}:${String(m.line)}:${String(m.column)} ${m.severity} ${m.rule} ${m.message.split('\n')[0] ?? ''}`)
    .sort();
}
