/*
 * portal.js — the portal of procedure 1.010847 for the agencies and the CA, in the browser.
 *
 * One page, routed by the URL's hash (#/dossiers/CODE), built with the DOM (never innerHTML
 * with data, so nothing from the server can become markup). Every action is one call of the
 * JSON API under /api/v1/ (docs/api.md); the server checks the role and the agency of each, the
 * portal only hides what a role cannot do. Vietnamese by default; the English switch is kept in
 * the browser (localStorage).
 */
'use strict';

/* ---- words ---- */

const WORDS = {
  vi: {
    brand: 'Cổng dịch vụ chứng thư số', footer: 'Thủ tục 1.010847 — Cấp mới chứng thư số cho cá nhân',
    public_site: 'Trang công khai', switch_lang: 'English', logout: 'Đăng xuất',
    login: 'Đăng nhập', username: 'Tên đăng nhập', password: 'Mật khẩu',
    lookup: 'Người đề nghị tra cứu hồ sơ của mình', lookup_hint: 'Không cần tài khoản: nhập mã hồ sơ (trên giấy tiếp nhận) và số định danh của mình.',
    id_number: 'Số CCCD/CMND/Hộ chiếu', find: 'Tra cứu',
    nav_drafts: 'Lập hồ sơ', nav_dossiers: 'Hồ sơ', nav_queue: 'Hàng chờ xử lý',
    nav_admin: 'Quản trị', nav_audit: 'Kiểm tra', nav_reports: 'Báo cáo', nav_password: 'Đổi mật khẩu',
    drafts: 'Hồ sơ đang lập (bản nháp)', new_draft: 'Lập hồ sơ mới', title: 'Tên đợt đề nghị',
    create: 'Tạo', draft: 'Bản nháp', state: 'Trạng thái', applicants: 'Người đề nghị',
    letter: 'Văn bản đề nghị đã ký', list: 'Danh sách (Mẫu 02)', open: 'Mở',
    upload_list: 'Tải danh sách lên (Excel .xlsx hoặc CSV)', list_errors: 'Lỗi trong danh sách', row: 'Dòng',
    templates: 'Mẫu danh sách để điền:', template_xlsx: 'Excel (.xlsx)', template_csv: 'CSV (UTF-8)',
    editor: 'Lập danh sách ngay trên trang (tối đa 20 người)',
    editor_hint: 'Thêm, sửa, xóa từng người rồi gửi danh sách; danh sách gửi đi thay danh sách cũ và được kiểm tra như tệp tải lên.',
    editor_too_long: 'Danh sách hiện có hơn 20 người: hãy sửa trong tệp Excel rồi tải lên lại.',
    add_row: 'Thêm người', update_row: 'Lưu thay đổi', edit: 'Sửa', remove: 'Xóa', cancel: 'Hủy',
    send_list: 'Gửi danh sách', id_issued_on: 'Ngày cấp', id_issued_at: 'Nơi cấp',
    editor_empty: 'Chưa có ai trong danh sách.',
    more_errors: 'lỗi khác chưa hiện', upload_letter: 'Tải văn bản đề nghị (PDF, JPEG, PNG) lên',
    upload: 'Tải lên', confirm: 'Thủ trưởng xác nhận', submit: 'Nộp hồ sơ trực tuyến',
    delete: 'Xóa bản nháp', confirmed_by: 'Xác nhận của thủ trưởng', none: '—',
    draft_open: 'đang lập', draft_confirmed: 'đã xác nhận', draft_submitted: 'đã nộp',
    submitted_as: 'Đã nộp thành hồ sơ', view_letter: 'Xem văn bản',
    draft_rows: 'Những người được đề nghị cấp', draft_rows_hint: 'Đây là danh sách sẽ được nộp, đọc đúng như khi nộp. Thủ trưởng xem từng người và văn bản đề nghị trước khi xác nhận.',
    next_upload: 'Tiếp theo: tải lên danh sách người đề nghị (Mẫu 02, Excel hoặc CSV) và văn bản đề nghị đã ký.',
    next_confirm: 'Tiếp theo: thủ trưởng cơ quan xem và xác nhận. Sửa danh sách hoặc văn bản sau khi xác nhận thì phải xác nhận lại.',
    next_submit: 'Đã được xác nhận. Tiếp theo: nộp hồ sơ trực tuyến cho Cục.',
    dossiers: 'Hồ sơ', code: 'Mã hồ sơ', agency: 'Cơ quan', channel: 'Cách nộp',
    received_at: 'Tiếp nhận lúc', due: 'Hạn bước 2', deadline: 'Tiến độ',
    queue: 'Hàng chờ xử lý — theo hạn giải quyết', only_open: 'Chỉ hồ sơ đang giải quyết',
    full_name: 'Họ và tên', unit: 'Đơn vị', position: 'Chức vụ', cert_serial: 'Số sê-ri chứng thư số',
    token: 'Thiết bị', pickup: 'Nhận thiết bị', effective: 'Hiệu lực từ', due4: 'Hạn công bố',
    timeline: 'Diễn biến', at: 'Lúc', actor: 'Người thực hiện', action: 'Thao tác',
    papers: 'In giấy tờ', paper_receipt: 'Giấy tiếp nhận hồ sơ', paper_pickup: 'Thông báo nhận thiết bị',
    paper_supplement: 'Phiếu yêu cầu bổ sung', paper_refusal: 'Phiếu từ chối',
    paper_handover: 'Biên bản bàn giao (Cục → cơ quan)', paper_mau02: 'Mẫu 02 (danh sách)',
    paper_mau01: 'Mẫu 01', paper_handover_subscriber: 'Biên bản bàn giao cho người được cấp',
    papers_each: 'Giấy tờ của từng người',
    reason: 'Lý do', place: 'Địa điểm nhận', pickup_at: 'Thời gian nhận',
    effective_at: 'Thời điểm có hiệu lực đề nghị (để trống: ngay khi công bố)',
    all: 'tất cả', for_applicant: 'Người đề nghị số', done: 'Đã xong.',
    agencies: 'Cơ quan', users: 'Tài khoản', tokens: 'Kho thiết bị', holidays: 'Ngày nghỉ lễ, Tết',
    add: 'Thêm', disable: 'Khóa', disabled: 'đã khóa', role: 'Vai trò', display_name: 'Họ tên',
    name: 'Tên', agency_code: 'Mã cơ quan', parent: 'Cơ quan cấp trên', province: 'Tỉnh, thành phố', head_name: 'Thủ trưởng',
    head_title: 'Chức vụ thủ trưởng', kind: 'Loại', stock: 'Nhập thiết bị trắng vào kho',
    count: 'Số lượng', serial: 'Số sê-ri', label: 'Nhãn', year: 'Năm', date: 'Ngày',
    audit: 'Kiểm tra nhật ký', verify: 'Kiểm tra chuỗi nhật ký', audit_ok: 'Nhật ký nguyên vẹn',
    audit_bad: 'Nhật ký bị sửa từ dòng', rows: 'dòng', old_password: 'Mật khẩu hiện tại',
    new_password: 'Mật khẩu mới (ít nhất 10 ký tự)', save: 'Lưu', loading: 'Đang tải…',
    nothing: 'Không có gì ở đây.', holiday_note: 'Dữ liệu ngày nghỉ lấy từ các tệp data/holidays/NĂM.txt của hệ thống.',
    row_details: 'Thông tin trong danh sách (Mẫu 02)', birth_date: 'Ngày sinh', id_issued: 'Cấp ngày, nơi cấp',
    email: 'Thư điện tử', phone: 'Điện thoại', category: 'Ngạch/Vị trí', previous_serial: 'Số hiệu chứng thư số cũ',
    contacts: 'Liên hệ (nhận thư thông báo)', address: 'Địa chỉ', clerk_email: 'Thư điện tử văn thư',
    head_email: 'Thư điện tử thủ trưởng',
    born: 'sinh', flags: 'Cần kiểm tra', email_domains: 'Tên miền thư điện tử công vụ',
    email_domains_hint: 'vd. bnv.gov.vn, mic.gov.vn; để trống: không kiểm tra',
    confirm_refuse: 'Từ chối cấp chứng thư số cho người đề nghị số {n} ({name})? Những người khác vẫn được xử lý tiếp.',
    confirm_withdraw: 'Rút hồ sơ {code}? Hồ sơ đã rút không xử lý tiếp được nữa.',
    withdraw_reason: 'Lý do rút hồ sơ', other_action: 'Thao tác khác',
    new_list: 'Danh sách mới (Mẫu 02, CSV; để trống: giữ danh sách cũ)', new_letter: 'Văn bản đề nghị mới (để trống: giữ văn bản cũ)',
    envelope: 'Phong bì mã PIN', print_envelope: 'In phong bì mã PIN', envelope_printed: 'Đã mở phong bì mã PIN để in; máy chủ không còn giữ mã PIN.',
    confirm_envelope: 'In phong bì mã PIN của thiết bị {serial}? Chỉ in được một lần: sau đó mã PIN không còn lưu ở đâu.',
    token_care: 'Xử lý thiết bị',
    care_confirm: {
      'reset-pin': 'Đặt lại mã PIN của thiết bị {serial}? Mã PIN cũ sẽ không dùng được nữa; phong bì mã PIN mới chờ in.',
      broken: 'Ghi nhận thiết bị {serial} bị hỏng? Chứng thư số trên thiết bị sẽ bị thu hồi (chấm dứt hoạt động).',
      returned: 'Ghi nhận thiết bị {serial} đã thu về CA? Chứng thư số còn hiệu lực sẽ bị thu hồi (chấm dứt hoạt động).',
      destroy: 'Tiêu hủy thiết bị {serial}? Dữ liệu trên thiết bị sẽ bị xóa; không thể hoàn tác.',
    },
    care_lost_reason: 'Báo mất thiết bị {serial}: chứng thư số sẽ bị thu hồi (lộ khóa). Ghi rõ thời gian, địa điểm, hoàn cảnh mất:',
    care_reset_done: 'Đã đặt lại mã PIN; in phong bì mã PIN mới cho người dùng.',
    received_by: 'Họ tên người của cơ quan nhận thiết bị', handed_to: 'Người nhận thiết bị (để trống: chính người được cấp)',
    kinds: {state: 'Cơ quan nhà nước', party: 'Cơ quan của Đảng'},
    token_states: {blank: 'Trắng (trong kho)', provisioned: 'Đã nạp chứng thư', with_agency: 'Cơ quan đã nhận',
      with_subscriber: 'Người dùng đang giữ', damaged: 'Hỏng', wiped: 'Đã xóa trắng', revoked: 'Chứng thư đã thu hồi',
      lost: 'Bị mất', returned: 'Đã thu về CA', destroyed: 'Đã tiêu hủy'},
    audit_actions: {
      'dossier.submit': 'Nộp hồ sơ', 'dossier.complete': 'Hoàn thành hồ sơ', 'draft.submit': 'Nộp hồ sơ trực tuyến',
      'cert.reserve': 'Giữ số sê-ri chứng thư số', 'cert.issue': 'Ký chứng thư số', 'token.provision': 'Nạp thiết bị',
      'token.damaged': 'Thiết bị hỏng', 'token.wipe': 'Xóa trắng thiết bị', 'token.stock': 'Nhập thiết bị vào kho',
      'token.reset_pin': 'Đặt lại mã PIN', 'token.lost': 'Báo mất thiết bị', 'token.broken': 'Báo hỏng thiết bị',
      'token.returned': 'Thu thiết bị về CA', 'token.destroy': 'Tiêu hủy thiết bị', 'token.cert_revoked': 'Thiết bị mang chứng thư đã thu hồi',
      'mail.queue': 'Xếp thư thông báo', 'mail.sent': 'Đã gửi thư thông báo', 'mail.deferred': 'Gửi thư chưa được, sẽ gửi lại',
      'mail.failed': 'Gửi thư thất bại', 'mail.retry': 'Gửi lại thư thông báo', 'agency.contacts': 'Sửa liên hệ của cơ quan',
    },
    categories: {can_bo: 'Cán bộ', cong_chuc: 'Công chức', vien_chuc: 'Viên chức'},
    states: {
      received: 'Đã tiếp nhận', needs_supplement: 'Cần bổ sung', accepted: 'Đã chấp nhận',
      rejected: 'Từ chối', withdrawn: 'Đã rút', completed: 'Đã hoàn thành', pending: 'Chờ cấp', issued: 'Đã cấp (tạm dừng)',
      awaiting_pickup: 'Chờ nhận thiết bị', with_agency: 'Cơ quan đã nhận thiết bị',
      with_subscriber: 'Đã giao cho người dùng', activation_requested: 'Đã đề nghị hiệu lực',
      published: 'Đã công bố — có hiệu lực', cancelled: 'Đã hủy', refused: 'Bị từ chối',
      on_time: 'đúng hạn', due_today: 'đến hạn hôm nay', late: 'quá hạn', paused: 'tạm dừng', none: '—',
      online: 'Trực tuyến', direct: 'Trực tiếp', postal: 'Bưu chính',
    },
    actions: {
      accept: 'Tiếp nhận hợp lệ', reject: 'Từ chối', supplement: 'Yêu cầu bổ sung',
      resubmit: 'Nộp lại sau bổ sung', withdraw: 'Rút hồ sơ', issue: 'Cấp chứng thư số và thiết bị',
      'notify-pickup': 'Thông báo nhận thiết bị', 'agency-received': 'Ghi nhận đã nhận thiết bị',
      'handed-over': 'Ghi nhận đã giao cho người dùng', 'request-activation': 'Đề nghị thời điểm có hiệu lực',
      publish: 'Công bố chứng thư số', cancel: 'Hủy', refuse: 'Từ chối cấp cho người này',
      'reset-pin': 'Đặt lại mã PIN',
    },
    roles: {
      agency_clerk: 'Văn thư cơ quan', agency_head: 'Thủ trưởng cơ quan', ca_officer: 'Cán bộ Cục',
      ca_admin: 'Quản trị Cục', auditor: 'Kiểm toán',
    },
  },
  en: {
    brand: 'Digital certificate service portal', footer: 'Procedure 1.010847 — issuing a new digital certificate to an individual',
    public_site: 'Public site', switch_lang: 'Tiếng Việt', logout: 'Log out',
    login: 'Log in', username: 'User name', password: 'Password',
    lookup: 'Applicants: look up your own dossier', lookup_hint: 'No account needed: enter the dossier code (on the receipt slip) and your ID number.',
    id_number: 'ID card / passport number', find: 'Look up',
    nav_drafts: 'Prepare', nav_dossiers: 'Dossiers', nav_queue: 'Work queue',
    nav_admin: 'Administration', nav_audit: 'Audit', nav_reports: 'Reports', nav_password: 'Password',
    drafts: 'Dossiers being prepared (drafts)', new_draft: 'New dossier', title: 'Batch title',
    create: 'Create', draft: 'Draft', state: 'State', applicants: 'Applicants',
    letter: 'Signed request letter', list: 'List (Form 02)', open: 'Open',
    upload_list: 'Upload the list (Excel .xlsx or CSV)', list_errors: 'Errors in the list', row: 'Row',
    templates: 'List templates to fill in:', template_xlsx: 'Excel (.xlsx)', template_csv: 'CSV (UTF-8)',
    editor: 'Make the list on this page (up to 20 people)',
    editor_hint: 'Add, edit and remove people, then send the list; it replaces the list the draft has and is checked as an uploaded file is.',
    editor_too_long: 'The list has more than 20 people: edit it in the Excel file and upload it again.',
    add_row: 'Add person', update_row: 'Save changes', edit: 'Edit', remove: 'Remove', cancel: 'Cancel',
    send_list: 'Send the list', id_issued_on: 'Issued on', id_issued_at: 'Issued by',
    editor_empty: 'Nobody in the list yet.',
    more_errors: 'more errors not shown', upload_letter: 'Upload the request letter (PDF, JPEG, PNG)',
    upload: 'Upload', confirm: 'Head confirms', submit: 'Submit online',
    delete: 'Delete draft', confirmed_by: "Head's confirmation", none: '—',
    draft_open: 'being prepared', draft_confirmed: 'confirmed', draft_submitted: 'submitted',
    submitted_as: 'Submitted as dossier', view_letter: 'View letter',
    draft_rows: 'The people the request is for', draft_rows_hint: 'This is the list that will be submitted, read exactly as submission reads it. The head reviews each person and the request letter before confirming.',
    next_upload: 'Next: upload the list of applicants (Form 02, Excel or CSV) and the signed request letter.',
    next_confirm: 'Next: the agency head reviews and confirms. Changing the list or letter afterwards needs a new confirmation.',
    next_submit: 'Confirmed. Next: submit the dossier online to the CA.',
    dossiers: 'Dossiers', code: 'Dossier code', agency: 'Agency', channel: 'Channel',
    received_at: 'Received', due: 'Step-2 due', deadline: 'Deadline',
    queue: 'Work queue — by due time', only_open: 'Open dossiers only',
    full_name: 'Full name', unit: 'Unit', position: 'Position', cert_serial: 'Certificate serial',
    token: 'Token', pickup: 'Pickup', effective: 'Effective from', due4: 'Publication due',
    timeline: 'Timeline', at: 'At', actor: 'By', action: 'Action',
    papers: 'Print papers', paper_receipt: 'Receipt slip', paper_pickup: 'Pickup notice',
    paper_supplement: 'Supplement request', paper_refusal: 'Refusal',
    paper_handover: 'Hand-over minutes (CA → agency)', paper_mau02: 'Form 02 (the list)',
    paper_mau01: 'Form 01', paper_handover_subscriber: 'Hand-over minutes to the holder',
    papers_each: "Each applicant's papers",
    reason: 'Reason', place: 'Pickup place', pickup_at: 'Pickup time',
    effective_at: 'Requested effective time (empty: on publication)',
    all: 'all', for_applicant: 'Applicant no.', done: 'Done.',
    agencies: 'Agencies', users: 'Accounts', tokens: 'Token stock', holidays: 'Public holidays',
    add: 'Add', disable: 'Disable', disabled: 'disabled', role: 'Role', display_name: 'Name',
    name: 'Name', agency_code: 'Agency code', parent: 'Parent body', province: 'Province', head_name: 'Head',
    head_title: "Head's title", kind: 'Kind', stock: 'Add blank tokens to stock',
    count: 'Count', serial: 'Serial', label: 'Label', year: 'Year', date: 'Date',
    audit: 'Audit trail', verify: 'Verify the audit chain', audit_ok: 'The audit trail is intact',
    audit_bad: 'The audit trail was altered from row', rows: 'rows', old_password: 'Current password',
    new_password: 'New password (10 characters or more)', save: 'Save', loading: 'Loading…',
    nothing: 'Nothing here.', holiday_note: "Holiday data comes from the instance's data/holidays/YEAR.txt files.",
    row_details: 'As in the list (Form 02)', birth_date: 'Date of birth', id_issued: 'Issued on, by',
    email: 'E-mail', phone: 'Phone', category: 'Category', previous_serial: 'Previous certificate serial',
    contacts: 'Contacts (e-mail notices)', address: 'Address', clerk_email: "Clerk's e-mail",
    head_email: "Head's e-mail",
    born: 'born', flags: 'To check', email_domains: 'Official e-mail domains',
    email_domains_hint: 'e.g. bnv.gov.vn, mic.gov.vn; empty: no check',
    confirm_refuse: 'Refuse applicant no. {n} ({name})? The others go on.',
    confirm_withdraw: 'Withdraw dossier {code}? A withdrawn dossier cannot be taken up again.',
    withdraw_reason: 'Reason for withdrawing', other_action: 'Other action',
    new_list: 'New list (Mẫu 02, CSV; empty: keep the list)', new_letter: 'New request letter (empty: keep the letter)',
    envelope: 'PIN envelope', print_envelope: 'Print the PIN envelope', envelope_printed: 'The PIN envelope is open for printing; the server no longer keeps the PIN.',
    confirm_envelope: 'Print the PIN envelope of token {serial}? It prints once only: the PIN is kept nowhere afterwards.',
    token_care: 'Token care',
    care_confirm: {
      'reset-pin': 'Reset the PIN of token {serial}? The old PIN stops working; a new PIN envelope waits to be printed.',
      broken: 'Record token {serial} as broken? Its certificate is revoked (cessation of operation).',
      returned: 'Record token {serial} as back at the CA? A certificate still valid is revoked (cessation of operation).',
      destroy: 'Destroy token {serial}? What it holds is wiped; this cannot be undone.',
    },
    care_lost_reason: 'Report token {serial} lost: its certificate is revoked (key compromise). When, where and how was it lost?',
    care_reset_done: 'The PIN is reset; print the new PIN envelope for the holder.',
    received_by: "Full name of the agency's person who collected the tokens", handed_to: 'Received by (empty: the holder)',
    kinds: {state: 'State body', party: 'Party body'},
    token_states: {blank: 'Blank (in stock)', provisioned: 'Certificate loaded', with_agency: 'With the agency',
      with_subscriber: 'With the subscriber', damaged: 'Damaged', wiped: 'Wiped', revoked: 'Certificate revoked',
      lost: 'Lost', returned: 'Returned to the CA', destroyed: 'Destroyed'},
    audit_actions: {
      'dossier.submit': 'Dossier submitted', 'dossier.complete': 'Dossier completed', 'draft.submit': 'Submitted online',
      'cert.reserve': 'Certificate serial reserved', 'cert.issue': 'Certificate signed', 'token.provision': 'Token loaded',
      'token.damaged': 'Token damaged', 'token.wipe': 'Token wiped', 'token.stock': 'Tokens stocked',
      'token.reset_pin': 'PIN reset', 'token.lost': 'Token reported lost', 'token.broken': 'Token reported broken',
      'token.returned': 'Token returned to the CA', 'token.destroy': 'Token destroyed', 'token.cert_revoked': "Token's certificate revoked",
      'mail.queue': 'Notice queued', 'mail.sent': 'Notice sent', 'mail.deferred': 'Notice not sent yet, to retry',
      'mail.failed': 'Notice failed', 'mail.retry': 'Notice queued again', 'agency.contacts': 'Agency contacts changed',
    },
    categories: {can_bo: 'Elected official', cong_chuc: 'Civil servant', vien_chuc: 'Public employee'},
    states: {
      received: 'Received', needs_supplement: 'Needs supplement', accepted: 'Accepted',
      rejected: 'Rejected', withdrawn: 'Withdrawn', completed: 'Completed', pending: 'Pending', issued: 'Issued (on hold)',
      awaiting_pickup: 'Awaiting pickup', with_agency: 'With the agency',
      with_subscriber: 'With the subscriber', activation_requested: 'Activation requested',
      published: 'Published — valid', cancelled: 'Cancelled', refused: 'Refused',
      on_time: 'on time', due_today: 'due today', late: 'late', paused: 'paused', none: '—',
      online: 'Online', direct: 'In person', postal: 'By post',
    },
    actions: {
      accept: 'Accept as valid', reject: 'Reject', supplement: 'Ask for supplement',
      resubmit: 'Resubmit', withdraw: 'Withdraw', issue: 'Issue certificates and tokens',
      'notify-pickup': 'Notify pickup', 'agency-received': 'Record tokens received',
      'handed-over': 'Record handed over', 'request-activation': 'Request the effective time',
      publish: 'Publish the certificates', cancel: 'Cancel', refuse: 'Refuse this applicant',
      'reset-pin': 'Reset the PIN',
    },
    roles: {
      agency_clerk: 'Agency clerk', agency_head: 'Agency head', ca_officer: 'CA officer',
      ca_admin: 'CA administrator', auditor: 'Auditor',
    },
  },
};

