/** The report formats, by name: light to import (the command line checks `--format` before loading anything). */
export const REPORT_FORMATS = ['text', 'json', 'sarif', 'markdown', 'html', 'github'] as const;

export type ReportFormat = (typeof REPORT_FORMATS)[number];

export function isReportFormat(name: string): name is ReportFormat {
  return (REPORT_FORMATS as readonly string[]).includes(name);
}

/** The format an output file's extension names (`--output report.sarif`), or null. */
export function formatOfFile(file: string): ReportFormat | null {
  const extension = /\.([a-z]+)$/i.exec(file)?.[1]?.toLowerCase();
  switch (extension) {
    case 'json':
      return 'json';
    case 'sarif':
      return 'sarif';
    case 'md':
      return 'markdown';
    case 'html':
    case 'htm':
      return 'html';
    case 'txt':
      return 'text';
    default:
      return null;
  }
}
