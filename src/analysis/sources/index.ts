import { cacheClients } from './cache-clients.js';
import { nextCache } from './next-cache.js';
import type { Source } from './source.js';

/**
 * The library sources, asked in order; the first that recognises a call says what it does.
 * Adding a library is adding one module here, with its fixture.
 */
export const SOURCES: readonly Source[] = [nextCache, cacheClients];