let lang = localStorage.getItem('chungthu.lang') === 'en' ? 'en' : 'vi';
let me = null; /* the session: {username, display_name, role, agency} */

function t(key) {
  /* web/approvals.js, web/certs.js, web/requests.js */
  return WORDS[lang][key] ?? APPROVAL_WORDS[lang][key] ?? CERT_WORDS[lang][key] ?? REQUEST_WORDS[lang][key] ?? key;
}
function stateName(s) {
  return WORDS[lang].states[s] ?? s;
}
/* An action's label: the server's (with the action, from the transition table's own words),
 * else the portal's. */
const serverLabels = {};
function actionName(a) {
  return serverLabels[a]?.[lang] ?? WORDS[lang].actions[a] ?? a;
}
/* A record's state in words: the server's label when it sends one ({vi, en}), else the
 * portal's. */
function stateOf(record) {
  return record.state_label?.[lang] ?? stateName(record.state);
}
/* A role in words; an unknown one as it is (never expected). */
function roleName(r) {
  return WORDS[lang].roles[r] ?? r;
}
/* An audit row's action in words: the portal's own for the records' housekeeping, the
 * procedure's label for a step of a dossier or an applicant ("dossier.accept", "applicant.issue"),
 * a neutral word for anything else (the code stays in the row's title). */
