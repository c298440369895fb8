/*
 * certs.js — a certificate in the portal (#/certs/SERIAL): what it is and where it stands, and,
 * for the CA's officers and administrators, its revocation: a reason from the list the CRL
 * knows, asked for confirmation. With [approvals] revoke = 2 the revocation waits for a second
 * officer: the page then says so instead of offering it again. Loaded before portal.js, whose
 * helpers (h, t, api, act, labelled, vnTime) it uses once the page runs.
 */
'use strict';

const CERT_WORDS = {
  vi: {cert_title: 'Chứng thư số', cert_subject: 'Chủ thể', cert_common_name: 'Tên', cert_status: 'Trạng thái',
       cert_not_before: 'Hiệu lực từ', cert_not_after: 'Hết hạn', cert_effective: 'Có hiệu lực từ',
       cert_revoked_at: 'Thu hồi lúc', cert_revocation_reason: 'Lý do thu hồi',
       cert_statuses: {active: 'Đang hoạt động', hold: 'Tạm dừng (chưa công bố)', revoked: 'Đã thu hồi', expired: 'Hết hạn'},
       revoke: 'Thu hồi chứng thư', revoke_reason: 'Lý do thu hồi',
       revoke_reasons: {unspecified: 'Không nêu lý do', keyCompromise: 'Lộ khóa bí mật',
         affiliationChanged: 'Thay đổi cơ quan, đơn vị', superseded: 'Đã được thay thế',
         cessationOfOperation: 'Thôi sử dụng', privilegeWithdrawn: 'Bị rút quyền'},
       confirm_revoke: 'Thu hồi chứng thư số {serial} với lý do "{reason}"? Một chứng thư đã thu hồi không dùng lại được.'},
  en: {cert_title: 'Certificate', cert_subject: 'Subject', cert_common_name: 'Name', cert_status: 'Status',
       cert_not_before: 'Valid from', cert_not_after: 'Expires', cert_effective: 'Effective from',
       cert_revoked_at: 'Revoked at', cert_revocation_reason: 'Revocation reason',
       cert_statuses: {active: 'Active', hold: 'On hold (not yet published)', revoked: 'Revoked', expired: 'Expired'},
       revoke: 'Revoke the certificate', revoke_reason: 'Reason for revocation',
       revoke_reasons: {unspecified: 'Unspecified', keyCompromise: 'Key compromise',
         affiliationChanged: 'Affiliation changed', superseded: 'Superseded',
         cessationOfOperation: 'Cessation of operation', privilegeWithdrawn: 'Privilege withdrawn'},
       confirm_revoke: 'Revoke certificate {serial} for "{reason}"? A revoked certificate cannot be used again.'},
};

/* The CRL's reason codes (RFC 5280) by the names the API takes. */
const REVOKE_REASON_CODES = {0: 'unspecified', 1: 'keyCompromise', 3: 'affiliationChanged', 4: 'superseded',
  5: 'cessationOfOperation', 9: 'privilegeWithdrawn'};

/* The revocation form: a reason picked from the list, confirmed, then sent. */
function revokeForm(serial) {
  const reasons = CERT_WORDS[lang].revoke_reasons;
  const select = h('select', {name: 'reason', id: 'revoke-reason'},
    Object.entries(reasons).map(([value, text]) => h('option', {value}, text)));
  return h('form', {class: 'card inline', id: 'revoke', onsubmit: (ev) => {
    ev.preventDefault();
    const reason = select.value;
    const question = t('confirm_revoke').replace('{serial}', serial).replace('{reason}', reasons[reason]);
    if (!window.confirm(question)) return;
    act(() => api('POST', `certificates/${encodeURIComponent(serial)}/revoke`, {reason}));
  }}, labelled(t('revoke_reason'), select),
  h('button', {type: 'submit', name: 'revoke', class: 'secondary'}, t('revoke')));
}

async function viewCert(render, serial) {
  const c = await api('GET', `certificates/${encodeURIComponent(serial)}`);
  const ca = me.role === 'ca_officer' || me.role === 'ca_admin';
  /* a revocation already asked for waits for a second officer: said, not offered again */
  const waiting = ca && c.status !== 'revoked'
    ? (await api('GET', 'approvals')).find((a) => a.action === 'revoke' && a.object === c.serial) : null;
  const row = (key, value) => value ? h('tr', {}, h('th', {}, t(key)), h('td', {}, value)) : null;
  render(h('h1', {}, t('cert_title'), ' ', h('code', {}, c.serial)),
    h('table', {class: 'kv', id: 'cert'},
      row('cert_status', badge(c.status, null, CERT_WORDS[lang].cert_statuses[c.status] || c.status)),
      row('cert_common_name', c.common_name),
      row('cert_subject', h('span', {class: 'subject'}, c.subject)),
      row('cert_not_before', vnTime(c.not_before)), row('cert_not_after', vnTime(c.not_after)),
      row('cert_effective', c.effective_at && vnTime(c.effective_at)),
      row('cert_revoked_at', c.revoked_at && vnTime(c.revoked_at)),
      row('cert_revocation_reason', c.status === 'revoked' &&
        (CERT_WORDS[lang].revoke_reasons[REVOKE_REASON_CODES[c.revocation_reason]] || String(c.revocation_reason)))),
    waiting ? h('div', {class: 'card', id: 'revoke-waiting'}, `${t('approval_waiting')} (#${waiting.id})`)
      : ca && c.status !== 'revoked' ? revokeForm(c.serial) : null);
}
