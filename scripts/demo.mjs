// The quick start's main job: audits the bundled quotes app (clean), then its copy with planted
// defects, and checks that each outcome is the expected one (exit 0, then exit 1).
import { spawnSync } from 'node:child_process';

const run = (title, args) => {
  console.log(`\n━━ ${title}\n$ cache-audit ${args.join(' ')}\n`);
  return spawnSync(process.execPath, ['bin/cache-audit.js', ...args], { stdio: 'inherit' }).status;
};

const clean = run('The quotes app: every mutation invalidates what it changes', ['fixtures/quotes-app', '--matrix']);
const defects = run('The same app with planted defects', ['fixtures/quotes-app-defects']);
const isExpected = clean === 0 && defects === 1;
console.log(
  isExpected
    ? '\nBoth outcomes are the expected ones (exit 0, then exit 1).'
    : `\nUnexpected exit codes: ${clean} and ${defects} (expected 0 and 1).`,
);
process.exitCode = isExpected ? 0 : 1;