function auditActionName(code) {
  const own = WORDS[lang].audit_actions[code];
  if (own) return own;
  const step = /^(dossier|applicant)\.(.+)$/.exec(code || '');
  if (step && (serverLabels[step[2]] || WORDS[lang].actions[step[2]])) return actionName(step[2]);
  return t('other_action');
}
/* The agencies' names by code, read once per page load (GET agencies is open to every role). */
let agencyNames = null;
async function loadAgencyNames() {
  if (agencyNames) return;
  try {
    const list = await api('GET', 'agencies');
    agencyNames = Object.fromEntries(list.map((a) => [a.code, a.name]));
  } catch {
    agencyNames = {};
  }
}
/* An agency by its name, its code beside it in small type. */
function agencyCell(code) {
  const name = agencyNames?.[code];
  return name ? [name, ' ', h('span', {class: 'muted code'}, `(${code})`)] : code;
}

/* ---- DOM ---- */

/* h('a', {href: '#/'}, 'text', child, …): an element; strings become text nodes; false, null
 * and undefined children are skipped. */
function h(tag, attrs, ...children) {
  const el = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs || {})) {
    if (v === null || v === undefined || v === false) continue;
    if (k.startsWith('on')) el.addEventListener(k.slice(2), v);
    else if (k === 'class') el.className = v;
    else el.setAttribute(k, v === true ? '' : v);
  }
  /* conditional children (`cond && node`) that did not apply are false: they leave nothing,
   * at any depth of nested arrays */
  for (const c of children.flat(Infinity)) {
    if (c === null || c === undefined || c === false) continue;
    el.append(c instanceof Node ? c : document.createTextNode(String(c)));
  }
  return el;
}

/* The page's content; like h(), a condition that did not apply (false, null) leaves nothing
 * (replaceChildren would write it as the text "false"). */
function show(...nodes) {
  const main = document.getElementById('main');
  main.replaceChildren(...nodes.flat(Infinity).filter((c) => c !== null && c !== undefined && c !== false));
}

function flash(kind, text) {
  const box = document.getElementById('flash');
  box.replaceChildren(text ? h('div', {class: kind, 'data-flash': kind}, text) : '');
}

/* "2026-12-02T01:44:36Z" → "02/12/2026 08:44" (Vietnam time, UTC+7) */
function vnTime(iso) {
  if (!iso) return t('none');
  const d = new Date(Date.parse(iso) + 7 * 3600 * 1000);
  const p = (n) => String(n).padStart(2, '0');
  return `${p(d.getUTCDate())}/${p(d.getUTCMonth() + 1)}/${d.getUTCFullYear()} ${p(d.getUTCHours())}:${p(d.getUTCMinutes())}`;
}

