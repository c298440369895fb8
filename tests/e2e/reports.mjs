// reports.mjs — the portal's reports page in headless Chromium: the CA officer and the auditor
// open it from the navigation, see this month's tables and the server's two SVG charts (loaded,
// drawn at their size), download a CSV (UTF-8 with its byte-order mark), narrow it to one
// agency; the page fits 1280 px and a 375 px phone with nothing to scroll sideways. An agency
// clerk has no such entry and is refused the page.
//
//   node reports.mjs BASE_URL ACCOUNTS_FILE [SCREENSHOT_DIR]
//
// Exits non-zero on the first failed check, naming it.
import {atWidths, check, readAccounts, run, session} from './lib.mjs';

const [base, accountsFile, shots] = process.argv.slice(2);

/* Both charts fetched and decoded: an <img> that failed has naturalWidth 0. */
async function chartsLoaded(page) {
  await page.waitForFunction(() => [...document.querySelectorAll('img.chart')].every((i) => i.complete),
    null, {timeout: 10000});
  return page.evaluate(() => [...document.querySelectorAll('img.chart')].map((i) => [i.naturalWidth, i.clientWidth]));
}

/* The page at both widths, with both charts drawn within the window at each. */
async function chartsAtWidths(page, name) {
  await atWidths(page, name, async (width, inner) => {
    const sizes = await chartsLoaded(page);
    check(`${name} at ${width} px: both charts drawn, within the window`,
      sizes.length === 2 && sizes.every(([natural, shown]) => natural > 0 && shown > 0 && shown <= inner), JSON.stringify(sizes));
  });
}

await run({base, accounts: readAccounts(accountsFile), shots}, async () => {
  for (const user of ['canbo', 'kiemtoan']) {
    const page = await session(user);
    const link = page.locator('nav a[href="#/reports"]');
    check(`${user}: the navigation offers "Báo cáo"`, (await link.textContent()) === 'Báo cáo');
    await link.click();
    await page.waitForSelector('#report table');
    const text = await page.locator('main').innerText();
    check(`${user}: the page is titled in Vietnamese`, text.includes('Báo cáo tình hình giải quyết hồ sơ'));
    check(`${user}: the tables and their total`, text.includes('Hồ sơ theo cơ quan') && text.includes('Chứng thư số theo cơ quan') &&
      text.includes('Tổng cộng'));
    /* the seeded dossiers: two received this month, one of them accepted */
    const total = await page.locator('#report table').first().locator('tr.total td').allInnerTexts();
    check(`${user}: this month's dossiers in the total row`, total[1] === '2' && total[3] === '1', total.join(' | '));
    await chartsAtWidths(page, `reports-${user}`);

    /* a CSV link downloads the table with its byte-order mark */
    const href = await page.getAttribute('a[data-csv="dossiers"]', 'href');
    const bytes = await page.evaluate(async (u) => [...new Uint8Array(await (await fetch(u)).arrayBuffer())].slice(0, 3), href);
    check(`${user}: the CSV starts with the UTF-8 byte-order mark`, bytes.join(',') === '239,187,191', bytes.join(','));

    /* one agency */
    await page.selectOption('#report-period-form select[name=agency]', 'BKHCN.VPC');
    await page.click('#report-period-form button[type=submit]');
    await page.waitForFunction(() => document.querySelector('img.chart')?.src.includes('agency=BKHCN.VPC'));
    const rows = await page.locator('#report table').first().locator('tbody tr').count();
    check(`${user}: narrowed to one agency and its total`, rows === 2, String(rows));
    await chartsLoaded(page);
    await page.context().close();
  }

  /* an agency clerk: no entry, and the page itself is refused by the server */
  const clerk = await session('vanthu');
  check('the clerk has no "Báo cáo" entry', (await clerk.locator('nav a[href="#/reports"]').count()) === 0);
  await clerk.goto(`${base}/portal/#/reports`);
  await clerk.reload();
  await clerk.waitForSelector('#flash .error');
  check('the clerk is refused the report', (await clerk.locator('#report table').count()) === 0);
});
