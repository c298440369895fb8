// requests.mjs — requests about issued certificates through the portal, in headless Chromium.
// The agency clerk fills the form "Yêu cầu về chứng thư đã cấp" for each kind: a suspension of
// the first certificate, its resumption, a revocation of the second for key compromise, a
// renewal of the third and a change of the first one's unit and position; only the certificates
// that fit a kind are offered. The CA officer finds each in the queue by its badge, accepts it
// and takes its step from the dossier page (suspend, resume, revoke; for a renewal and a change
// the new issuance's path on the holder's token, the agency collecting at the pickup time). OCSP
// is asked before and after each step (openssl ocsp, verified against the issuer): good →
// revoked certificateHold → good; → revoked keyCompromise; the renewal's and the change's new
// certificates good, the changed one revoked superseded, the renewed one still good. The
// applicant's own lookup names the kind. Token care, on three more certificates: a PIN reset of
// the fourth, a lost token for the fifth (its circumstances required, and bounded in bytes, in
// the page) and a broken one for the sixth, each accepted and its step taken by the officer
// (reset-pin and revoke, each asked first): OCSP good → good, revoked keyCompromise, revoked
// cessationOfOperation. The form is looked at 1280 and 375 px, and in English.
//
//   node requests.mjs BASE_URL ACCOUNTS_FILE SERIAL1 … SERIAL6 [SCREENSHOT_DIR]
//
// Environment: E2E_ISSUER (the issuing CA's certificate), E2E_CHAIN (issuing + root),
// E2E_CLOCK (the server's clock file), E2E_PICKUP_DAY (the next working day). Exits non-zero on
// the first failed check, naming it.
import {spawnSync} from 'node:child_process';
import {writeFileSync} from 'node:fs';
import {setTimeout as sleep} from 'node:timers/promises';
import {atWidths, check, readAccounts, run, session, shot} from './lib.mjs';

const [base, accountsFile, s1, s2, s3, t1, t2, t3, shots] = process.argv.slice(2);
const {E2E_ISSUER: issuer, E2E_CHAIN: chain, E2E_CLOCK: clock, E2E_PICKUP_DAY: pickupDay} = process.env;
const DUC_ID = '036079004567'; /* the second certificate's holder, in data/samples/mau02.csv */

/* Open a view afresh (a reload: a hash alone does not re-render an unchanged URL). */
async function go(page, hash) {
  await page.goto(`${base}/portal/${hash}`);
  await page.reload();
  await page.waitForSelector('main h1');
}

/* What OCSP says of a serial, the answer verified against the issuer: "good",
 * "revoked certificateHold", "revoked keyCompromise"… (the server's clock may run ahead of this
 * machine's: the answer's times are allowed a month). */
function ocsp(serial) {
  const run = spawnSync('openssl', ['ocsp', '-issuer', issuer, '-serial', `0x${serial}`, '-url', `${base}/ocsp`,
    '-CAfile', chain, '-no_nonce', '-validity_period', '2592000'], {encoding: 'utf8'});
  const out = `${run.stdout}${run.stderr}`;
  if (run.status !== 0 || !out.includes('Response verify OK')) return `unverified: ${out}`;
  const status = new RegExp(`0x${serial}: (\\S+)`, 'i').exec(out);
  const reason = /Reason: (\S+)/.exec(out);
  return status ? status[1] + (reason ? ` ${reason[1]}` : '') : `no status: ${out}`;
}

/* The server answers a request byte-identical to one of the last second from a one-second cache:
 * an answer after a change is awaited, within a bound. */
async function ocspBecomes(serial, want) {
  let got;
  for (let i = 0; i < 50; i++) {
    got = ocsp(serial);
    if (got === want) break;
    await sleep(100);
  }
  return got;
}

/* The clerk's request from the form: the kind picked, the certificates ticked, fill() for the
 * kind's own fields, confirmed; the page then shows the new dossier. Its code. */
