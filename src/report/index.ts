import type { Reporter } from './context.js';
import type { ReportFormat } from './formats.js';
import { githubReporter } from './github.js';
import { htmlReporter } from './html.js';
import { jsonReporter } from './json.js';
import { markdownReporter } from './markdown.js';
import { sarifReporter } from './sarif.js';
import { textReporter } from './text.js';

/** Reporters by name, for `--format`. */
export const REPORTERS: Readonly<Record<ReportFormat, Reporter>> = {
  text: textReporter,
  json: jsonReporter,
  sarif: sarifReporter,
  markdown: markdownReporter,
  html: htmlReporter,
  github: githubReporter,
};

export type { Reporter, ReportContext } from './context.js';
export { REPORT_FORMATS, isReportFormat } from './formats.js';
export type { ReportFormat } from './formats.js';
