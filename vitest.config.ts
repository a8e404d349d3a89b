import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vitest/config';

const runtimeSources = fileURLToPath(new URL('./packages/runtime/src/', import.meta.url));

export default defineConfig({
  // TypeScript in .cts files too (src/ts/require-package.cts), which Vite leaves out by default.
  oxc: { include: /\.(m?ts|cts|[jt]sx)$/ },
  resolve: {
    // The analysis imports the runtime package; the tests run it from its sources, as one copy.
    alias: [
      { find: /^@cache-audit\/runtime$/, replacement: `${runtimeSources}runtime/index.ts` },
      { find: /^@cache-audit\/runtime\/(patterns|registry)$/, replacement: `${runtimeSources}$1/index.ts` },
    ],
  },
  test: {
    include: ['test/**/*.test.ts'],
    globalSetup: ['test/setup/redis-global.ts'],
    testTimeout: 60_000,
    hookTimeout: 60_000,
  },
});
