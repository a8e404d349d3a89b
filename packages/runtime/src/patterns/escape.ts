/** Backslash-escapes the Redis glob characters `* ? [ ] \` so that `value` matches only itself. */
export function escapeGlob(value: string): string {
  return value.replace(/[*?[\]\\]/g, '\\$&');
}
