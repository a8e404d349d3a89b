// Renders an HTML report in headless Chromium and saves a screenshot: node scripts/screenshot.mjs report.html shot.png [width]
import { chromium } from 'playwright-core';

const [file, out, width = '1400'] = process.argv.slice(2);
if (!file || !out) {
  console.error('usage: node scripts/screenshot.mjs <report.html> <shot.png> [width]');
  process.exit(2);
}
const browser = await chromium.launch({ executablePath: '/usr/bin/chromium', args: ['--headless', '--no-sandbox', '--disable-gpu'] });
try {
  const page = await browser.newPage({ viewport: { width: Number(width), height: 1000 } });
  await page.goto(`file://${file}`);
  await page.screenshot({ path: out, fullPage: false });
  const overflow = await page.evaluate(
    () => globalThis.document.documentElement.scrollWidth - globalThis.document.documentElement.clientWidth,
  );
  console.log(
    JSON.stringify({
      out,
      horizontalOverflowPx: overflow,
      height: await page.evaluate(() => globalThis.document.documentElement.scrollHeight),
    }),
  );
} finally {
  await browser.close();
}
