import { markdownByApplication, textByApplication } from './apps.js';
import type { Reporter } from './context.js';
import type { ReportFormat } from './formats.js';
import { githubReporter } from './github.js';
import { htmlReporter } from './html.js';
import { jsonReporter } from './json.js';
import { sarifReporter } from './sarif.js';

/** Reporters by name, for `--format`. Text and Markdown group a monorepo's findings by application; the others list them with paths from its root. */
export const REPORTERS: Readonly<Record<ReportFormat, Reporter>> = {
  text: textByApplication,
  json: jsonReporter,
  sarif: sarifReporter,
  markdown: markdownByApplication,
  html: htmlReporter,
  github: githubReporter,
};

export type { Reporter, ReportContext } from './context.js';
export type { ReportFormat } from './formats.js';
