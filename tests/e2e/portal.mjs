// portal.mjs — the whole procedure through the portal in headless Chromium: an agency clerk
// prepares a dossier of three applicants, the head confirms, the clerk submits, the CA officer
// accepts, checks each applicant (the ID number and the flags the software raises, also on a
// phone-sized screen) and refuses the third with a reason, issues and notifies pickup, the clerk
// records receipt and hand-over and requests activation, the officer publishes, the dossier is
// completed, and the public directory shows both certificates as valid with their effective
// time; the refused applicant's own lookup says why. Every step is a click in the browser
// against a real server.
//
//   node portal.mjs BASE_URL ACCOUNTS_FILE [SCREENSHOT_DIR]
//
// Exits non-zero on the first failed check, naming it.
import {writeFileSync} from 'node:fs';
import {atWidths, check, fitsWidth, readAccounts, run, session, shot} from './lib.mjs';

const [base, accountsFile, shots] = process.argv.slice(2);

const CSV = [
  'STT,Họ và tên,Ngày sinh,Số CCCD/CMND/Hộ chiếu,Ngày cấp,Nơi cấp,Thư điện tử công vụ,"Cơ quan, đơn vị công tác",Tỉnh/thành phố,Chức vụ,Ngạch/Vị trí,Số điện thoại di động,Số hiệu chứng thư số cũ (nếu có)',
  '1,Nguyễn Thị Thu Hà,12/03/1985,001185012345,10/05/2021,Cục Cảnh sát QLHC về TTXH,ha.ntt@mic.gov.vn,Vụ Pháp chế,Hà Nội,Chuyên viên chính,Công chức,0912345678,',
  '2,Trần Văn Đức,02/11/1979,036079004567,20/08/2021,Cục Cảnh sát QLHC về TTXH,duc.tv@mic.gov.vn,"Vụ Pháp chế, Phòng 2",Hà Nội,Phó Vụ trưởng,Công chức,0987654321,',
  /* a CCCD number whose digits say 1985 against a birth in 1990, an address outside the
   * agency's official domains: the officer's check flags both, and the officer refuses */
  '3,Lê Văn Tâm,15/06/1990,001085012399,01/03/2022,Cục Cảnh sát QLHC về TTXH,tam.lv@gmail.com,Vụ Pháp chế,Hà Nội,Chuyên viên,Công chức,0903111222,',
].join('\r\n') + '\r\n';
const REFUSED_ID = '001085012399';
const SUPPLEMENT_REASON = 'Bổ sung đơn vị công tác đầy đủ của người số 2';
const SUPPLEMENTED_UNIT = 'Vụ Pháp chế, Phòng Pháp luật hành chính';
const REFUSAL = 'Số CCCD không khớp năm sinh; đề nghị cơ quan kiểm tra lại';
const PDF = '%PDF-1.4\n1 0 obj<</Type/Catalog>>endobj\ntrailer<</Root 1 0 R>>\n%%EOF\n';

/* Open a view afresh (a reload: a hash alone does not re-render an unchanged URL). */
async function go(page, hash) {
  await page.goto(`${base}/portal/${hash}`);
  await page.reload();
  await page.waitForSelector('main h1');
}

/* What must never reach a person's screen: the API's codes for actions, roles and states, and
 * the text of a condition that did not apply. */
const RAW = ['dossier.', 'applicant.', '_clerk', '_head', 'ca_officer', 'with_subscriber', 'awaiting_pickup', 'false'];

/* A page as its users see it, at 1280 and at 375 px: nothing to scroll sideways, no raw code in
 * the visible text, every input with a visible label; screenshots of both widths when asked. */
async function inspect(page, name) {
  await atWidths(page, name, async (width) => {
    const [text, unlabelled] = await page.evaluate(() => [document.body.innerText,
      [...document.querySelectorAll('main input:not([type=hidden]), main select')]
        .filter((i) => !i.closest('label') && !(i.id && document.querySelector(`label[for="${i.id}"]`)) &&
          !i.closest('td')).map((i) => i.name)]);
    const raw = RAW.filter((w) => text.includes(w));
    check(`${name} at ${width} px: no raw code on screen`, raw.length === 0,
      raw.map((w) => text.slice(Math.max(0, text.indexOf(w) - 40), text.indexOf(w) + 40)).join(' | '));
    check(`${name}: every input has a visible label`, unlabelled.length === 0, unlabelled.join(', '));
  });
}

