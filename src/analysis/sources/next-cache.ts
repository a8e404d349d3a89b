import type { InvalidationKind } from '../facts.js';
import type { Source } from './source.js';

const TAG_CALLS: Readonly<Record<string, InvalidationKind>> = {
  revalidateTag: 'tag',
  updateTag: 'tag',
  expireTag: 'tag',
  revalidatePath: 'path',
};

/**
 * Next.js tags and paths (`next/cache`). The names count only when they are among the configured
 * invalidation calls (they are by default).
 */
export const nextCache: Source = {
  id: 'next-cache',
  classify({ ctx, name }) {
    const kind = TAG_CALLS[name];
    if (!kind || !(ctx.options.callNames.has(name) || ctx.options.callGlobs.some((g) => g.test(name)))) return null;
    return [{ kind: 'invalidate', invalidationKind: kind, keys: [] }];
  },
};