/* "1985-03-12" → "12/03/1985" */
function vnDate(day) {
  const m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(day || '');
  return m ? `${m[3]}/${m[2]}/${m[1]}` : day || t('none');
}

function badge(value, cls, text) {
  return h('span', {class: `badge ${cls || value}`, 'data-state': value}, text || stateName(value));
}
/* A record's state as a badge, in the server's words when it sends them. */
function stateBadge(record) {
  return badge(record.state, null, stateOf(record));
}

/* An input with its visible label above it (a field of an inline form). */
function labelled(text, input) {
  return h('label', {class: 'field'}, h('span', {}, text), input);
}

/* ---- the API ---- */

class ApiError extends Error {
  constructor(status, body) {
    super((lang === 'en' ? body.message_en : body.message_vi) || body.message || `HTTP ${status}`);
    this.status = status;
    this.code = body.code;
    /* a refused list: every problem (row, column, code, messages) and how many in all */
    this.errors = Array.isArray(body.errors) ? body.errors : [];
    this.errorCount = body.error_count || this.errors.length;
  }
}

async function api(method, path, body, contentType) {
  const opts = {method, credentials: 'same-origin', headers: {}};
  if (method !== 'GET') {
    opts.headers['Content-Type'] = contentType || 'application/json';
    opts.body = contentType ? body : JSON.stringify(body || {});
  }
  const res = await fetch(`/api/v1/${path}`, opts);
  const text = await res.text();
  let data = null;
  try {
    data = text ? JSON.parse(text) : null;
  } catch {
    data = {message: text};
  }
  if (!res.ok) {
    if (res.status === 401 && path !== 'session') {
      me = null;
      location.hash = '#/login';
    }
    throw new ApiError(res.status, data || {});
  }
  return data;
}

/* Run an action; report its error, or reload the view with a note (or, when the action moved
 * to another page, leave the rendering to the hash change). */
async function act(fn, okText) {
  const before = location.hash;
  flash('', '');
  try {
    const result = await fn();
    if (location.hash !== before) return; /* it moved to another page: hashchange renders it */
    await route();
    /* a step answered 202 waits for a second officer (web/approvals.js) */
    flash('ok', approvalNote(result) || okText || t('done'));
  } catch (e) {
    flash('error', e.message);
  }
}

/* ---- the frame: who is logged in, navigation, language ---- */

const NAV = {
  agency_clerk: [['#/drafts', 'nav_drafts'], ['#/requests', 'nav_requests'], ['#/dossiers', 'nav_dossiers']],
  agency_head: [['#/drafts', 'nav_drafts'], ['#/dossiers', 'nav_dossiers']],
  ca_officer: [['#/queue', 'nav_queue'], ['#/dossiers', 'nav_dossiers'], ['#/approvals', 'nav_approvals'], ['#/reports', 'nav_reports'], ['#/admin', 'nav_admin']],
  ca_admin: [['#/admin', 'nav_admin'], ['#/dossiers', 'nav_dossiers'], ['#/approvals', 'nav_approvals'], ['#/reports', 'nav_reports']],
  auditor: [['#/audit', 'nav_audit'], ['#/dossiers', 'nav_dossiers'], ['#/drafts', 'nav_drafts'], ['#/reports', 'nav_reports']],
};

function frame() {
  document.documentElement.lang = lang;
  for (const el of document.querySelectorAll('[data-t]')) el.textContent = t(el.dataset.t);
  document.getElementById('lang').textContent = t('switch_lang');
  const logout = document.getElementById('logout');
  logout.textContent = t('logout');
  logout.hidden = !me;
  document.getElementById('who').textContent = me
    ? `${me.display_name} · ${WORDS[lang].roles[me.role] || me.role}${me.agency ? ' · ' + me.agency : ''}`
    : '';
  const nav = document.getElementById('nav');
  const here = location.hash.split('/').slice(0, 2).join('/');
  nav.replaceChildren(...(me ? [...(NAV[me.role] || []), ['#/password', 'nav_password']] : []).map(
    ([href, key]) => h('a', {href, class: href === here ? 'on' : null}, t(key))));
}

function home() {
  return {agency_clerk: '#/drafts', agency_head: '#/drafts', ca_officer: '#/queue',
          ca_admin: '#/admin', auditor: '#/audit'}[me.role] || '#/dossiers';
}

/* ---- views ---- */

function viewLogin(render) {
  const user = h('input', {name: 'username', autocomplete: 'username', required: true});
  const pass = h('input', {name: 'password', type: 'password', autocomplete: 'current-password', required: true});
  render(h('h1', {}, t('login')),
    h('form', {class: 'card', id: 'login', onsubmit: async (ev) => {
      ev.preventDefault();
      try {
        me = await api('POST', 'session', {username: user.value, password: pass.value});
        flash('', '');
        /* back to the page asked for, or the role's first page */
        const wanted = location.hash && location.hash !== '#/login' ? location.hash : home();
        if (location.hash === wanted) route();
        else location.hash = wanted;
      } catch (e) {
        flash('error', e.message);
      }
    }},
    h('label', {}, h('span', {}, t('username')), user),
    h('label', {}, h('span', {}, t('password')), pass),
    h('button', {type: 'submit'}, t('login'))),
    lookupForm());
}

/* The subscriber's own lookup, without an account: dossier code + ID number → their status. */
function lookupForm() {
  const code = h('input', {name: 'code', required: true, 'aria-label': t('code'), placeholder: t('code')});
  const id = h('input', {name: 'id_number', required: true, 'aria-label': t('id_number'), placeholder: t('id_number')});
  const out = h('div', {id: 'lookup-result'});
  return h('form', {class: 'card', id: 'lookup', onsubmit: async (ev) => {
    ev.preventDefault();
    try {
      /* the answer holds where the request stands and when, nothing about the person */
      const ap = await api('GET', `lookup?code=${encodeURIComponent(code.value.trim())}&id_number=${encodeURIComponent(id.value.trim())}`);
      out.replaceChildren(h('table', {class: 'kv'},
        ap.kind && h('tr', {}, h('th', {}, t('request_kind')), h('td', {id: 'lookup-kind'}, kindBadge(ap, true))),
        h('tr', {}, h('th', {}, t('state')), h('td', {}, stateBadge(ap))),
        ap.pickup_at && h('tr', {}, h('th', {}, t('pickup_at')), h('td', {}, vnTime(ap.pickup_at))),
        ap.requested_effective_at && !ap.published_at && h('tr', {}, h('th', {}, t('due4')), h('td', {}, vnTime(ap.due_step4))),
        ap.published_at && h('tr', {}, h('th', {}, t('effective')), h('td', {}, vnTime(ap.published_at))),
        ap.reason && h('tr', {}, h('th', {}, t('reason')), h('td', {}, ap.reason)),
        /* a dossier waiting for a supplement: its state and the reason asked */
        ap.dossier_reason && ap.dossier_reason !== ap.reason && h('tr', {}, h('th', {}, t('dossiers')),
          h('td', {}, badge(ap.dossier_state), h('div', {class: 'reason'}, ap.dossier_reason)))));
    } catch (e) {
      out.replaceChildren(h('p', {class: 'error'}, e.message));
    }
  }}, h('h2', {}, t('lookup')), h('p', {class: 'muted'}, t('lookup_hint')),
  h('label', {}, h('span', {}, t('code')), code), h('label', {}, h('span', {}, t('id_number')), id),
  h('button', {type: 'submit'}, t('find')), out);
}

/* A table; on a narrow screen each row becomes a block whose cells carry their heading
 * (data-label, shown by portal.css). A row of class "details" spans the table. */
function table(headings, rows, cls) {
  if (!rows.length) return h('p', {class: 'muted'}, t('nothing'));
  const trs = rows.flat();
  for (const tr of trs) {
    if (tr.classList.contains('details')) continue;
    [...tr.children].forEach((td, i) => { if (headings[i] && !td.dataset.label) td.dataset.label = headings[i]; });
  }
  return h('table', {class: cls || null}, h('thead', {}, h('tr', {}, headings.map((x) => h('th', {}, x)))),
    h('tbody', {}, trs));
}

const draftState = (s) => t(`draft_${s}`);

async function viewDrafts(render) {
  const drafts = await api('GET', 'drafts');
  const title = h('input', {name: 'title'});
  await loadAgencyNames();
  render(h('h1', {}, t('drafts')),
    me.role === 'agency_clerk' && h('form', {class: 'card inline', id: 'new-draft', onsubmit: (ev) => {
      ev.preventDefault();
      act(async () => {
        const d = await api('POST', 'drafts', {title: title.value});
        location.hash = `#/drafts/${d.id}`;
      });
    }}, labelled(t('title'), title), h('button', {type: 'submit'}, t('new_draft'))),
    table([t('draft'), t('title'), t('agency'), t('applicants'), t('letter'), t('state')],
      drafts.map((d) => h('tr', {},
        h('td', {}, h('a', {href: `#/drafts/${d.id}`}, `#${d.id}`)), h('td', {}, d.title),
        h('td', {}, agencyCell(d.agency)), h('td', {}, d.applicants), h('td', {}, d.letter_name || t('none')),
        h('td', {}, d.dossier ? h('a', {href: `#/dossiers/${d.dossier}`}, d.dossier) : draftState(d.state))))));
}