/* Submit an action form of the dossier page and wait for every applicant not refused to reach a state. */
async function step(page, action, state, fill) {
  const form = page.locator(`#dossier-actions form[data-action="${action}"]`);
  await form.waitFor();
  if (fill) await fill(form);
  await form.locator('button[type=submit]').click();
  await page.waitForSelector('[data-flash]');
  const flash = await page.textContent('[data-flash]');
  check(`${action}: the portal reports success`, await page.locator('[data-flash=ok]').count() === 1, flash);
  if (state) {
    const all = await page.locator('tr[data-applicant] [data-state]').evaluateAll((els) => els.map((e) => e.dataset.state));
    const states = all.filter((s) => s !== 'refused');
    check(`${action}: every applicant not refused ${state}`, all.length === 3 && states.length >= 2 &&
      states.every((s) => s === state), all.join(','));
  }
}

await run({base, accounts: readAccounts(accountsFile), shots}, async (browser) => {
  /* the CA administrator stocks blank tokens */
  const admin = await session('quantri');
  await go(admin, '#/admin');
  const blankBefore = await admin.locator('tr[data-token-state=blank]').count();
  await admin.fill('#stock input[name=count]', '2');
  await admin.click('#stock button');
  await admin.waitForSelector('[data-flash=ok]');
  check('admin stocks two blank tokens', await admin.locator('tr[data-token-state=blank]').count() === blankBefore + 2);
  /* and the agency's contacts, where its e-mail notices go */
  const contacts = admin.locator('form[data-contacts="BKHCN.VPC"]');
  await contacts.locator('input[name=address]').fill('113 Trần Duy Hưng, Cầu Giấy, Hà Nội');
  await contacts.locator('input[name=email]').fill('vp@most.gov.vn');
  await contacts.locator('input[name=clerk_email]').fill('vanthu@most.gov.vn');
  await contacts.locator('button').click();
  let saved = null;
  for (let i = 0; i < 100 && !(saved && saved.clerk_email); i++) {
    saved = (await admin.evaluate(() => fetch('/api/v1/agencies').then((r) => r.json())))
      .find((a) => a.code === 'BKHCN.VPC');
    if (!saved.clerk_email) await admin.waitForTimeout(50);
  }
  check('admin sets the agency contacts', saved.address === '113 Trần Duy Hưng, Cầu Giấy, Hà Nội' &&
    saved.email === 'vp@most.gov.vn' && saved.clerk_email === 'vanthu@most.gov.vn', JSON.stringify(saved));
  await inspect(admin, 'admin');
  await go(admin, '#/password');
  await inspect(admin, 'password');

  /* the agency clerk prepares the dossier */
  let clerk = await session('vanthu');
  await go(clerk, '#/drafts');
  await inspect(clerk, 'drafts');
  await clerk.fill('#new-draft input[name=title]', 'Đợt tháng 12');
  await clerk.click('#new-draft button');
  await clerk.waitForSelector('#upload-list');
  const draftHash = `#/drafts/${clerk.url().split('#/drafts/')[1]}`;
  /* a list with three bad rows first: every problem is shown at once, and nothing is kept */
  const BAD = CSV.split('\r\n').slice(0, 3).join('\r\n').replace('12/03/1985', '31/02/1985').replace('Phó Vụ trưởng,Công chức,0987654321',
    'Phó Vụ trưởng,Hợp đồng,0987654321') + '\r\n3,Lê Văn C,01/01/1990,001090000003,01/01/2021,CS,c@mic.gov.vn,Vụ A,Hà Tây,CV,Công chức,0912000003,\r\n';
  await clerk.setInputFiles('#upload-list input[type=file]', {name: 'danh-sach-loi.csv', mimeType: 'text/csv', buffer: Buffer.from(BAD)});
  await clerk.click('#upload-list button');
  await clerk.waitForSelector('#list-errors li');
  const shown = await clerk.$$eval('#list-errors li', (lis) => lis.map((li) => [li.dataset.row, li.dataset.code, li.textContent]));
  check('all three problems of the list are shown', shown.length === 3, JSON.stringify(shown));
  check('each at its row, with its code', JSON.stringify(shown.map(([r, c]) => [r, c])) ===
    JSON.stringify([['2', 'mau02.date_invalid'], ['3', 'mau02.category_invalid'], ['4', 'province.unknown']]), JSON.stringify(shown));
  check('in Vietnamese: row, column and message', shown[0][2].startsWith('Dòng 2, Ngày sinh: "31/02/1985" không phải là một ngày có thật')
    && shown[2][2].includes('Tỉnh/thành phố'), shown[0][2]);
  check('the summary is flashed', (await clerk.textContent('#flash')).includes('3 lỗi trong danh sách'), await clerk.textContent('#flash'));
  check('no list is kept', !(await clerk.textContent('#draft-applicants')).match(/^\d/), await clerk.textContent('#draft-applicants'));
  await shot(clerk, 'list-errors');
  await clerk.setInputFiles('#upload-list input[type=file]', {name: 'danh-sach.csv', mimeType: 'text/csv', buffer: Buffer.from(CSV)});
  await clerk.click('#upload-list button');
  await clerk.waitForSelector('[data-flash=ok]');
  check('the list of errors is gone', (await clerk.$('#list-errors')) === null);
  check('the list of three is accepted', (await clerk.textContent('#draft-applicants')).startsWith('3'),
    await clerk.textContent('#flash'));
  await clerk.setInputFiles('#upload-letter input[type=file]', {name: 'công văn đề nghị.pdf', mimeType: 'application/pdf', buffer: Buffer.from(PDF)});
  await clerk.click('#upload-letter button');
  await clerk.waitForSelector('[data-flash]');
  check('the signed letter is attached', (await clerk.textContent('main')).includes('công văn đề nghị.pdf'));
  /* a file that is not what its name says is refused, with a message */
  await clerk.setInputFiles('#upload-letter input[type=file]', {name: 'scan.png', mimeType: 'image/png', buffer: Buffer.from(PDF)});
  await clerk.click('#upload-letter button');
  await clerk.waitForSelector('[data-flash=error]');
  check('a PDF named .png is refused', (await clerk.textContent('[data-flash=error]')).includes('PNG'));
  check('the clerk cannot confirm', await clerk.locator('#confirm').count() === 0);
  await inspect(clerk, 'draft');

  /* the head confirms */
  const head = await session('thutruong');
  await go(head, draftHash);
  /* before confirming, the head sees each person of the list, read as submission will read it,
   * and the link to the letter, both above the confirm button */
  await head.waitForSelector('#draft-rows td.row-name');
  const names = await head.$$eval('#draft-rows td.row-name', (tds) => tds.map((td) => td.textContent));
  const expected = CSV.split(/\r?\n/).slice(1).filter(Boolean).map((line) => line.split(',')[1]);
  check('the head sees each row\'s name before confirming', names.length === 3 &&
    JSON.stringify(names) === JSON.stringify(expected), JSON.stringify([names, expected]));
  check('and each row\'s ID number', (await head.textContent('#draft-rows')).includes(CSV.split(/\r?\n/)[1].split(',')[3]));
  check('the letter can be viewed before confirming', await head.locator('#draft-letter-view a[href$="/letter"]').count() === 1);
  check('the rows come before the confirm button', await head.evaluate(() =>
    !!(document.querySelector('#draft-rows').compareDocumentPosition(document.querySelector('#confirm')) & Node.DOCUMENT_POSITION_FOLLOWING)));
  await inspect(head, 'draft-head');
  await head.click('#confirm');
  await head.waitForSelector('#draft-state[data-state=confirmed]');
  check('the head confirmed', (await head.textContent('main')).includes('Phạm Thị Lan'));

  /* the clerk submits */
  await go(clerk, draftHash);
  await clerk.click('#submit');
  await clerk.waitForSelector('#dossier-state');
  const code = decodeURIComponent(clerk.url().split('#/dossiers/')[1]);
  check('submitted as a dossier', /^[A-Z0-9.]+-\d{6}-\d{4}$/.test(code), code);
  await inspect(clerk, 'dossier-agency');
  check('the agency is shown by its name', (await clerk.textContent('main table.kv')).includes('Vụ Pháp chế (BKHCN.VPC)'),
    await clerk.textContent('main table.kv'));
  /* withdrawing asks first, with a reason; a "no" changes nothing */
  const withdraw = clerk.locator('#dossier-actions form[data-action=withdraw]');
  check('withdrawing asks for a reason, labelled', (await withdraw.locator('label').textContent()).includes('Lý do'));
  await withdraw.locator('input[name=reason]').fill('Nộp nhầm đợt');
  let askedWithdraw = '';
  clerk.once('dialog', (dialog) => { askedWithdraw = dialog.message(); dialog.dismiss(); });
  await withdraw.locator('button[type=submit]').click();
  check('withdrawing asks for confirmation, naming the dossier', askedWithdraw.includes(code), askedWithdraw);
  check('and a "no" leaves the dossier received', await clerk.locator('#dossier-state [data-state=received]').count() === 1);
  await go(clerk, '#/dossiers');
  await inspect(clerk, 'dossiers-agency');
  await go(head, draftHash);
  await inspect(head, 'draft-head-submitted');
  await go(head, '#/drafts');
  await inspect(head, 'drafts-head');

  /* the CA officer: queue, accept, issue, notify pickup */
  let officer = await session('canbo');
  await go(officer, '#/queue');
  check('the dossier is in the queue', await officer.locator(`tr[data-code="${code}"]`).count() === 1);
  /* the queue is sorted by due time, late ones first and marked, then those due today */
  const rows = await officer.locator('tr[data-code]').evaluateAll((els) => els.map((e) => [e.dataset.code, e.className]));
  if (process.env.E2E_LATE) {
    check('the late dossier heads the queue, marked late', rows[0][0] === process.env.E2E_LATE && rows[0][1] === 'late', JSON.stringify(rows));
  }
  if (process.env.E2E_DUE_TODAY) {
    const due = rows.find((r) => r[0] === process.env.E2E_DUE_TODAY);
    check('the dossier due today is marked', due && due[1] === 'due_today', JSON.stringify(rows));
  }
  await inspect(officer, 'queue');
  await go(officer, `#/dossiers/${code}`);

  /* the officer asks for a supplement; the clerk sends a corrected list and a new letter */
  await step(officer, 'supplement', 'pending', async (form) => {
    await form.locator('input[name=reason]').fill(SUPPLEMENT_REASON);
  });
  check('the dossier waits for the supplement', await officer.locator('#dossier-state [data-state=needs_supplement]').count() === 1);
  await go(clerk, `#/dossiers/${code}`);
  check('the clerk sees what to supplement', (await clerk.textContent('main')).includes(SUPPLEMENT_REASON));
  await step(clerk, 'resubmit', 'pending', async (form) => {
    await form.locator('input[name=csv]').setInputFiles({name: 'danh-sach-bo-sung.csv', mimeType: 'text/csv',
      buffer: Buffer.from(CSV.replace('"Vụ Pháp chế, Phòng 2"', `"${SUPPLEMENTED_UNIT}"`))});
    await form.locator('input[name=letter]').setInputFiles({name: 'công văn bổ sung.pdf', mimeType: 'application/pdf', buffer: Buffer.from(PDF)});
  });
  await go(officer, `#/dossiers/${code}`);
  check('the resubmitted dossier is received again', await officer.locator('#dossier-state [data-state=received]').count() === 1);
  await officer.click('tr[data-details="2"] summary');
  check('the new list replaced the old', (await officer.textContent('tr[data-details="2"] dl')).includes(SUPPLEMENTED_UNIT));
  check('the supplement reason stays in the timeline', (await officer.textContent('main')).includes(SUPPLEMENT_REASON));
  await step(officer, 'accept', 'pending');
  check('dossier accepted', await officer.locator('#dossier-state [data-state=accepted]').count() === 1);

  /* the officer's check: each applicant's ID number where the officer looks, and the flags */
  const third = officer.locator('tr[data-applicant="3"]');
  check('the officer sees the ID number', await third.locator('.id-number').isVisible() &&
    (await third.locator('.id-number').textContent()) === REFUSED_ID);
  const cccdFlag = third.locator('li.flag[data-flag=cccd_birth_year]');
  check('and the flag of its digits against the date of birth', await cccdFlag.isVisible() &&
    (await cccdFlag.textContent()).includes('1985'), await third.textContent());
  check('and of the address outside the official domains', await third.locator('li.flag[data-flag=email_domain]').count() === 1);
  check('a clean applicant has no flag', await officer.locator('tr[data-applicant="1"] li.flag').count() === 0);
  await officer.click('tr[data-details="3"] summary');
  const details = await officer.textContent('tr[data-details="3"] dl');
  check('the whole row of the list under it', details.includes('tam.lv@gmail.com') && details.includes('0903111222') &&
    details.includes('01/03/2022') && details.includes('Công chức'), details);
  check('the page fits 1280 px', await fitsWidth(officer));
  await shot(officer, 'dossier-officer-check');
  await officer.setViewportSize({width: 375, height: 812});
  check('the page fits a 375 px phone: nothing to scroll sideways', await fitsWidth(officer),
    String(await officer.evaluate(() => document.documentElement.scrollWidth)));
  check('the flag is still beside the applicant', await cccdFlag.isVisible());
  await shot(officer, 'dossier-officer-375');
  await officer.setViewportSize({width: 1280, height: 860});

  /* the officer refuses the third applicant, with a reason, after confirming */
  const refuseForm = third.locator('form[data-action=refuse]');
  await refuseForm.locator('input[name=reason]').fill(REFUSAL);
  let asked = '';
  officer.once('dialog', (dialog) => { asked = dialog.message(); dialog.dismiss(); });
  await refuseForm.locator('button[type=submit]').click();
  check('refusing asks first, naming the applicant', asked.includes('Lê Văn Tâm'), asked);
  check('and a "no" changes nothing', await third.locator('[data-state=pending]').count() === 1);
  officer.once('dialog', (dialog) => dialog.accept());
  await refuseForm.locator('button[type=submit]').click();
  await officer.waitForSelector('[data-flash]');
  check('the refusal is done', await officer.locator('[data-flash=ok]').count() === 1, await officer.textContent('#flash'));
  check('the third applicant is refused', await officer.locator('tr[data-applicant="3"] [data-state=refused]').count() === 1);
  check('with the reason beside it', (await officer.textContent('tr[data-applicant="3"] .reason')) === REFUSAL);
  check('and nothing more to do for it', await officer.locator('tr[data-applicant="3"] form').count() === 0);
  await step(officer, 'issue', 'issued');
  check('the refused applicant was not issued', await officer.locator('tr[data-applicant="3"] [data-state=refused]').count() === 1);
  await step(officer, 'notify-pickup', 'awaiting_pickup', async (form) => {
    await form.locator('input[name=at]').fill(`${process.env.E2E_PICKUP_DAY}T09:00`);
    await form.locator('input[name=place]').fill('Phòng 201, số 23 Ngụy Như Kon Tum, Hà Nội');
  });
  await shot(officer, 'dossier-officer');
  const notice = await officer.context().newPage();
  await notice.goto(`${base}/api/v1/dossiers/${code}/notice`);
  const noticeText = await notice.textContent('body');
  check('the printable pickup notice names both', noticeText.includes('Nguyễn Thị Thu Hà') && noticeText.includes('Trần Văn Đức'));
  check('and the place', noticeText.includes('Phòng 201'));
  await shot(notice, 'pickup-notice');
  await notice.goto(`${base}/api/v1/dossiers/${code}/receipt`);
  check('the printable receipt slip', (await notice.textContent('h1')).includes('GIẤY TIẾP NHẬN'));
  await shot(notice, 'receipt');

  /* not before the pickup time: the agency's step is refused, and says when */
  await go(clerk, `#/dossiers/${code}`);
  const early = clerk.locator('form[data-action="agency-received"]').first();
  await early.locator('input[name=received_by]').fill('Đỗ Văn Nhận');
  await early.locator('button[type=submit]').click();
  await clerk.waitForSelector('[data-flash]');
  check('collecting before the pickup time is refused, saying when',
    (await clerk.textContent('#flash')).includes('chưa đến giờ hẹn'), await clerk.textContent('#flash'));

  /* the next working day, an hour after the pickup time: the agency collects the tokens; the
   * sessions of the day before have ended, so each person logs in again */
  writeFileSync(process.env.E2E_CLOCK, String(Date.parse(`${process.env.E2E_PICKUP_DAY}T10:00:00+07:00`) / 1000));
  clerk = await session('vanthu');
  await go(clerk, `#/dossiers/${code}`);
  await step(clerk, 'agency-received', 'with_agency', async (form) => {
    await form.locator('input[name=received_by]').fill('Đỗ Văn Nhận');
  });
  await step(clerk, 'handed-over', 'with_subscriber');
  await step(clerk, 'request-activation', 'activation_requested');

  /* the officer publishes */
  officer = await session('canbo');
  await go(officer, `#/dossiers/${code}`);
  await step(officer, 'publish', 'published');
  check('the dossier is completed', await officer.locator('#dossier-state [data-state=completed]').count() === 1);
  await go(officer, '#/queue');
  check('and leaves the queue', await officer.locator(`tr[data-code="${code}"]`).count() === 0);
  await go(officer, `#/dossiers/${code}`);
  await inspect(officer, 'dossier-officer-done');
  const timeline = await officer.locator('tr[data-audit-action]').evaluateAll((els) => els.map((e) => e.textContent));
  check('the timeline speaks words', timeline.length > 5 && timeline.some((x) => x.includes('Cán bộ Cục')) &&
    timeline.some((x) => x.includes('Công bố')), timeline.join(' | '));
  await go(officer, '#/admin');
  await inspect(officer, 'admin-officer');

  /* the officer prints a PIN envelope, once: it opens in a tab of its own, then is gone */
  const envelopeButton = officer.locator('button[data-envelope]').first();
  const envelopeSerial = await envelopeButton.getAttribute('data-envelope');
  officer.once('dialog', (dialog) => dialog.accept());
  const [envelopeTab] = await Promise.all([officer.context().waitForEvent('page'), envelopeButton.click()]);
  await envelopeTab.waitForLoadState();
  check('the envelope page: the national heading and the title',
    (await envelopeTab.textContent('body')).includes('CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM') &&
    (await envelopeTab.textContent('body')).includes('PHONG BÌ MÃ PIN'));
  check('and an 8-digit PIN', /Mã PIN: \d{8}\b/.test(await envelopeTab.textContent('body')));
  await shot(envelopeTab, 'pin-envelope');
  await envelopeTab.close();
  await go(officer, '#/admin');
  check('and it cannot be printed again from the portal',
    await officer.locator(`button[data-envelope="${envelopeSerial}"]`).count() === 0);

  /* token care on the same token: the buttons the custody table offers the officer, in
   * Vietnamese; a PIN reset, confirmed, leaves a new envelope to print */
  const careButtons = officer.locator(`button[data-token-action][data-token="${envelopeSerial}"]`);
  check('token care: the officer is offered reset, lost, broken, returned',
    (await careButtons.allTextContents()).join('|') === 'Đặt lại mã PIN|Báo mất thiết bị|Báo hỏng thiết bị|Thu hồi thiết bị về CA',
    (await careButtons.allTextContents()).join('|'));
  let careDialog = '';
  officer.once('dialog', (dialog) => { careDialog = dialog.message(); dialog.accept(); });
  await officer.click(`button[data-token-action="reset-pin"][data-token="${envelopeSerial}"]`);
  await officer.waitForSelector(`button[data-envelope="${envelopeSerial}"]`);
  check('token care: the reset is confirmed first', careDialog.includes('Mã PIN cũ sẽ không dùng được nữa'), careDialog);
  check('token care: a new PIN envelope waits', await officer.locator(`button[data-envelope="${envelopeSerial}"]`).count() === 1);
  /* a loss asks for its circumstances; an empty answer changes nothing */
  officer.once('dialog', (dialog) => dialog.accept(''));
  await officer.click(`button[data-token-action="lost"][data-token="${envelopeSerial}"]`);
  check('token care: a loss without its circumstances is not sent',
    await officer.locator(`tr[data-token-state=with_subscriber] button[data-token="${envelopeSerial}"]`).count() > 0);

  /* the public directory: both valid, with their effective time */
  const visitor = await (await browser.newContext()).newPage();
  for (const [query, name] of [['nguyen thi thu ha', 'Nguyễn Thị Thu Hà'], ['tran van duc', 'Trần Văn Đức']]) {
    await visitor.goto(`${base}/certs?q=${encodeURIComponent(query)}`);
    const link = visitor.locator('main a[href^="/certs/"]', {hasText: name});
    check(`the directory finds ${name}`, await link.count() === 1);
    await link.click();
    await visitor.waitForSelector('table');
    const page = await visitor.textContent('main');
    check(`${name}: valid`, page.includes('Đang hiệu lực'));
    check(`${name}: effective from the publication`, /Có hiệu lực từ\s*\d{2}\/\d{2}\/\d{4} \d{2}:\d{2}:\d{2}/.test(page));
  }
  await visitor.goto(`${base}/certs?q=${encodeURIComponent('nguyen thi thu ha')}`);
  await shot(visitor, 'directory');

  /* the subscriber's own lookup, without an account: her status only */
  await visitor.goto(`${base}/portal/`);
  await visitor.fill('#lookup input[name=code]', code);
  await visitor.fill('#lookup input[name=id_number]', '001185012345');
  await visitor.click('#lookup button');
  await visitor.waitForSelector('#lookup-result table, #lookup-result .error');
  const mine = await visitor.textContent('#lookup-result');
  check('the subscriber sees her own certificate published, and when',
    (await visitor.locator('#lookup-result [data-state=published]').count()) === 1 &&
    /\d{2}\/\d{2}\/\d{4}/.test(mine), mine);
  check('the lookup shows nothing about the person', !mine.includes('Nguyễn Thị Thu Hà') &&
    !mine.includes('@mic.gov.vn') && !mine.includes('Vụ Pháp chế'), mine);
  await inspect(visitor, 'lookup');
  /* the refused applicant's lookup: refused, and why */
  await visitor.fill('#lookup input[name=id_number]', REFUSED_ID);
  await visitor.click('#lookup button');
  await visitor.waitForSelector('#lookup-result [data-state=refused]');
  check('the refused applicant sees the refusal and its reason', (await visitor.textContent('#lookup-result')).includes(REFUSAL));
  await visitor.fill('#lookup input[name=id_number]', '001185012346');
  await visitor.click('#lookup button');
  await visitor.waitForSelector('#lookup-result .error');
  check('a wrong ID number shows nothing', !(await visitor.textContent('#lookup-result')).includes('Nguyễn'));

  /* the English switch */
  await go(officer, `#/dossiers/${code}`);
  await officer.click('#lang');
  await officer.waitForSelector('text=Published — valid');
  check('the English switch', (await officer.textContent('#logout')) === 'Log out');
  await shot(officer, 'dossier-officer-en');
  await officer.click('#lang');

  /* the auditor verifies the audit chain */
  const auditor = await session('kiemtoan');
  await go(auditor, '#/audit');
  await auditor.click('#verify');
  await auditor.waitForSelector('#audit-result [data-ok]');
  check('the audit chain verifies', await auditor.getAttribute('#audit-result [data-ok]', 'data-ok') === 'true');
  await inspect(auditor, 'audit');
  await go(auditor, '#/dossiers');
  await inspect(auditor, 'dossiers');
});
