// lists.mjs — Mẫu 02 lists kept in Excel, through the portal in headless Chromium: an agency
// clerk opens a draft, finds the template links, uploads an .xlsx list with three bad rows (every
// problem is shown, by row and column, and nothing is kept), then a clean one (the draft holds
// its applicants as read from the workbook); then adds a person and edits another with the
// page's small list form and sends the list (the draft holds the changed list). The draft page
// is looked at 1280 and 375 px wide: nothing to scroll sideways.
//
//   node lists.mjs BASE_URL ACCOUNTS_FILE BAD.xlsx GOOD.xlsx [SCREENSHOT_DIR]
//
// Exits non-zero on the first failed check, naming it.
import {readFileSync} from 'node:fs';
import {atWidths, check, readAccounts, run, session} from './lib.mjs';

const [base, accountsFile, badFile, goodFile, shots] = process.argv.slice(2);
const XLSX = 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet';

/* The draft's list as the server reads it now: names in order. */
async function draftNames(page, id) {
  return page.evaluate(async (id) => {
    const r = await fetch(`/api/v1/drafts/${id}/rows`, {credentials: 'same-origin'});
    return (await r.json()).rows.map((x) => x.full_name);
  }, id);
}

await run({base, accounts: readAccounts(accountsFile), shots}, async () => {
  const page = await session('vanthu');
  await page.goto(`${base}/portal/#/drafts`);
  await page.waitForSelector('#new-draft');
  await page.fill('#new-draft input[name=title]', 'Đợt Excel');
  await page.click('#new-draft button');
  await page.waitForSelector('#upload-list');
  const id = page.url().split('#/drafts/')[1];

  /* the templates are linked from the page, and the workbook one downloads */
  check('the page links the .xlsx template', await page.getAttribute('#template-xlsx', 'href') === '/forms/mau02.xlsx');
  check('and the CSV one', await page.getAttribute('#template-csv', 'href') === '/forms/mau02.csv');
  const template = await page.evaluate(async () => {
    const r = await fetch('/forms/mau02.xlsx');
    const b = new Uint8Array(await r.arrayBuffer());
    return [r.status, r.headers.get('content-type'), String.fromCharCode(b[0], b[1])];
  });
  check('the .xlsx template downloads as a workbook', template[0] === 200 && template[1] === XLSX && template[2] === 'PK', template.join(' '));
  check('the file input takes .xlsx', (await page.getAttribute('#upload-list input[type=file]', 'accept')).includes('.xlsx'));

  /* a workbook with three bad rows: all three shown, nothing kept */
  await page.setInputFiles('#upload-list input[type=file]', {name: 'danh-sach-loi.xlsx', mimeType: XLSX, buffer: readFileSync(badFile)});
  await page.click('#upload-list button');
  await page.waitForSelector('#list-errors');
  const problems = await page.locator('#list-errors li').evaluateAll((els) => els.map((e) => `${e.dataset.row}:${e.dataset.code}`));
  check('all three problems shown', problems.join(' ') === '3:mau02.date_invalid 5:mau02.category_invalid 6:mau02.id_invalid', problems.join(' '));
  const first = await page.textContent('#list-errors li');
  check('each names its row and column', first.includes('Dòng 3') && first.includes('Ngày sinh'), first);
  check('the count is in the heading', (await page.textContent('#list-errors h2')).includes('(3)'));
  await atWidths(page, 'lists-errors');
  check('nothing kept', (await page.textContent('#draft-applicants')).trim() === '—');

  /* the clean workbook goes through */
  await page.setInputFiles('#upload-list input[type=file]', {name: 'danh-sach.xlsx', mimeType: XLSX, buffer: readFileSync(goodFile)});
  await page.click('#upload-list button');
  await page.waitForSelector('[data-flash=ok]');
  await page.waitForSelector('#draft-rows');
  check('the draft holds two applicants', (await page.textContent('#draft-applicants')).startsWith('2'));
  const shown = await page.locator('#draft-rows td.row-name').allTextContents();
  check('the rows read from the workbook', shown.join('|') === 'Nguyễn Thị Thu Hà|Trần Văn Đức', shown.join('|'));
  check('the ID keeps its leading zero', (await page.textContent('#draft-rows')).includes('001185012345'));

  /* the small list form: the draft's rows are there; add one, edit one, send */
  await page.click('#row-editor summary');
  await page.waitForSelector('#editor-rows .editor-table');
  check('the form starts from the draft\'s rows', await page.locator('#editor-rows .editor-table tr[data-person]').count() === 2);
  const form = page.locator('#editor-form');
  await form.locator('input[name=full_name]').fill('Lê Thị Mai');
  await form.locator('input[name=birth_date]').fill('1990-06-05');
  await form.locator('input[name=id_number]').fill('001190000007');
  await form.locator('input[name=id_issued_on]').fill('2021-10-31');
  await form.locator('input[name=id_issued_at]').fill('Cục Cảnh sát QLHC về TTXH');
  await form.locator('input[name=email]').fill('mai.lt@mic.gov.vn');
  await form.locator('input[name=unit]').fill('Vụ Pháp chế');
  await form.locator('input[name=province]').fill('Đà Nẵng');
  await form.locator('input[name=position]').fill('Chuyên viên');
  await form.locator('select[name=category]').selectOption('vien_chuc');
  await form.locator('input[name=phone]').fill('0987000007');
  await form.locator('#editor-add').click();
  check('a person added', await page.locator('#editor-rows .editor-table tr[data-person]').count() === 3);
  await page.click('#editor-rows .editor-table button[data-edit="2"]');
  check('the form holds the person to edit', await form.locator('input[name=full_name]').inputValue() === 'Trần Văn Đức');
  await form.locator('input[name=full_name]').fill('Trần Văn Đức Anh');
  await form.locator('#editor-add').click();
  const edited = await page.locator('#editor-rows .editor-table td.row-name').allTextContents();
  check('the person edited in place', edited.join('|') === 'Nguyễn Thị Thu Hà|Trần Văn Đức Anh|Lê Thị Mai', edited.join('|'));
  await atWidths(page, 'lists-editor');
  await page.click('#editor-send');
  await page.waitForSelector('[data-flash=ok]');
  const names = await draftNames(page, id);
  check('the draft holds the list made on the page', names.join('|') === 'Nguyễn Thị Thu Hà|Trần Văn Đức Anh|Lê Thị Mai', names.join('|'));

  /* a bad row made on the page is refused with its problem, and the list stays */
  await page.click('#row-editor summary');
  await page.waitForSelector('#editor-rows .editor-table');
  await page.click('#editor-rows .editor-table button[data-edit="3"]');
  await form.locator('input[name=phone]').fill('0243 825 1234');
  await form.locator('#editor-add').click();
  await page.click('#editor-send');
  await page.waitForSelector('#editor-errors #list-errors');
  const refused = await page.locator('#editor-errors li').evaluateAll((els) => els.map((e) => `${e.dataset.row}:${e.dataset.code}`));
  check('the form\'s bad row is named', refused.join(' ') === '3:mau02.phone_invalid', refused.join(' '));
  check('the list stays as it was', (await draftNames(page, id)).length === 3);
  await page.click('#editor-rows .editor-table button[data-remove="3"]');
  check('a person removed', await page.locator('#editor-rows .editor-table tr[data-person]').count() === 2);
});