/* A file input and its upload button, sending the file as the raw body. */
function uploadForm(id, label, accept, send) {
  const file = h('input', {type: 'file', name: id, accept});
  return h('form', {class: 'card', id, onsubmit: (ev) => {
    ev.preventDefault();
    const f = file.files[0];
    if (!f) return;
    act(() => send(f));
  }}, h('label', {}, h('span', {}, label), file), h('button', {type: 'submit'}, t('upload')));
}

/* Every problem of a refused list, in the page's language: row, column, message. */
function listErrors(e) {
  const en = lang === 'en';
  const more = e.errorCount - e.errors.length;
  return h('div', {class: 'card error', id: 'list-errors'},
    h('h2', {}, `${t('list_errors')} (${e.errorCount})`),
    h('ul', {}, e.errors.map((x) => h('li', {'data-code': x.code, 'data-row': x.row},
      [x.row && `${t('row')} ${x.row}`, en ? x.column : x.column_vi].filter(Boolean).join(', '),
      ': ', en ? x.message_en : x.message_vi))),
    more > 0 && h('p', {}, `… ${more} ${t('more_errors')}`));
}

/* What the draft waits for, in words. */
function nextStep(d) {
  if (!d.applicants || !d.letter_size) return t('next_upload');
  return d.state === 'open' ? t('next_confirm') : t('next_submit');
}

/* The rows of the draft's list as submission will read them, and the letter's link: what the
 * head confirms. A list that no longer reads shows its error instead. */
function draftRows(d, rows, rowsError) {
  if (!d.applicants) return null;
  const letter = d.letter_name && h('p', {id: 'draft-letter-view'},
    h('a', {href: `/api/v1/drafts/${d.id}/letter`, target: '_blank', rel: 'noopener'}, t('view_letter')),
    ` — ${d.letter_name}`);
  if (!rows) {
    return h('section', {id: 'draft-rows'}, h('h2', {}, t('draft_rows')),
      h('p', {class: 'error'}, rowsError ? rowsError.message : t('none')), letter);
  }
  return h('section', {id: 'draft-rows'},
    h('h2', {}, `${t('draft_rows')} (${rows.count})`),
    h('p', {class: 'muted'}, t('draft_rows_hint')),
    table(['#', t('full_name'), t('birth_date'), t('id_number'), t('unit'), t('position'), t('email')],
      rows.rows.map((x, i) => h('tr', {'data-row': x.row},
        h('td', {}, String(i + 1)), h('td', {class: 'row-name'}, x.full_name),
        h('td', {}, vnDate(x.birth_date)), h('td', {}, x.id_number), h('td', {}, x.unit),
        h('td', {}, x.position), h('td', {}, x.email))), 'draft-rows'),
    letter);
}

/* ---- the list: uploaded as a file, or made in a small form ---- */

const XLSX_TYPE = 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet';

/* The list's upload: an Excel workbook goes as it is (the server reads its first sheet), a CSV
 * file as text; a refused list shows every problem in errorBox. */
function listUploadForm(d, errorBox) {
  return uploadForm('upload-list', t('upload_list'), `.xlsx,.csv,${XLSX_TYPE},text/csv`,
    async (f) => {
      errorBox.replaceChildren();
      const xlsx = /\.xlsx$/i.test(f.name) || f.type === XLSX_TYPE;
      try {
        return xlsx ? await api('POST', `drafts/${d.id}/list`, f, XLSX_TYPE)
          : await api('POST', `drafts/${d.id}/list`, await f.text(), 'text/csv');
      } catch (e) {
        if (e.errors && e.errors.length) errorBox.replaceChildren(listErrors(e));
        throw e;
      }
    });
}

/* The templates a clerk fills in Excel or LibreOffice. */
function templateLinks() {
  return h('p', {class: 'muted', id: 'list-templates'}, t('templates'), ' ',
    h('a', {href: '/forms/mau02.xlsx', download: 'mau02.xlsx', id: 'template-xlsx'}, t('template_xlsx')),
    ' · ',
    h('a', {href: '/forms/mau02.csv', download: 'mau02.csv', id: 'template-csv'}, t('template_csv')));
}

const EDITOR_MAX = 20;
/* The fields of one applicant as the JSON list names them, with their input's type. */
const EDITOR_FIELDS = [
  ['full_name', 'full_name', 'text'], ['birth_date', 'birth_date', 'date'],
  ['id_number', 'id_number', 'text'], ['id_issued_on', 'id_issued_on', 'date'],
  ['id_issued_at', 'id_issued_at', 'text'], ['email', 'email', 'email'], ['unit', 'unit', 'text'],
  ['province', 'province', 'text'], ['position', 'position', 'text'],
  ['category', 'category', 'category'], ['phone', 'phone', 'tel'],
  ['previous_serial', 'previous_serial', 'text'],
];
const CATEGORIES = [['cong_chuc', 'Công chức', 'Civil servant'], ['vien_chuc', 'Viên chức', 'Public employee'],
  ['can_bo', 'Cán bộ', 'Cadre']];

/*
 * A small list (up to EDITOR_MAX people) made in the browser: the draft's rows as they read now,
 * added to, edited and removed here, then sent whole through the draft's list API as JSON
 * ({"applicants": [...]}), where it is checked exactly as an uploaded file; a refused list
 * shows every problem, numbered as the people are here.
 */
function rowEditor(d, rows) {
  const people = rows ? rows.rows.map((x) => Object.fromEntries(EDITOR_FIELDS.map(([k]) => [k, x[k] || '']))) : [];
  const section = h('details', {class: 'card', id: 'row-editor'});
  if (people.length > EDITOR_MAX) {
    section.append(h('summary', {}, t('editor')), h('p', {class: 'muted'}, t('editor_too_long')));
    return section;
  }
  let editing = -1; /* the person the form holds, or -1 for a new one */
  const inputs = {};
  const errors = h('div', {id: 'editor-errors'});
  const listBox = h('div', {id: 'editor-rows'});
  const fields = EDITOR_FIELDS.map(([key, label, type]) => {
    const input = type === 'category'
      ? h('select', {name: key}, CATEGORIES.map(([v, vi, en]) => h('option', {value: v}, lang === 'en' ? en : vi)))
      : h('input', {name: key, type, autocomplete: 'off'});
    inputs[key] = input;
    return labelled(t(label), input);
  });
  const addButton = h('button', {type: 'submit', id: 'editor-add'}, t('add_row'));
  const cancelButton = h('button', {type: 'button', class: 'secondary', id: 'editor-cancel', hidden: true,
    onclick: () => { editing = -1; fill({}); }}, t('cancel'));
  const form = h('form', {class: 'inline', id: 'editor-form', onsubmit: (ev) => {
    ev.preventDefault();
    const person = Object.fromEntries(EDITOR_FIELDS.map(([k]) => [k, inputs[k].value.trim()]));
    if (editing >= 0) people[editing] = person;
    else if (people.length < EDITOR_MAX) people.push(person);
    editing = -1;
    fill({});
    redraw();
  }}, ...fields, addButton, cancelButton);

  function fill(person) {
    for (const [k] of EDITOR_FIELDS) inputs[k].value = person[k] || (k === 'category' ? 'cong_chuc' : '');
    addButton.textContent = editing >= 0 ? t('update_row') : t('add_row');
    addButton.disabled = editing < 0 && people.length >= EDITOR_MAX;
    cancelButton.hidden = editing < 0;
  }
  function redraw() {
    listBox.replaceChildren(people.length === 0 ? h('p', {class: 'muted'}, t('editor_empty'))
      : table(['#', t('full_name'), t('id_number'), t('email'), ''],
        people.map((p, i) => h('tr', {'data-person': i + 1},
          h('td', {}, String(i + 1)), h('td', {class: 'row-name'}, p.full_name),
          h('td', {}, p.id_number), h('td', {}, p.email),
          h('td', {class: 'actions-cell'},
            h('button', {type: 'button', class: 'secondary', 'data-edit': i + 1, onclick: () => {
              editing = i;
              fill(people[i]);
              inputs.full_name.focus();
            }}, t('edit')), ' ',
            h('button', {type: 'button', class: 'secondary', 'data-remove': i + 1, onclick: () => {
              people.splice(i, 1);
              editing = -1;
              fill({});
              redraw();
            }}, t('remove'))))), 'editor-table'));
    sendButton.disabled = people.length === 0;
    addButton.disabled = editing < 0 && people.length >= EDITOR_MAX;
  }
  const sendButton = h('button', {type: 'button', id: 'editor-send', onclick: () => {
    errors.replaceChildren();
    act(async () => {
      try {
        await api('POST', `drafts/${d.id}/list`, {applicants: people});
      } catch (e) {
        if (e.errors && e.errors.length) errors.replaceChildren(listErrors(e));
        throw e;
      }
    });
  }}, t('send_list'));
  section.append(h('summary', {}, t('editor')), h('p', {class: 'muted'}, t('editor_hint')),
    listBox, form, errors, h('div', {class: 'actions'}, sendButton));
  fill({});
  redraw();
  return section;
}

