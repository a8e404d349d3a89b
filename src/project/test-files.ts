import { fileRoutePath } from '../analysis/frameworks/index.js';

/**
 * Test files: read when code reaches them, but neither audited nor reported unless `tests` is on.
 * A test directory (`__tests__/`, `__e2e__/`, `e2e/`, `test/`, `tests/`, `cypress/`), or a name whose
 * last part before the extension says test or spec: `.test.ts`, `.spec.ts`, `.e2e.ts`,
 * `.e2e-spec.ts` (NestJS), `.int-test.ts`, `.servertest.ts`.
 */
const TEST_NAME = /\.(test|spec|e2e|e2e-ee|\w*(server|client|unit|int|integration)-?test|[\w-]*-(test|spec))\.[cm]?[jt]sx?$/;
const TEST_DIRECTORY = /^(__tests__|__mocks__|__e2e__|__fixtures__|e2e|tests?|cypress)$/;

/**
 * Whether a path (relative, with `/`) is a test file. A directory of a file-based route names a URL
 * segment, not a test folder: `app/api/workflows/[id]/test/route.ts` serves `…/test`. Folders whose
 * name starts with `_` are private to Next.js, never routes.
 */
export function isTestFile(path: string): boolean {
  if (TEST_NAME.test(path)) return true;
  const directories = path.split('/').slice(0, -1);
  const tests = directories.filter((d) => TEST_DIRECTORY.test(d));
  if (tests.length === 0) return false;
  const route = fileRoutePath(path)?.split('/') ?? [];
  return tests.some((d) => d.startsWith('_') || !route.includes(d));
}
