import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { afterAll } from 'vitest';
import type { ScanResult } from '../../src/scanner/result.js';
import { scan } from '../../src/scanner/scan.js';

/** Writes `files` (paths relative to the project) into a new temporary directory, and returns it. */
export function writeProject(prefix: string, files: Record<string, string>): string {
  const root = mkdtempSync(join(tmpdir(), `cache-audit-${prefix}-`));
  for (const [path, text] of Object.entries(files)) {
    mkdirSync(dirname(join(root, path)), { recursive: true });
    writeFileSync(join(root, path), text);
  }
  return root;
}

/**
 * A writer of small projects for one test file: each call writes its files in a new temporary
 * directory (removed after the file's tests) and scans it, with no configuration unless one is given.
 */
export function projects(prefix: string): (files: Record<string, string>) => Promise<ScanResult> {
  const roots: string[] = [];
  afterAll(() => {
    for (const root of roots) rmSync(root, { recursive: true, force: true });
  });
  return (files) => {
    const root = writeProject(prefix, files);
    roots.push(root);
    return scan({ root });
  };
}
