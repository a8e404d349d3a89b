import { resolve } from 'node:path';
import { main } from '../../src/cli/main.js';

export const root = resolve(import.meta.dirname, '../..');

/** Runs the command line in this process, capturing what it writes. */
export async function run(
  args: string[],
  cwd = root,
  env: Record<string, string> = {},
): Promise<{ code: number; stdout: string; stderr: string }> {
  let stdout = '';
  let stderr = '';
  const code = await main(args, {
    stdout: { write: (t: string) => (stdout += t) },
    stderr: { write: (t: string) => (stderr += t) },
    cwd,
    env,
  });
  return { code, stdout, stderr };
}
