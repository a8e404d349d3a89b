import { isAbsolute, relative, sep } from 'node:path';

/** What the command line may touch of its process: given, so that tests run it in-process. */
export interface CliIo {
  readonly stdout: { write(text: string): unknown; readonly isTTY?: boolean };
  readonly stderr: { write(text: string): unknown; readonly isTTY?: boolean };
  readonly cwd: string;
  readonly env: Readonly<Record<string, string | undefined>>;
}

/**
 * Colours on stdout: an explicit --color/--no-color first, then FORCE_COLOR (0 or false: off),
 * then NO_COLOR (only a non-empty value turns colour off, as no-color.org says), then a terminal.
 */
export function hasColor(flag: boolean | undefined, io: CliIo): boolean {
  if (flag !== undefined) return flag;
  const force = io.env['FORCE_COLOR'];
  if (force !== undefined) return force !== '0' && force.toLowerCase() !== 'false';
  const noColor = io.env['NO_COLOR'];
  if (noColor !== undefined && noColor !== '') return false;
  return io.stdout.isTTY === true && io.env['TERM'] !== 'dumb';
}

/** A path as the user would type it: relative to where the command ran (`.` for that directory), with `/`. */
export function shownPath(path: string, cwd: string): string {
  return relative(cwd, path).split(sep).join('/') || '.';
}

/** A quoted absolute path in a message (TypeScript quotes the files its diagnostics name: `Cannot read file '/…'`). */
const QUOTED_ABSOLUTE_PATH = /'((?:\/|[A-Za-z]:[\\/])[^']*)'/g;

/** A message with the absolute paths it quotes shown relative to where the command ran. */
export function withShownPaths(message: string, cwd: string): string {
  return message.replace(QUOTED_ABSOLUTE_PATH, (quoted, path: string) => (isAbsolute(path) ? `'${shownPath(path, cwd)}'` : quoted));
}
