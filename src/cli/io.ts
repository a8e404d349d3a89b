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
