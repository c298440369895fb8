// lib.mjs — what every browser test of the portal (portal.mjs, lists.mjs, reports.mjs,
// approvals.mjs) does the same way: read the demo accounts, count and print checks, launch
// Debian's headless Chromium, log a user in with a page of their own, look at a page at 1280
// and 375 px, and take the screenshots asked for. Each test stays a plain script: it calls
// run() with its body.
import {readFileSync} from 'node:fs';
import {chromium} from 'playwright-core';

/* The accounts file `chungthu init --demo` writes ("user role password" lines, # comments):
 * user → password. */
export function readAccounts(file) {
  return Object.fromEntries(readFileSync(file, 'utf8').split('\n')
    .filter((l) => l && !l.startsWith('#')).map((l) => l.trim().split(/\s+/)).map(([u, , p]) => [u, p]));
}

let checks = 0;
/* One numbered check: "ok N - what" when it holds; otherwise it throws, naming it (and the
 * detail, when there is one), so the test stops at the first failure. */
export function check(what, ok, detail) {
  checks++;
  if (!ok) throw new Error(`FAIL: ${what}${detail ? ` (${detail})` : ''}`);
  console.log(`ok ${checks} - ${what}`);
}

/* The two widths every page is looked at: a desktop window and a small phone. */
export const DESKTOP = {width: 1280, height: 860};
export const PHONE = {width: 375, height: 812};

/* The test's settings, from run(): the server's URL, the user → password map session() logs in
 * with, the folder for screenshots (none when unset); and its browser. */
let base, accounts, shots, browser;

/* run({base, accounts, shots}, body): body(browser) with Chromium launched for it, closed
 * whatever happens; the last line says how many checks passed. A failed check rejects, and
 * the test ends with a non-zero status, the failure named. */
export async function run(settings, body) {
  ({base, accounts, shots} = settings);
  /* headless and quiet: no background traffic, so that the server under test is the only
   * thing the browser talks to */
  browser = await chromium.launch({
    executablePath: '/usr/bin/chromium',
    args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
      '--disable-background-networking', '--disable-component-update', '--disable-sync'],
  });
  try {
    await body(browser);
    console.log(`${checks} checks passed`);
  } finally {
    await browser.close();
  }
}

/* A screenshot of the whole page, when screenshots are asked for. */
export async function shot(page, name) {
  if (shots) await page.screenshot({path: `${shots}/${name}.png`, fullPage: true});
}

/* A logged-in page of its own (its own cookie jar) for one user; an error in the page's script
 * ends the test. */
export async function session(user) {
  const context = await browser.newContext({locale: 'vi-VN', viewport: DESKTOP});
  const page = await context.newPage();
  page.on('pageerror', (e) => { throw new Error(`page error for ${user}: ${e.message}`); });
  await page.goto(`${base}/portal/`);
  await page.fill('#login input[name=username]', user);
  await page.fill('#login input[name=password]', accounts[user]);
  await page.click('#login button[type=submit]');
  await page.waitForSelector('#logout:not([hidden])');
  return page;
}

/* The page at 1280 and 375 px: nothing to scroll sideways (checked), then more(width, inner)
 * when given, then its screenshots NAME and NAME-375; back at 1280 px afterwards. */
export async function atWidths(page, name, more) {
  for (const {width, height} of [DESKTOP, PHONE]) {
    await page.setViewportSize({width, height});
    const [scroll, inner] = await page.evaluate(() => [document.documentElement.scrollWidth, window.innerWidth]);
    check(`${name} at ${width} px: nothing to scroll sideways`, scroll <= inner, `${scroll} > ${inner}`);
    if (more) await more(width, inner);
    await shot(page, width === DESKTOP.width ? name : `${name}-375`);
  }
  await page.setViewportSize(DESKTOP);
}

/* Whether the page fits its window's width (nothing to scroll sideways). */
export async function fitsWidth(page) {
  return page.evaluate(() => document.documentElement.scrollWidth <= document.documentElement.clientWidth);
}
