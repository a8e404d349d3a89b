import { createColors } from 'picocolors';
import type { ApplicationResult, ScanResult } from '../scanner/result.js';
import { counts, hasCache, noCacheText, percent, plural } from './context.js';
import type { Reporter } from './context.js';
import { markdownReporter } from './markdown.js';
import { MODE_LINES, textReporter } from './text.js';
import { markdownCode, markdownText, oneLine } from './escape.js';

/** The files of an application: below its directory. */
function isIn(app: ApplicationResult, file: string): boolean {
  return app.path === '' || file.startsWith(`${app.path}/`);
}

/** One application of a monorepo result as a result of its own (its files still relative to the monorepo root). */
function applicationSlice(result: ScanResult, app: ApplicationResult): ScanResult {
  // The mode is said once, at the top of the whole report.
  const { apps: _apps, mode: _mode, ...rest } = result;
  return {
    ...rest,
    registry: app.registry,
    configuration: app.configuration,
    families: app.families,
    tsconfigs: app.tsconfigs,
    filesScanned: app.filesScanned,
    findings: result.findings.filter((f) => isIn(app, f.file)),
    diagnostics: result.diagnostics.filter((d) => isIn(app, d.file)),
    matrix: app.matrix,
    coverage: app.coverage,
    durationMs: app.durationMs,
  };
}

/** `2 applications: 3 errors, 0 warnings, …`: the summary over every application. */
function totalLine(result: ScanResult, apps: readonly ApplicationResult[]): string {
  const total = counts(result);
  return `${plural(apps.length, 'application')}: ${[
    plural(total.error, 'error'),
    plural(total.warning, 'warning'),
    plural(total.note, 'note'),
    plural(result.filesScanned, 'file'),
    hasCache(result)
      ? `coverage ${percent(result.coverage.ratio)} (${String(result.coverage.covered)}/${String(result.coverage.mutations)} mutation handlers)`
      : noCacheText(result),
  ].join(', ')}`;
}

/**
 * A reporter that groups a monorepo result by application (a section each, in the format's own
 * words, with the total); a result of one project goes to the format's reporter unchanged.
 */
function byApplication(
  reporter: Reporter,
  section: (app: ApplicationResult, body: string, color: boolean) => string,
  layout: (sections: readonly string[], total: string, color: boolean, mode: ScanResult['mode']) => string,
): Reporter {
  return (result, context) => {
    const apps = result.apps;
    if (apps === undefined) return reporter(result, context);
    const sections = apps.map((app) => section(app, reporter(applicationSlice(result, app), { ...context, baselined: 0 }), context.color));
    const baselined = context.baselined > 0 ? `, ${plural(context.baselined, 'known finding')} left out by the baseline` : '';
    return layout(sections, totalLine(result, apps) + baselined, context.color, result.mode);
  };
}

export const textByApplication: Reporter = byApplication(
  textReporter,
  (app, body, color) => {
    const { bold, dim } = createColors(color);
    return `${bold(`▸ ${oneLine(app.name)}`)}${dim(`  ${oneLine(app.path)}/`)}\n\n${body}\n`;
  },
  (sections, total, color, mode) => {
    const { bold, dim } = createColors(color);
    return `${mode ? `${dim(MODE_LINES[mode])}\n\n` : ''}${sections.join('')}${bold(total)}\n`;
  },
);

export const markdownByApplication: Reporter = byApplication(
  markdownReporter,
  // The application's report under a heading of its own, its own headings one level down.
  (app, body) =>
    `### ${markdownText(app.name)} (${markdownCode(`${app.path}/`)})\n\n${body.replace(/^## cache-audit\n\n/, '').replace(/^### /gm, '#### ')}`,
  (sections, total) => `## cache-audit\n\n**${total}**.\n\n${sections.join('\n')}`,
);
