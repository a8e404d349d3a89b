export type ScanErrorCode = 'root-not-found' | 'no-configuration' | 'no-sources' | 'few-sources' | 'no-applications';

/** A scan that cannot start: a usage or configuration error (exit code 2 in the CLI). */
export class ScanError extends Error {
  constructor(
    readonly code: ScanErrorCode,
    message: string,
  ) {
    super(message);
    this.name = 'ScanError';
  }
}