async function viewDraft(render, id) {
  const d = await api('GET', `drafts/${id}`);
  /* the rows come with the SHA-256 of the very bytes read, which the confirmation names */
  let rows = null, rowsError = null;
  if (d.applicants) {
    try {
      rows = await api('GET', `drafts/${id}/rows`);
    } catch (e) {
      rowsError = e;
    }
  }
  const clerk = me.role === 'agency_clerk', head = me.role === 'agency_head';
  const open = d.state !== 'submitted';
  const errorBox = h('div', {id: 'list-error-box'}); /* a refused list's problems, under its form */
  render(h('h1', {}, `${t('draft')} #${d.id} ${d.title ? '— ' + d.title : ''}`),
    h('table', {class: 'kv'},
      h('tr', {}, h('th', {}, t('state')), h('td', {id: 'draft-state', 'data-state': d.state}, draftState(d.state))),
      h('tr', {}, h('th', {}, t('agency')), h('td', {}, d.agency)),
      h('tr', {}, h('th', {}, t('list')), h('td', {id: 'draft-applicants'}, d.applicants ? `${d.applicants} ${t('applicants').toLowerCase()}` : t('none'))),
      h('tr', {}, h('th', {}, t('letter')), h('td', {}, d.letter_name
        ? [h('a', {href: `/api/v1/drafts/${d.id}/letter`, target: '_blank', rel: 'noopener'}, d.letter_name),
           ` (${d.letter_type}, ${Math.ceil(d.letter_size / 1024)} KB)`]
        : t('none'))),
      h('tr', {}, h('th', {}, t('confirmed_by')), h('td', {}, d.confirmed_name
        ? `${d.confirmed_name}, ${d.confirmed_title} — ${vnTime(d.confirmed_at)}` : t('none'))),
      d.dossier && h('tr', {}, h('th', {}, t('submitted_as')),
        h('td', {}, h('a', {href: `#/dossiers/${d.dossier}`, id: 'dossier-link'}, d.dossier)))),
    /* '' rather than false: the page's top-level nodes go to replaceChildren as they are */
    !(open && clerk) ? '' : listUploadForm(d, errorBox),
    !(open && clerk) ? '' : templateLinks(),
    errorBox,
    !(open && clerk) ? '' : rowEditor(d, rows),
    !(open && clerk) ? '' : uploadForm('upload-letter', t('upload_letter'), '.pdf,.jpg,.jpeg,.png',
      (f) => api('POST', `drafts/${d.id}/letter?name=${encodeURIComponent(f.name)}`, f,
        f.type || 'application/octet-stream')),
    draftRows(d, rows, rowsError) || '',
    !open ? '' : h('p', {class: 'muted', id: 'draft-next'}, nextStep(d)),
    !open ? '' : h('div', {class: 'actions'},
      head && d.state === 'open' && h('button', {id: 'confirm', disabled: rows ? null : true, onclick: () =>
        // the head confirms the rows and letter shown on this page, by their SHA-256: if the
        // clerk changed either meanwhile, the server refuses (draft.changed)
        act(() => api('POST', `drafts/${d.id}/confirm`,
          {list_sha256: rows.list_sha256, letter_sha256: d.letter_sha256}))}, t('confirm')),
      ' ',
      (clerk || head) && d.state === 'confirmed' && h('button', {id: 'submit', onclick: () =>
        act(async () => {
          const dossier = await api('POST', `drafts/${d.id}/submit`);
          location.hash = `#/dossiers/${dossier.code}`;
        })}, t('submit')),
      ' ',
      clerk && h('button', {class: 'secondary', id: 'delete', onclick: () =>
        act(async () => {
          await api('POST', `drafts/${d.id}/delete`);
          location.hash = '#/drafts';
        })}, t('delete'))));
}

async function viewDossiers(render, queue) {
  let list = await api('GET', 'dossiers');
  await loadAgencyNames();
  const openStates = ['received', 'needs_supplement', 'accepted'];
  if (queue) {
    list = list.filter((d) => openStates.includes(d.state));
    list.sort((a, b) => (a.due_step2 || '9').localeCompare(b.due_step2 || '9'));
  } else {
    list.reverse();
  }
  render(h('h1', {}, queue ? t('queue') : t('dossiers')),
    table([t('code'), t('agency'), t('channel'), t('received_at'), t('state'), t('due'), t('deadline')],
      list.map((d) => h('tr', {class: d.state === 'accepted' || d.state === 'received' ? d.deadline : null,
        'data-code': d.code},
        h('td', {}, h('a', {href: `#/dossiers/${d.code}`}, d.code), ' ', kindBadge(d)), h('td', {}, agencyCell(d.agency)),
        h('td', {}, stateName(d.channel)), h('td', {}, vnTime(d.received_at)), h('td', {}, stateBadge(d)),
        h('td', {}, vnTime(d.due_step2)), h('td', {}, badge(d.deadline))))));
}

/* An action form: fields (name → label, type), a button; sends {applicant, …fields}, after the
 * person confirms when the action asks for it (confirmText). */
function actionForm(code, action, fields, applicant, confirmText) {
  const inputs = {};
  const parts = Object.entries(fields).map(([name, [label, type, accept]]) => {
    inputs[name] = h('input', {name, type: type || 'text', accept: accept || null,
      required: ['reason', 'place', 'at', 'received_by'].includes(name) ? true : null});
    return labelled(label, inputs[name]);
  });
  return h('form', {class: 'inline', 'data-action': action, onsubmit: (ev) => {
    ev.preventDefault();
    const body = {};
    let letter = null;
    if (applicant) body.applicant = applicant;
    for (const [name, input] of Object.entries(inputs)) {
      if (input.type === 'file') {
        if (name === 'letter') letter = input.files[0] || null;
        continue;
      }
      if (input.value) body[name] = input.type === 'datetime-local' ? input.value.replace('T', ' ') : input.value;
    }
    if (confirmText && !window.confirm(confirmText)) return;
    act(async () => {
      /* a resubmission: a new list goes with the step, a new letter just before it */
      if (inputs.csv && inputs.csv.files[0]) body.csv = await inputs.csv.files[0].text();
      if (letter) {
        await api('POST', `dossiers/${code}/letter?name=${encodeURIComponent(letter.name)}`, letter,
          letter.type || 'application/octet-stream');
      }
      /* the answer: a step that waits for a second officer says so (approvalNote) */
      return api('POST', `dossiers/${code}/${action}`, body);
    });
  }}, parts, h('button', {type: 'submit', name: action, class: SECONDARY.has(action) ? 'secondary' : null}, actionName(action)));
}

/* Actions that stop something, drawn less loudly than the way forward beside them. */
const SECONDARY = new Set(['refuse', 'cancel', 'reject', 'withdraw']);

const FIELDS = {
  reject: {reason: ['reason']}, supplement: {reason: ['reason']}, cancel: {reason: ['reason']},
  withdraw: {reason: ['withdraw_reason']},
  refuse: {reason: ['reason']},
  'notify-pickup': {at: ['pickup_at', 'datetime-local'], place: ['place']},
  'agency-received': {received_by: ['received_by']},
  'handed-over': {handed_to: ['handed_to']},
  resubmit: {csv: ['new_list', 'file', '.csv,text/csv'], letter: ['new_letter', 'file', '.pdf,.jpg,.jpeg,.png']},
  'request-activation': {effective_at: ['effective_at', 'datetime-local']},
};

function fieldsOf(action) {
  return Object.fromEntries(Object.entries(FIELDS[action] || {}).map(([k, [label, type, accept]]) => [k, [t(label), type, accept]]));
}

/* The actions the server says the user may take now on a record ({name, label}), as names;
 * the server's transition table decides, the portal keeps no copy of it. */
function allowed(record) {
  for (const a of record.actions || []) serverLabels[a.name] = a.label;
  return (record.actions || []).map((a) => a.name);
}

/* Actions taken on one applicant at a time, never on the whole list at once. */
const ONE_BY_ONE = new Set(['cancel', 'refuse']);

/* The applicant's Mẫu 02 row in full, folded under the applicant's line. */
function applicantDetails(ap) {
  const item = (key, value) => [h('dt', {}, t(key)), h('dd', {}, value || t('none'))];
  return h('details', {class: 'row-details'}, h('summary', {}, t('row_details')),
    h('dl', {},
      item('birth_date', vnDate(ap.birth_date)),
      item('id_number', ap.id_number),
      item('id_issued', `${vnDate(ap.id_issued_on)}, ${ap.id_issued_at}`),
      item('email', ap.email),
      item('phone', ap.phone),
      item('unit', ap.unit),
      item('province', ap.province),
      item('position', ap.position),
      item('category', WORDS[lang].categories[ap.category] || ap.category),
      item('previous_serial', ap.previous_serial && h('code', {}, ap.previous_serial))));
}

/* What the officer's check found (the server's words, in the page's language). */
function flagList(ap) {
  if (!ap.flags || !ap.flags.length) return null;
  return h('ul', {class: 'flags', 'aria-label': t('flags')},
    ap.flags.map((f) => h('li', {class: 'flag', 'data-flag': f.code}, f[lang] || f.vi)));
}

/* A cell with a value, or a dash (left out on a phone's narrow page, where it would only take
 * room). */
function cell(value) {
  return h('td', {class: value ? null : 'empty'}, value || t('none'));
}

/* The question a step on issued certificates asks first, naming them (serials, names), or null:
 * a revocation is final, a PIN reset voids the PIN the holder has. */
function certStepQuestion(action, serials, names) {
  const key = {revoke: 'confirm_revoke_cert', 'reset-pin': 'confirm_reset_pin'}[action];
  return key ? t(key).replace('{serial}', serials).replace('{name}', names) : null;
}

