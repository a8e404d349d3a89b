import { describe, expect, it } from 'vitest';
import { fileRoutePath, routeTable } from '../../src/analysis/frameworks/own-routes.js';

describe('the route table of a project’s files', () => {
  const table = routeTable(
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
    ],
    (file) => file.replace(/^\/app\//, ''),
  );

  it('reads the path a file serves: App Router route files under app/, Pages Router API routes', () => {
    expect(fileRoutePath('src/app/(admin)/api/teams/[teamId]/purge/route.ts')).toBe('/api/teams/[teamId]/purge');
    expect(fileRoutePath('pages/api/links/index.ts')).toBe('/api/links');
    expect(fileRoutePath('src/components/route.ts')).toBeNull();
    expect(fileRoutePath('src/lib/teams.ts')).toBeNull();
  });

  it('names no route by a directory above the project (a checkout under /app)', () => {
    expect(table.routes.map(([path, file]) => `${path} ${file}`)).not.toContain('/src/components src/components/route.ts');
    expect(table.filesOf('/src/components')).toEqual([]);
  });

  it('prefers a static segment to a dynamic one, and lets a runtime value match only a dynamic one', () => {
    expect(table.filesOf('/api/teams/mine')).toEqual(['/app/src/app/api/teams/mine/route.ts']);
    expect(table.filesOf('/api/teams/t1')).toEqual(['/app/src/app/api/teams/[teamId]/route.ts']);
    expect(table.filesOf('/api/teams/*')).toEqual(['/app/src/app/api/teams/[teamId]/route.ts']);
    expect(table.filesOf('/api/teams/*/purge')).toEqual(['/app/src/app/(admin)/api/teams/[teamId]/purge/route.ts']);
    expect(table.filesOf('/api/*/purge')).toEqual([]);
  });

  it('matches catch-all segments, an optional one with nothing after it too', () => {
    expect(table.filesOf('/api/files/a/b')).toEqual(['/app/src/app/api/files/[...path]/route.ts']);
    expect(table.filesOf('/api/files')).toEqual([]);
    expect(table.filesOf('/api/docs')).toEqual(['/app/src/app/api/docs/[[...slug]]/route.ts']);
    expect(table.filesOf('/api/revalidate/')).toEqual(['/app/pages/api/revalidate.ts']);
    expect(table.filesOf('/api/nothing')).toEqual([]);
  });
});
