// Render HTML reports in headless Chromium (Debian's /usr/bin/chromium, or $CHROMIUM) with
// the network cut off, and say for each page what went wrong: script errors, console
// errors, failed resources, any request that is not a local file. A full-page screenshot of
// each goes into OUT_DIR; the test command decodes it and checks the charts were drawn.
//
//   node render.mjs OUT_DIR PAGE.html [PAGE.html ...]
//
// One JSON line per page on stdout: {"page", "screenshot", "problems": [...], "svgs": [...]}.
// Exit 0 when every page was rendered (problems or not), 1 when the browser could not be used.
import { chromium } from 'playwright-core';
import { basename, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';

const [outDir, ...pages] = process.argv.slice(2);
if (!outDir || pages.length === 0) {
  console.error('usage: node render.mjs OUT_DIR PAGE.html [PAGE.html ...]');
  process.exit(2);
}

const browser = await chromium.launch({
  executablePath: process.env.CHROMIUM || '/usr/bin/chromium',
  // As root in a container, without a session bus, on a closed network.
  args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking',
    '--disable-component-update', '--disable-sync'],
});
try {
  for (const [i, p] of pages.entries()) {
    const context = await browser.newContext({ viewport: { width: 1200, height: 900 }, offline: true });
    const page = await context.newPage();
    const problems = [];
    page.on('pageerror', (e) => problems.push(`script error: ${e.message}`));
    page.on('console', (m) => { if (m.type() === 'error') problems.push(`console error: ${m.text()}`); });
    page.on('requestfailed', (r) => problems.push(`resource failed: ${r.url()} (${r.failure()?.errorText ?? '?'})`));
    page.on('request', (r) => {
      const u = r.url();
      if (!u.startsWith('file:') && !u.startsWith('data:')) problems.push(`network request: ${u}`);
    });
    await page.goto(pathToFileURL(resolve(p)).href, { waitUntil: 'load' });
    const svgs = await page.evaluate(() => [...document.querySelectorAll('svg')].map((s) => {
      const b = s.getBoundingClientRect();
      return { width: b.width, height: b.height, shapes: s.querySelectorAll('path,polyline,polygon,rect,line,circle').length };
    }));
    const screenshot = resolve(outDir, `${i}-${basename(p)}.png`);
    await page.screenshot({ path: screenshot, fullPage: true });
    console.log(JSON.stringify({ page: p, screenshot, problems, svgs }));
    await context.close();
  }
} finally {
  await browser.close();
}
