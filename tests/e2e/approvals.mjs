// approvals.mjs — four eyes in the portal, in headless Chromium. Officer A opens a certificate,
// picks a reason, confirms the revocation, and is told it waits for a second officer; the page
// says so from then on and offers no second request; A's queue shows the request as A's own,
// with nothing to approve, and the server refuses A's approval all the same. Officer B approves
// it in "Chờ phê duyệt": the certificate is revoked. A second request is declined by B with a
// reason: the certificate stays active and can be asked for again. The pages fit 1280 px and a
// 375 px phone with nothing to scroll sideways.
//
//   node approvals.mjs BASE_URL ACCOUNTS_FILE OFFICER_A OFFICER_B_PASSWORD SERIAL1 SERIAL2 [SCREENSHOT_DIR]
//
// Officer B is the account "canbo2". Exits non-zero on the first failed check, naming it.
import {atWidths, check, readAccounts, run, session} from './lib.mjs';

const [base, accountsFile, officerA, passwordB, serial1, serial2, shots] = process.argv.slice(2);
const accounts = readAccounts(accountsFile);
accounts.canbo2 = passwordB;

/* Go to a page of the portal, drawn afresh (a page already shown is reloaded). */
async function open(page, hash, selector) {
  const same = await page.evaluate((h) => location.hash === h, hash);
  if (same) await page.reload();
  else await page.evaluate((h) => { location.hash = h; }, hash);
  await page.waitForSelector(selector);
}

/* The API as the page's own session sees it. */
async function apiStatus(page, method, path, body) {
  return page.evaluate(async ([m, p, b]) => {
    const res = await fetch(`/api/v1/${p}`, {method: m, headers: {'Content-Type': 'application/json'},
      body: b === undefined ? undefined : JSON.stringify(b)});
    return [res.status, await res.json().catch(() => null)];
  }, [method, path, body]);
}

/* A's request to revoke serial, from the certificate's page: a reason picked, confirmed. */
async function askRevocation(page, serial, reason) {
  await open(page, `#/certs/${serial}`, '#revoke');
  await page.selectOption('#revoke-reason', reason);
  const asked = new Promise((resolve) => page.once('dialog', (d) => { resolve(d.message()); d.accept(); }));
  await page.click('#revoke button[type=submit]');
  const question = await asked;
  check(`A is asked to confirm the revocation of ${serial}`, question.includes(serial) && question.includes('Thu hồi'), question);
  await page.waitForSelector('#flash [data-flash=ok]');
  const note = await page.locator('#flash').innerText();
  check('A is told it waits for a second officer', note.includes('Đang chờ cán bộ thứ hai phê duyệt'), note);
  await page.waitForSelector('#revoke-waiting');
  check('the certificate page says it waits, and offers no second request',
    (await page.locator('#revoke').count()) === 0 && (await page.locator('#revoke-waiting').innerText()).includes('Đang chờ'));
  await atWidths(page, `cert-waiting-${serial === serial1 ? 'one' : 'two'}`);
  return Number(/#(\d+)/.exec(note)[1]);
}

await run({base, accounts, shots}, async () => {
  const a = await session(officerA);
  const b = await session('canbo2');

  /* ---- a revocation A asks for and B approves ---- */
  const first = await askRevocation(a, serial1, 'keyCompromise');
  let [status, cert] = await apiStatus(a, 'GET', `certificates/${serial1}`);
  check('the certificate is still active', status === 200 && cert.status === 'active', cert && cert.status);

  await open(a, '#/approvals', `tr[data-approval="${first}"]`);
  const own = a.locator(`tr[data-approval="${first}"]`);
  check("A's queue shows the request as A's own, with nothing to approve",
    (await own.locator('[data-approve]').count()) === 0 && (await own.innerText()).includes('Yêu cầu của bạn'));
  [status] = await apiStatus(a, 'POST', `approvals/${first}/approve`, {});
  check('the server refuses A approving it (403)', status === 403, String(status));
  await atWidths(a, 'approvals-own');

  await b.click('nav a[href="#/approvals"]');
  await b.waitForSelector(`tr[data-approval="${first}"] [data-approve]`);
  const row = await b.locator(`tr[data-approval="${first}"]`).innerText();
  check("B's queue shows A's request: the step, the certificate, A", row.includes('thu hồi chứng thư') &&
    row.includes(serial1) && row.includes(officerA), row);
  await atWidths(b, 'approvals-queue');
  await b.click(`tr[data-approval="${first}"] [data-approve]`);
  await b.waitForSelector('#approvals-empty');
  check('B approves: the queue is empty', (await b.locator('#flash [data-flash=ok]').count()) === 1);
  [status, cert] = await apiStatus(b, 'GET', `certificates/${serial1}`);
  check('the certificate is revoked, for the reason A picked', cert.status === 'revoked' && cert.revocation_reason === 1,
    JSON.stringify(cert));
  await open(a, `#/certs/${serial1}`, '#cert');
  const shown = await a.locator('#cert').innerText();
  check("A's page of it: revoked, nothing more to ask", shown.includes('Đã thu hồi') && shown.includes('Lộ khóa bí mật') &&
    (await a.locator('#revoke, #revoke-waiting').count()) === 0, shown);
  await atWidths(a, 'cert-revoked');

  /* ---- a request B declines: nothing changes ---- */
  const second = await askRevocation(a, serial2, 'superseded');
  await open(b, '#/approvals', `tr[data-approval="${second}"] [data-decline]`);
  b.once('dialog', (d) => d.accept('Nhầm số hiệu'));
  await b.click(`tr[data-approval="${second}"] [data-decline]`);
  await b.waitForSelector('#approvals-empty');
  [status, cert] = await apiStatus(b, 'GET', `certificates/${serial2}`);
  check('declined: the certificate is still active', cert.status === 'active', cert.status);
  [status] = await apiStatus(b, 'POST', `approvals/${second}/approve`, {});
  check('a declined request cannot be approved afterwards (409)', status === 409, String(status));
  await open(a, `#/certs/${serial2}`, '#revoke');
  check("A's page of it offers the revocation again", (await a.locator('#revoke-waiting').count()) === 0);
  await atWidths(a, 'cert-declined');
});