async function ask(page, kind, serials, fill) {
  await go(page, '#/requests');
  await page.selectOption('#request-kind', kind);
  for (const s of serials) await page.check(`tr[data-serial="${s}"] input[type=checkbox]`);
  if (fill) await fill(page);
  page.once('dialog', (d) => d.accept());
  await page.click('#request-submit');
  await page.waitForSelector('#dossier-kind');
  const code = decodeURIComponent(await page.evaluate(() => location.hash.replace('#/dossiers/', '')));
  const shown = await page.textContent('#dossier-kind');
  check(`the ${kind} request is received as a dossier of its kind`, /-\d{6}-\d{4}$/.test(code) &&
    (await page.locator(`#dossier-kind [data-kind=${kind}]`).count()) === 1, `${code}: ${shown}`);
  check(`... with its receipt, as a new issuance has`, (await page.locator('#paper-receipt-html').count()) === 1);
  return code;
}

/* The serials the form offers for a kind. */
async function offered(page, kind) {
  await go(page, '#/requests');
  await page.selectOption('#request-kind', kind);
  return page.locator('tr[data-serial]').evaluateAll((rows) => rows.map((r) => r.dataset.serial));
}

/* A step of the dossier page: the form of the action (within `scope`, the dossier's actions by
 * default), filled, submitted (with `confirm`, the question it asks first answered yes); the
 * portal says done. */
async function step(page, action, scope = '#dossier-actions', fill, confirm) {
  const form = page.locator(`${scope} form[data-action="${action}"]`).first();
  await form.waitFor();
  if (fill) await fill(form);
  if (confirm) page.once('dialog', (d) => d.accept());
  await form.locator('button[type=submit]').click();
  await page.waitForSelector('[data-flash]');
  check(`${action}: the portal reports success`, (await page.locator('[data-flash=ok]').count()) === 1,
    await page.textContent('#flash'));
}

/* The officer's part of a suspension, resumption or revocation: the dossier found in the queue by
 * its badge, accepted, then the applicant's own button for the step. */
async function officerStep(officer, code, kind, action, label) {
  await go(officer, '#/queue');
  check(`the queue shows the ${kind} with its badge`,
    (await officer.locator(`tr[data-code="${code}"] [data-kind=${kind}]`).count()) === 1);
  await go(officer, `#/dossiers/${code}`);
  await step(officer, 'accept');
  const button = officer.locator(`tr[data-applicant="1"] form[data-action=${action}] button`);
  check(`the officer is offered "${label}" for the applicant`, (await button.textContent()) === label,
    await button.textContent());
  return button;
}