/* One applicant: a line in the table, and its full row from the list under it. */
function applicantRows(d, ap, columns) {
  const confirmRefuse = t('confirm_refuse').replace('{n}', ap.n).replace('{name}', ap.full_name);
  const confirmOf = (a) => (a === 'refuse' ? confirmRefuse : certStepQuestion(a, ap.previous_serial, ap.full_name));
  return [
    h('tr', {'data-applicant': ap.n, class: ap.flags && ap.flags.length ? 'flagged' : null},
      h('td', {}, ap.n),
      h('td', {class: 'name-cell'},
        h('strong', {}, ap.full_name),
        h('div', {class: 'muted'}, `${t('id_number')}: `, h('span', {class: 'id-number'}, ap.id_number),
          ` · ${t('born')} ${vnDate(ap.birth_date)}`),
        h('div', {class: 'muted'}, [ap.position, ap.unit].filter(Boolean).join(' — ')),
        /* a request about an issued certificate: the certificate it is about */
        d.kind && d.kind !== 'new' && ap.previous_serial && h('div', {class: 'muted request-cert'},
          `${t('request_cert')}: `, h('code', {}, ap.previous_serial)),
        flagList(ap)),
      h('td', {}, stateBadge(ap), ap.reason && h('div', {class: 'reason'}, ap.reason)),
      /* the CA's people open the certificate in the portal (to revoke it), others its public page */
      cell(ap.cert_serial && h('a', {href: ['ca_officer', 'ca_admin'].includes(me.role) ? `#/certs/${ap.cert_serial}`
        : `/certs/${ap.cert_serial}`}, h('code', {}, ap.cert_serial))),
      cell(ap.pickup_at && `${vnTime(ap.pickup_at)}, ${ap.pickup_place}`),
      cell(ap.published_at ? vnTime(ap.published_at)
        : ap.requested_effective_at && `${vnTime(ap.requested_effective_at)} (${t('due4')} ${vnTime(ap.due_step4)})`),
      h('td', {class: 'actions-cell'}, allowed(ap).map((a) => actionForm(d.code, a, fieldsOf(a), ap.n, confirmOf(a))))),
    h('tr', {class: 'details', 'data-details': ap.n}, h('td', {colspan: columns}, applicantDetails(ap))),
  ];
}

async function viewDossier(render, code) {
  const d = await api('GET', `dossiers/${encodeURIComponent(code)}`);
  await loadAgencyNames();
  const dossierActions = allowed(d);
  /* withdrawing ends the dossier: asked first, with its reason */
  const confirmOf = (a) => (a === 'withdraw' ? t('confirm_withdraw').replace('{code}', d.code)
    : certStepQuestion(a, d.applicants.map((ap) => ap.previous_serial).join(', '),
      d.applicants.map((ap) => ap.full_name).join(', ')));
  /* actions that apply to several applicants at once: one form for all of them */
  const bulk = new Set();
  for (const ap of d.applicants) for (const a of allowed(ap)) if (!ONE_BY_ONE.has(a)) bulk.add(a);
  render(h('h1', {}, `${t('code')} ${d.code}`),
    h('table', {class: 'kv'},
      h('tr', {}, h('th', {}, t('agency')), h('td', {}, agencyCell(d.agency))),
      h('tr', {}, h('th', {}, t('state')), h('td', {id: 'dossier-state'}, stateBadge(d))),
      h('tr', {}, h('th', {}, t('request_kind')), h('td', {id: 'dossier-kind'}, kindBadge(d, true))),
      d.request_reason && h('tr', {}, h('th', {}, t('request_reason')),
        h('td', {id: 'dossier-request-reason'}, requestReasonText(d.request_reason))),
      h('tr', {}, h('th', {}, t('channel')), h('td', {}, stateName(d.channel))),
      h('tr', {}, h('th', {}, t('received_at')), h('td', {}, `${vnTime(d.received_at)} (${vnDate(d.counted_from)})`)),
      h('tr', {}, h('th', {}, t('due')), h('td', {}, vnTime(d.due_step2), ' ', badge(d.deadline))),
      h('tr', {}, h('th', {}, t('confirmed_by')), h('td', {}, `${d.confirmed_by}, ${d.confirmed_title}`)),
      d.reason && h('tr', {}, h('th', {}, t('reason')), h('td', {}, d.reason))),
    /* an online new issuance comes with the head's signed letter; a request has none */
    d.channel === 'online' && d.kind === 'new' && h('div', {class: 'actions'},
      h('a', {href: `/api/v1/dossiers/${d.code}/letter`, target: '_blank', rel: 'noopener'}, t('view_letter'))),
    paperLinks(d),
    h('div', {class: 'actions', id: 'dossier-actions'},
      dossierActions.map((a) => actionForm(d.code, a, fieldsOf(a), null, confirmOf(a))),
      [...bulk].map((a) => actionForm(d.code, a, fieldsOf(a), null, confirmOf(a)))),
    h('h2', {}, t('applicants')),
    table(['#', t('full_name'), t('state'), t('cert_serial'), t('pickup'), t('effective'), ''],
      d.applicants.map((ap) => applicantRows(d, ap, 7)), 'applicants'),
    h('h2', {}, t('timeline')),
    table([t('at'), t('actor'), t('action')],
      d.timeline.map((e) => h('tr', {'data-audit-action': e.action}, h('td', {}, vnTime(e.at)),
        h('td', {}, e.actor, ' ', h('span', {class: 'muted'}, `(${roleName(e.role)})`)),
        h('td', {title: e.action}, auditActionName(e.action),
          e.reason ? h('div', {class: 'reason'}, requestReasonText(e.reason)) : '')))));
}

/* A token's PIN envelope, printed once: the server gives the page once and then forgets the
 * PIN. A plain form POST opens it in a tab of its own, where it is printed; this page then
 * shows the token without its envelope. */
function printEnvelope(serial, button) {
  if (!window.confirm(t('confirm_envelope').replace('{serial}', serial))) return;
  button.disabled = true;
  const form = h('form', {method: 'post', target: '_blank', hidden: true,
    action: `/api/v1/tokens/${encodeURIComponent(serial)}/envelope?format=html`});
  document.body.append(form);
  form.submit();
  form.remove();
  flash('ok', t('envelope_printed'));
  /* back from the printing tab: the list as it now stands */
  window.addEventListener('focus', () => route(), {once: true});
}

/* Token care: the moves the server offers this person for this token now (k.actions, from the
 * custody table), each confirmed first; a loss asks for its circumstances, which become the
 * reason on record. */
function tokenCare(k) {
  return (k.actions || []).map((a) => h('button', {type: 'button', class: 'secondary',
    'data-token-action': a.name, 'data-token': k.serial, onclick: () => {
      const body = {};
      if (a.name === 'lost') {
        const reason = window.prompt(t('care_lost_reason').replace('{serial}', k.serial));
        if (!reason || !reason.trim()) return;
        body.reason = reason.trim();
      } else if (!window.confirm(WORDS[lang].care_confirm[a.name].replace('{serial}', k.serial))) {
        return;
      }
      act(() => api('POST', `tokens/${encodeURIComponent(k.serial)}/${a.name}`, body),
        a.name === 'reset-pin' ? t('care_reset_done') : undefined);
    }}, (a.label && a.label[lang]) || a.name));
}

