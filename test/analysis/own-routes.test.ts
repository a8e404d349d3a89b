import { describe, expect, it } from 'vitest';
import { FILE_ROUTES, fileRoutePath } from '../../src/analysis/frameworks/index.js';
import { routeTable } from '../../src/analysis/frameworks/own-routes.js';

describe('the route table of a project’s files', () => {
  const table = routeTable(
    FILE_ROUTES,
    [
      '/app/src/app/api/teams/[teamId]/route.ts',
      '/app/src/app/api/teams/mine/route.ts',
      '/app/src/app/(admin)/api/teams/[teamId]/purge/route.ts',
      '/app/src/app/api/files/[...path]/route.ts',
      '/app/src/app/api/docs/[[...slug]]/route.ts',
      '/app/pages/api/revalidate.ts',
      '/app/pages/api/links/index.ts',
      '/app/src/lib/teams.ts',
      '/app/src/components/route.ts',
      '/app/src/routes/(shop)/api/carts/[cartId]/+server.ts',
      '/app/src/routes/api/carts/+page.server.ts',
    ],
    (file) => file.replace(/^\/app\//, ''),
  );
  const filesOf = (path: string): string[] => table.filesOf(path).map((route) => route.file);

  it('reads the path a file serves: App Router route files under app/, Pages Router API routes, SvelteKit endpoints', () => {
    expect(fileRoutePath('src/app/(admin)/api/teams/[teamId]/purge/route.ts')).toBe('/api/teams/[teamId]/purge');
    expect(fileRoutePath('pages/api/links/index.ts')).toBe('/api/links');
    expect(fileRoutePath('src/components/route.ts')).toBeNull();
    expect(fileRoutePath('src/lib/teams.ts')).toBeNull();
    expect(fileRoutePath('src/routes/(shop)/api/carts/[cartId]/+server.ts')).toBe('/api/carts/[cartId]');
    expect(fileRoutePath('src/routes/api/carts/+page.server.ts')).toBeNull();
    expect(filesOf('/api/carts/*')).toEqual(['/app/src/routes/(shop)/api/carts/[cartId]/+server.ts']);
  });

  it('names no route by a directory above the project (a checkout under /app)', () => {
    expect(table.routes.map(([path, file]) => `${path} ${file}`)).not.toContain('/src/components src/components/route.ts');
    expect(filesOf('/src/components')).toEqual([]);
  });

  it('prefers a static segment to a dynamic one, and lets a runtime value match only a dynamic one', () => {
    expect(filesOf('/api/teams/mine')).toEqual(['/app/src/app/api/teams/mine/route.ts']);
    expect(filesOf('/api/teams/t1')).toEqual(['/app/src/app/api/teams/[teamId]/route.ts']);
    expect(filesOf('/api/teams/*')).toEqual(['/app/src/app/api/teams/[teamId]/route.ts']);
    expect(filesOf('/api/teams/*/purge')).toEqual(['/app/src/app/(admin)/api/teams/[teamId]/purge/route.ts']);
    expect(filesOf('/api/*/purge')).toEqual([]);
  });

  it('matches catch-all segments, an optional one with nothing after it too', () => {
    expect(filesOf('/api/files/a/b')).toEqual(['/app/src/app/api/files/[...path]/route.ts']);
    expect(filesOf('/api/files')).toEqual([]);
    expect(filesOf('/api/docs')).toEqual(['/app/src/app/api/docs/[[...slug]]/route.ts']);
    expect(filesOf('/api/revalidate/')).toEqual(['/app/pages/api/revalidate.ts']);
    expect(filesOf('/api/nothing')).toEqual([]);
  });
});
