// The JSON reports of the fixture apps and of the real checkouts, written one file per app with the
// fields that differ between runs (every durationMs, every absolute root) removed, for a byte-for-byte
// comparison before and after a change that must not change behaviour:
//   node bench/snapshot.mjs /tmp/before   (on the old build)   …   node bench/snapshot.mjs /tmp/after
//   diff -r /tmp/before /tmp/after
// Usage: node bench/snapshot.mjs <out dir> [--corpus <dir>] (default $CORPUS or /work/corpus;
// checkouts with no configuration of their own are audited with an empty one, as bench:corpus does)
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { CONFIG_FILES } from '../dist/esm/src/config/load-config.js';

const HERE = dirname(fileURLToPath(import.meta.url));
const CLI = join(HERE, '..', 'bin', 'cache-audit.js');
const { values, positionals } = parseArgs({ allowPositionals: true, options: { corpus: { type: 'string' } } });
if (positionals.length !== 1) {
  console.error('Usage: node bench/snapshot.mjs <out dir> [--corpus <dir>]');
  process.exit(2);
}
const out = resolve(positionals[0]);
mkdirSync(out, { recursive: true });

const subdirs = (dir) =>
  existsSync(dir)
    ? readdirSync(dir)
        .map((name) => join(dir, name))
        .filter((d) => statSync(d).isDirectory())
        .sort()
    : [];

function report(dir, name, { isCheckout }) {
  const scratch = mkdtempSync(join(tmpdir(), 'cache-audit-snapshot-'));
  let target = dir;
  if (isCheckout && !CONFIG_FILES.some((file) => existsSync(join(dir, file)))) {
    writeFileSync(join(scratch, 'cache-audit.config.json'), '{}\n');
    target = join(scratch, basename(dir));
    symlinkSync(dir, target, 'dir');
  }
  let text;
  try {
    text = execFileSync(process.execPath, [CLI, target, '--format', 'json', '--no-color'], {
      encoding: 'utf8',
      stdio: ['ignore', 'pipe', 'ignore'],
      maxBuffer: 1 << 28,
    });
  } catch (error) {
    text = String(error.stdout ?? '');
  }
  rmSync(scratch, { recursive: true, force: true });
  let json;
  try {
    json = JSON.parse(text);
  } catch {
    json = { unreadable: text.slice(0, 2000) };
  }
  const volatile = new Set(['durationMs', 'root']);
  const stable = JSON.stringify(json, (key, value) => (volatile.has(key) ? undefined : value), 2);
  writeFileSync(join(out, `${name}.json`), `${stable}\n`);
  console.log(`${name}: ${json.findings?.length ?? '?'} findings`);
}

for (const dir of subdirs(join(HERE, '..', 'fixtures'))) report(dir, `fixture-${basename(dir)}`, { isCheckout: false });
for (const dir of subdirs(resolve(values.corpus ?? process.env.CORPUS ?? '/work/corpus')))
  report(dir, `corpus-${basename(dir)}`, { isCheckout: true });