async function viewAdmin(render) {
  const admin = me.role === 'ca_admin';
  const [agencies, tokens, holidays, users] = await Promise.all([
    api('GET', 'agencies'), api('GET', 'tokens'),
    api('GET', `calendar/holidays?year=${new Date().getFullYear()}`),
    admin ? api('GET', 'users') : Promise.resolve(null)]);
  const field = (name, key, type) => h('input', {name, type: type || 'text'});
  /* every input of the admin's forms under its visible label, found again by its name */
  const withLabels = (inputs, keys) => inputs.map((i, n) => labelled(t(keys[n]), i));
  const agencyKeys = ['agency_code', 'name', 'parent', 'province', 'head_name', 'head_title', 'email_domains'];
  const agencyForm = ['code', 'name', 'parent', 'province', 'head_name', 'head_title', 'email_domains'].map(
    (n, i) => field(n, agencyKeys[i]));
  /* an agency's official e-mail domains, which the officer's check compares addresses with */
  const domainsForm = (a) => {
    const input = h('input', {name: 'email_domains', value: a.email_domains, placeholder: t('email_domains_hint'),
      'aria-label': `${t('email_domains')} ${a.code}`});
    return h('form', {class: 'inline', 'data-domains': a.code, onsubmit: (ev) => {
      ev.preventDefault();
      act(() => api('POST', `agencies/${encodeURIComponent(a.code)}/domains`, {email_domains: input.value}));
    }}, input, h('button', {type: 'submit', class: 'secondary'}, t('save')));
  };
  /* an agency's contacts: the e-mail notices go to its e-mail and the clerk's, the papers name
   * its address; an empty field clears one */
  const contactsForm = (a) => {
    const inputs = ['address', 'email', 'phone', 'clerk_email', 'head_email'].map((n) =>
      h('input', {name: n, value: a[n] || '', placeholder: t(n), 'aria-label': `${t(n)} ${a.code}`,
        type: n.endsWith('email') ? 'email' : 'text'}));
    return h('form', {class: 'inline', 'data-contacts': a.code, onsubmit: (ev) => {
      ev.preventDefault();
      act(() => api('POST', `agencies/${encodeURIComponent(a.code)}/contacts`,
        Object.fromEntries(inputs.map((i) => [i.name, i.value]))));
    }}, inputs, h('button', {type: 'submit', class: 'secondary'}, t('save')));
  };
  const kind = h('select', {name: 'kind'}, Object.entries(WORDS[lang].kinds).map(([v, l]) => h('option', {value: v}, l)));
  const userForm = {username: field('username', 'username'), display_name: field('display_name', 'display_name'),
    password: field('password', 'password', 'password'), agency: field('agency', 'agency')};
  const roleSel = h('select', {name: 'role'}, Object.entries(WORDS[lang].roles).map(([v, l]) => h('option', {value: v}, l)));
  const count = h('input', {name: 'count', type: 'number', min: 1, max: 100, value: 5});
  render(h('h1', {}, t('nav_admin')),
    h('h2', {}, t('tokens')),
    h('form', {class: 'inline', id: 'stock', onsubmit: (ev) => {
      ev.preventDefault();
      act(() => api('POST', 'tokens/stock', {count: Number(count.value)}));
    }}, labelled(t('count'), count), h('button', {type: 'submit'}, t('stock'))),
    table([t('serial'), t('label'), t('state'), t('cert_serial'), t('code'), t('envelope'), t('token_care')],
      tokens.map((k) => h('tr', {'data-token-state': k.state}, h('td', {}, h('code', {}, k.serial)), h('td', {}, k.label),
        h('td', {}, WORDS[lang].token_states[k.state] || k.state), h('td', {}, k.cert_serial ? h('code', {}, k.cert_serial) : t('none')),
        h('td', {}, k.dossier ? `${k.dossier} #${k.applicant}` : t('none')),
        h('td', {}, k.envelope_waiting ? h('button', {type: 'button', class: 'secondary', 'data-envelope': k.serial,
          onclick: (ev) => printEnvelope(k.serial, ev.currentTarget)}, t('print_envelope')) : ''),
        h('td', {class: 'actions'}, tokenCare(k))))),
    h('h2', {}, t('agencies')),
    h('form', {class: 'inline', id: 'agency', onsubmit: (ev) => {
      ev.preventDefault();
      const body = Object.fromEntries(agencyForm.map((i) => [i.name, i.value]));
      body.kind = kind.value;
      act(() => api('POST', 'agencies', body));
    }}, withLabels(agencyForm, agencyKeys), labelled(t('kind'), kind), h('button', {type: 'submit'}, t('add'))),
    table([t('agency_code'), t('name'), t('kind'), t('parent'), t('province'), t('head_name'), t('email_domains'),
      t('contacts')],
      agencies.map((a) => h('tr', {}, h('td', {}, a.code), h('td', {}, a.name),
        h('td', {}, WORDS[lang].kinds[a.kind] || a.kind), h('td', {}, a.parent),
        h('td', {}, a.province), h('td', {}, `${a.head_name}, ${a.head_title}`), h('td', {}, domainsForm(a)),
        h('td', {}, contactsForm(a))))),
    users && h('h2', {}, t('users')),
    users && h('form', {class: 'inline', id: 'user', onsubmit: (ev) => {
      ev.preventDefault();
      const body = Object.fromEntries(Object.entries(userForm).map(([k, i]) => [k, i.value]));
      body.role = roleSel.value;
      act(() => api('POST', 'users', body));
    }}, withLabels(Object.values(userForm), Object.keys(userForm)), labelled(t('role'), roleSel),
    h('button', {type: 'submit'}, t('add'))),
    users && table([t('username'), t('display_name'), t('role'), t('agency'), ''],
      users.map((u) => h('tr', {}, h('td', {}, u.username), h('td', {}, u.display_name),
        h('td', {}, roleName(u.role)), h('td', {}, u.agency),
        h('td', {}, u.disabled ? t('disabled') : h('button', {class: 'secondary', onclick: () =>
          act(() => api('POST', `users/${u.username}/disable`))}, t('disable')))))),
    h('h2', {}, t('holidays')),
    h('p', {class: 'muted'}, t('holiday_note')),
    table([t('date'), t('name')], holidays.map((x) => h('tr', {}, h('td', {}, x.date), h('td', {}, x.name)))));
}

async function viewAudit(render) {
  const out = h('div', {id: 'audit-result'});
  render(h('h1', {}, t('audit')),
    h('button', {id: 'verify', onclick: async () => {
      try {
        const r = await api('GET', 'audit/verify');
        out.replaceChildren(h('p', {class: r.ok ? 'ok' : 'error', 'data-ok': String(r.ok)},
          r.ok ? `${t('audit_ok')} (${r.rows} ${t('rows')})` : `${t('audit_bad')} ${r.first_bad_row}: ${r.problem}`));
      } catch (e) {
        flash('error', e.message);
      }
    }}, t('verify')), out);
}

function viewPassword(render) {
  const old = h('input', {type: 'password', name: 'old', autocomplete: 'current-password'});
  const neu = h('input', {type: 'password', name: 'new', autocomplete: 'new-password', minlength: 10});
  render(h('h1', {}, t('nav_password')),
    h('form', {class: 'card', onsubmit: (ev) => {
      ev.preventDefault();
      act(() => api('POST', 'session/password', {old_password: old.value, new_password: neu.value}));
    }}, h('label', {}, h('span', {}, t('old_password')), old),
    h('label', {}, h('span', {}, t('new_password')), neu), h('button', {type: 'submit'}, t('save'))));
}

/* ---- official papers: "In …" links to the HTML and PDF of each paper the dossier's state
 * calls for (the server keeps each as first issued) ---- */

function paperLink(d, kind, n) {
  const base = `/api/v1/dossiers/${encodeURIComponent(d.code)}/papers/${kind}`;
  const q = n ? `&applicant=${n}` : '';
  const a = (format) => h('a', {href: `${base}?format=${format}${q}`, target: '_blank', rel: 'noopener',
    id: `paper-${kind}${n ? '-' + n : ''}-${format}`}, format.toUpperCase());
  return h('span', {class: 'paper'}, t('paper_' + kind.replace('-', '_')), ' (', a('html'), ' · ', a('pdf'), ')');
}

function paperLinks(d) {
  const aps = d.applicants || [];
  const kinds = ['receipt', 'mau02'];
  if (aps.some((ap) => ap.pickup_at)) kinds.push('pickup');
  if (d.state === 'needs_supplement') kinds.push('supplement');
  if (d.state === 'rejected' || aps.some((ap) => ap.state === 'refused')) kinds.push('refusal');
  if (aps.some((ap) => ap.agency_received_at)) kinds.push('handover');
  const each = aps.map((ap) => h('li', {}, `${ap.n}. ${ap.full_name}: `, paperLink(d, 'mau01', ap.n),
    ap.handed_over_at ? [' · ', paperLink(d, 'handover-subscriber', ap.n)] : ''));
  return h('div', {class: 'actions', id: 'papers'}, h('strong', {}, t('papers'), ': '),
    kinds.map((k, i) => [i ? ' · ' : '', paperLink(d, k)]),
    h('details', {}, h('summary', {}, t('papers_each')), h('ul', {}, each)));
}

/* ---- routing ---- */

/* Each route() renders only if no later one has started: a view still waiting for the server
 * when the person has moved on (or when an action reloads it) must not paint over the newer
 * page with older data. */
let routeSeq = 0;

async function route() {
  const seq = ++routeSeq;
  const render = (...nodes) => {
    if (seq === routeSeq) show(...nodes);
  };
  const parts = location.hash.replace(/^#\/?/, '').split('/').map(decodeURIComponent);
  if (!me && parts[0] !== 'login') {
    try {
      me = await api('GET', 'session');
    } catch {
      me = null;
    }
  }
  if (seq !== routeSeq) return;
  frame();
  if (!me || parts[0] === 'login') return viewLogin(render);
  try {
    switch (parts[0]) {
      case 'drafts': return parts[1] ? await viewDraft(render, parts[1]) : await viewDrafts(render);
      case 'dossiers': return parts[1] ? await viewDossier(render, parts[1]) : await viewDossiers(render, false);
      case 'queue': return await viewDossiers(render, true);
      case 'admin': return await viewAdmin(render);
      case 'audit': return await viewAudit(render);
      case 'reports': return await viewReports(render); /* web/reports.js */
      case 'approvals': return await viewApprovals(render); /* web/approvals.js */
      case 'certs': return await viewCert(render, parts[1] || ''); /* web/certs.js */
      case 'requests': return await viewRequests(render); /* web/requests.js */
      case 'password': return viewPassword(render);
      default: location.hash = home();
    }
  } catch (e) {
    render(h('p', {class: 'error'}, e.message));
  }
}

document.getElementById('lang').addEventListener('click', () => {
  lang = lang === 'vi' ? 'en' : 'vi';
  localStorage.setItem('chungthu.lang', lang);
  route();
});
document.getElementById('logout').addEventListener('click', async () => {
  try {
    await api('POST', 'session/logout');
  } catch {
    /* the session is gone either way */
  }
  me = null;
  location.hash = '#/login';
});
window.addEventListener('hashchange', () => {
  flash('', '');
  route();
});
route();