await run({base, accounts: readAccounts(accountsFile), shots}, async () => {
  let clerk = await session('vanthu');
  let officer = await session('canbo');

  /* the form: the kinds the server knows, in words; only what fits each is offered */
  await go(clerk, '#/requests');
  const kinds = await clerk.locator('#request-kind option').evaluateAll((os) => os.map((o) => `${o.value}:${o.textContent}`));
  check('the form offers the eight kinds, in Vietnamese', kinds.join('|') ===
    'suspension:Tạm dừng|resumption:Khôi phục|revocation:Thu hồi|renewal:Gia hạn|change:Thay đổi nội dung thông tin|' +
    'pin_reset:Đặt lại mã PIN|token_lost:Báo mất thiết bị|token_broken:Báo hỏng thiết bị',
    kinds.join('|'));
  await clerk.click('#lang');
  await clerk.waitForSelector('h1:has-text("Requests about issued certificates")');
  const english = await clerk.locator('#request-kind option').evaluateAll((os) => os.map((o) => o.textContent));
  check("in English, the server's English labels", english.join('|') ===
    'Suspension|Resumption|Revocation|Renewal|Change of details|PIN reset|Lost token|Broken token', english.join('|'));
  await clerk.click('#lang');
  await clerk.waitForSelector('h1:has-text("Yêu cầu về chứng thư đã cấp")');
  check('a suspension may be asked for each active certificate', (await offered(clerk, 'suspension')).sort().join() ===
    [s1, s2, s3, t1, t2, t3].sort().join());
  check('a resumption for none: nothing is suspended', (await offered(clerk, 'resumption')).length === 0 &&
    (await clerk.locator('#request-none').count()) === 1);
  await clerk.click('#request-submit');
  await clerk.waitForSelector('[data-flash=error]');
  check('submitting nothing is refused in the page', (await clerk.textContent('#flash')).includes('Chọn ít nhất một'));

  /* ---- suspension: good → revoked certificateHold ---- */
  const su = await ask(clerk, 'suspension', [s1]);
  check('OCSP before the suspension: good', ocsp(s1) === 'good', ocsp(s1));
  const suspend = await officerStep(officer, su, 'suspension', 'suspend', 'Tạm dừng chứng thư số');
  check('the applicant names the certificate concerned', (await officer.textContent('tr[data-applicant="1"] .request-cert')).includes(s1));
  await step(officer, 'suspend', 'tr[data-applicant="1"]');
  check('the suspension done', (await suspend.count()) === 0 &&
    (await officer.locator('#dossier-state [data-state=completed]').count()) === 1);
  check('OCSP after: revoked, certificateHold', (await ocspBecomes(s1, 'revoked certificateHold')) === 'revoked certificateHold');

  /* ---- resumption: → good ---- */
  check('a resumption is now offered for the suspended one only', (await offered(clerk, 'resumption')).join() === s1);
  check('... and no suspension of it again', !(await offered(clerk, 'suspension')).includes(s1));
  const re = await ask(clerk, 'resumption', [s1]);
  await officerStep(officer, re, 'resumption', 'resume', 'Khôi phục chứng thư số');
  await step(officer, 'resume', 'tr[data-applicant="1"]');
  check('OCSP after the resumption: good', (await ocspBecomes(s1, 'good')) === 'good');

  /* ---- revocation for key compromise: → revoked keyCompromise ---- */
  await go(clerk, '#/requests');
  await clerk.selectOption('#request-kind', 'revocation');
  const reasons = await clerk.locator('#request-reason option').evaluateAll((os) => os.map((o) => o.value));
  check('a revocation asks for one of three reasons', reasons.join() === 'affiliationChanged,keyCompromise,cessationOfOperation',
    reasons.join());
  await clerk.selectOption('#request-reason', 'keyCompromise');
  await clerk.check(`tr[data-serial="${s2}"] input[type=checkbox]`);
  await atWidths(clerk, 'requests-form');
  const rv = await ask(clerk, 'revocation', [s2], (p) => p.selectOption('#request-reason', 'keyCompromise'));
  check('the dossier says why, in words', (await clerk.textContent('#dossier-request-reason')).includes('Mất thiết bị, lộ khóa bí mật'));
  check('OCSP before the revocation: good', ocsp(s2) === 'good');
  await officerStep(officer, rv, 'revocation', 'revoke', 'Thu hồi chứng thư số');
  check("the officer's page shows the kind and the reason",
    (await officer.textContent('#dossier-kind')).includes('Thu hồi') &&
    (await officer.textContent('#dossier-request-reason')).includes('keyCompromise'));
  await atWidths(officer, 'request-officer');
  let asked = '';
  officer.once('dialog', (d) => { asked = d.message(); d.dismiss(); });
  await officer.click('tr[data-applicant="1"] form[data-action=revoke] button');
  check('revoking asks first, naming the certificate', asked.includes(s2), asked);
  check('... and a "no" changes nothing', ocsp(s2) === 'good' &&
    (await officer.locator('tr[data-applicant="1"] form[data-action=revoke]').count()) === 1);
  await step(officer, 'revoke', 'tr[data-applicant="1"]', null, true);
  check('OCSP after: revoked, keyCompromise', (await ocspBecomes(s2, 'revoked keyCompromise')) === 'revoked keyCompromise');
  check('a revoked certificate is offered for nothing', !(await offered(clerk, 'suspension')).includes(s2) &&
    !(await offered(clerk, 'resumption')).includes(s2));

  /* the holder's own lookup names the kind */
  const visitor = await clerk.context().browser().newPage({viewport: {width: 1280, height: 860}});
  await visitor.goto(`${base}/portal/`);
  await visitor.fill('#lookup input[name=code]', rv);
  await visitor.fill('#lookup input[name=id_number]', DUC_ID);
  await visitor.click('#lookup button[type=submit]');
  await visitor.waitForSelector('#lookup-kind');
  check('the lookup names the kind of the request', (await visitor.textContent('#lookup-kind')).includes('Thu hồi'));
  await atWidths(visitor, 'lookup-request');

  /* ---- token care: a PIN reset, a lost token and a broken one, each on a certificate of its own ---- */
  const lost = 'Mất trên xe buýt số 32 chiều 01/12/2026';
  await go(clerk, '#/requests');
  await clerk.selectOption('#request-kind', 'token_lost');
  check('a lost token asks for its circumstances, required',
    (await clerk.locator('#request-fields textarea#request-reason[required]').count()) === 1 &&
    (await clerk.textContent('#request-fields')).includes('Hoàn cảnh mất thiết bị'));
  await clerk.check(`tr[data-serial="${t2}"] input[type=checkbox]`);
  let askedToSend = false;
  const noSend = (d) => { askedToSend = true; d.dismiss(); };
  clerk.on('dialog', noSend);
  await clerk.click('#request-submit');
  check('left empty, the page refuses it before asking to send',
    (await clerk.$eval('#request-reason', (e) => e.validity.valueMissing)) && !askedToSend &&
    (await clerk.locator('#dossier-kind').count()) === 0);
  const flashed = (text) => clerk.waitForFunction((s) => document.getElementById('flash').textContent.includes(s), text);
  await clerk.fill('#request-reason', '   ');
  await clerk.click('#request-submit');
  await flashed('Chưa điền');
  check('spaces only: refused in the page, naming the field',
    (await clerk.textContent('#flash')).includes('Hoàn cảnh mất thiết bị') && !askedToSend, await clerk.textContent('#flash'));
  await clerk.fill('#request-reason', 'ấ'.repeat(101)); /* 101 characters, 303 bytes */
  await clerk.click('#request-submit');
  await flashed('303');
  check('over 300 bytes (though 101 characters): refused in the page', (await clerk.textContent('#flash')).includes('300') &&
    !askedToSend, await clerk.textContent('#flash'));
  clerk.off('dialog', noSend);
  const pr = await ask(clerk, 'pin_reset', [t1], async (p) => check("a PIN reset's note is optional",
    (await p.locator('textarea#request-reason:not([required])').count()) === 1 &&
    (await p.textContent('#request-fields')).includes('Ghi chú')));
  const tl = await ask(clerk, 'token_lost', [t2], async (p) => {
    await p.fill('#request-reason', lost);
    await atWidths(p, 'requests-token-lost');
  });
  check('the dossier keeps the circumstances', (await clerk.textContent('tr[data-applicant="1"]')).includes(lost));
  const tb = await ask(clerk, 'token_broken', [t3], async (p) => {
    check('a broken token asks what is broken, optional', (await p.textContent('#request-fields')).includes('Mô tả hỏng hóc') &&
      (await p.locator('textarea#request-reason:not([required])').count()) === 1);
    await p.fill('#request-reason', 'Máy tính không nhận thiết bị, vỏ bị nứt');
  });
  check('OCSP before token care: good', [t1, t2, t3].every((s) => ocsp(s) === 'good'), [t1, t2, t3].map(ocsp).join(' / '));

  /* the PIN reset: asked first like a revocation; a "no" changes nothing */
  await officerStep(officer, pr, 'pin_reset', 'reset-pin', 'Đặt lại mã PIN');
  asked = '';
  officer.once('dialog', (d) => { asked = d.message(); d.dismiss(); });
  await officer.click('tr[data-applicant="1"] form[data-action="reset-pin"] button');
  check('resetting the PIN asks first, naming the certificate', asked.includes(t1) && asked.includes('mã PIN'), asked);
  check('... and a "no" changes nothing',
    (await officer.locator('tr[data-applicant="1"] form[data-action="reset-pin"]').count()) === 1);
  await atWidths(officer, 'request-pin-reset');
  await step(officer, 'reset-pin', 'tr[data-applicant="1"]', null, true);
  check('the PIN reset done', (await officer.locator('#dossier-state [data-state=completed]').count()) === 1 &&
    (await officer.locator('tr[data-applicant="1"] form[data-action="reset-pin"]').count()) === 0);
  check('OCSP after the PIN reset: still good', ocsp(t1) === 'good');

  /* the lost token and the broken one: the certificate revoked, each with its own reason */
  await officerStep(officer, tl, 'token_lost', 'revoke', 'Thu hồi chứng thư số');
  check('the officer reads the circumstances', (await officer.textContent('tr[data-applicant="1"]')).includes(lost));
  await step(officer, 'revoke', 'tr[data-applicant="1"]', null, true);
  check('OCSP after the loss: revoked, keyCompromise', (await ocspBecomes(t2, 'revoked keyCompromise')) === 'revoked keyCompromise');
  await officerStep(officer, tb, 'token_broken', 'revoke', 'Thu hồi chứng thư số');
  await step(officer, 'revoke', 'tr[data-applicant="1"]', null, true);
  check('OCSP after the breakage: revoked, cessationOfOperation',
    (await ocspBecomes(t3, 'revoked cessationOfOperation')) === 'revoked cessationOfOperation');
  const pinResets = await offered(clerk, 'pin_reset');
  check('a PIN reset is still offered for the reset one, not for the lost or broken', pinResets.includes(t1) &&
    !pinResets.includes(t2) && !pinResets.includes(t3), pinResets.join());

  /* ---- renewal and change of details: the new issuance's path on the holder's token ---- */
  check('a change of details offers the new unit, position and name',
    (await offered(clerk, 'change')).includes(s1) &&
    (await clerk.locator(`tr[data-serial="${s1}"] input[name=unit]`).count()) === 1);
  const rn = await ask(clerk, 'renewal', [s3]);
  const ch = await ask(clerk, 'change', [s1], async (p) => {
    await p.fill(`tr[data-serial="${s1}"] input[name=unit]`, 'Vụ Tổ chức cán bộ');
    await p.fill(`tr[data-serial="${s1}"] input[name=position]`, 'Phó Vụ trưởng');
    await atWidths(p, 'requests-change');
  });
  check('the change carries the new details', (await clerk.textContent('tr[data-applicant="1"]')).includes('Vụ Tổ chức cán bộ'));
  for (const [code, kind] of [[rn, 'renewal'], [ch, 'change']]) {
    await go(officer, '#/queue');
    check(`the queue shows the ${kind} with its badge`,
      (await officer.locator(`tr[data-code="${code}"] [data-kind=${kind}]`).count()) === 1);
    await go(officer, `#/dossiers/${code}`);
    await step(officer, 'accept');
    await step(officer, 'issue');
    await step(officer, 'notify-pickup', '#dossier-actions', async (form) => {
      await form.locator('input[name=at]').fill(`${pickupDay}T09:00`);
      await form.locator('input[name=place]').fill('Phòng 201, số 23 Ngụy Như Kon Tum, Hà Nội');
    });
  }
  const newSerial = async (code) => {
    await go(officer, `#/dossiers/${code}`);
    return (await officer.textContent('tr[data-applicant="1"] a code')).trim();
  };
  const r3 = await newSerial(rn), n1 = await newSerial(ch);
  check('new certificates signed, on hold until published', ocsp(r3) === 'revoked certificateHold' &&
    ocsp(n1) === 'revoked certificateHold', `${ocsp(r3)} / ${ocsp(n1)}`);
  check('... the old ones still good', ocsp(s1) === 'good' && ocsp(s3) === 'good');

  /* the next working day, at the pickup time: the agency collects, hands over, asks for the
   * effective time (new sessions: the day before's have ended); the officer publishes */
  writeFileSync(clock, String(Date.parse(`${pickupDay}T10:00:00+07:00`) / 1000));
  clerk = await session('vanthu');
  officer = await session('canbo');
  for (const code of [rn, ch]) {
    await go(clerk, `#/dossiers/${code}`);
    await step(clerk, 'agency-received', '#dossier-actions', (form) => form.locator('input[name=received_by]').fill('Đỗ Văn Nhận'));
    await step(clerk, 'handed-over');
    await step(clerk, 'request-activation');
    await go(officer, `#/dossiers/${code}`);
    await step(officer, 'publish');
    check('the dossier is completed', (await officer.locator('#dossier-state [data-state=completed]').count()) === 1);
  }
  check('OCSP: the renewed certificate good', (await ocspBecomes(r3, 'good')) === 'good');
  check('... and the one it renews still good', ocsp(s3) === 'good');
  check('OCSP: the changed certificate good', (await ocspBecomes(n1, 'good')) === 'good');
  check('... and the old one revoked, superseded', (await ocspBecomes(s1, 'revoked superseded')) === 'revoked superseded');
  await go(officer, `#/dossiers/${ch}`);
  await shot(officer, 'request-change-done');
});
