/*
 * requests.js — an agency's requests about certificates its subscribers already hold
 * (#/requests): suspension, resumption, revocation, renewal, change of details, and token care
 * (PIN reset, lost token, broken token), sent as an online dossier (POST /api/v1/dossiers with its kind) and received like a new issuance: a
 * code, a receipt, a due time. Also the kind of a dossier as a badge and the revocation's
 * reason in words, which the queue, the dossier page and the lookup show. Loaded before
 * portal.js, whose helpers (h, t, api, act, labelled, table, badge, vnTime) it uses once the
 * page runs.
 *
 * The kinds, their labels and which certificate fits which kind come from the server
 * (GET /agencies/{code}/certificates): a kind added there shows up here. What a kind asks
 * beyond the certificates is a line of REQUEST_FIELDS.
 */
'use strict';

const REQUEST_WORDS = {
  vi: {nav_requests: 'Yêu cầu về chứng thư', requests_title: 'Yêu cầu về chứng thư đã cấp',
       requests_hint: 'Yêu cầu được nộp trực tuyến như một hồ sơ: có mã hồ sơ, giấy tiếp nhận và hạn giải quyết. Chỉ những chứng thư số của cơ quan ở trạng thái phù hợp với loại yêu cầu mới hiện ra để chọn.',
       request_kind: 'Loại yêu cầu', request_certs: 'Chứng thư số',
       request_none_fit: 'Cơ quan không có chứng thư số nào phù hợp với loại yêu cầu này.',
       request_pick_one: 'Chọn ít nhất một chứng thư số.', request_submit: 'Gửi yêu cầu',
       request_confirm: 'Gửi yêu cầu "{kind}" cho {n} chứng thư số?',
       request_reason: 'Lý do thu hồi', token_lost_reason: 'Hoàn cảnh mất thiết bị',
       token_broken_reason: 'Mô tả hỏng hóc', pin_reset_note: 'Ghi chú',
       request_text_missing: 'Chưa điền "{field}".',
       request_text_long: '{field}: tối đa {max} byte (hiện {n} byte); hãy viết ngắn lại.',
       request_cert: 'Chứng thư số được yêu cầu',
       holder: 'Người giữ', expires: 'Hết hạn', pick: 'Chọn', new_details: 'Thông tin mới',
       new_full_name: 'Họ và tên mới', new_unit: 'Đơn vị mới', new_position: 'Chức vụ mới',
       request_reasons: {affiliationChanged: 'Chuyển công tác, nghỉ việc',
         keyCompromise: 'Mất thiết bị, lộ khóa bí mật', cessationOfOperation: 'Không còn sử dụng'},
       held_states: {active: 'Đang hiệu lực', suspended: 'Đang tạm dừng', hold: 'Chưa công bố',
         revoked: 'Đã thu hồi', expired: 'Hết hạn'},
       confirm_revoke_cert: 'Thu hồi chứng thư số {serial} ({name})? Chứng thư đã thu hồi không dùng lại được.',
       confirm_reset_pin: 'Đặt lại mã PIN của thiết bị mang chứng thư số {serial} ({name})? Mã PIN cũ không dùng được nữa; mã mới in trong phong bì mới.'},
  en: {nav_requests: 'Certificate requests', requests_title: 'Requests about issued certificates',
       requests_hint: 'A request is submitted online as a dossier: it gets a code, a receipt and a due time. Only the agency\'s certificates in a state that fits the kind of request are offered.',
       request_kind: 'Kind of request', request_certs: 'Certificates',
       request_none_fit: 'No certificate of the agency fits this kind of request.',
       request_pick_one: 'Pick at least one certificate.', request_submit: 'Submit the request',
       request_confirm: 'Submit a "{kind}" request for {n} certificate(s)?',
       request_reason: 'Reason for revocation', token_lost_reason: 'How the token was lost',
       token_broken_reason: 'What is broken', pin_reset_note: 'Note',
       request_text_missing: 'Please fill in "{field}".',
       request_text_long: '{field}: at most {max} bytes ({n} now); please shorten it.',
       request_cert: 'Certificate concerned',
       holder: 'Holder', expires: 'Expires', pick: 'Pick', new_details: 'New details',
       new_full_name: 'New full name', new_unit: 'New unit', new_position: 'New position',
       request_reasons: {affiliationChanged: 'Moved or left the post',
         keyCompromise: 'Token lost, key exposed', cessationOfOperation: 'No longer needed'},
       held_states: {active: 'Active', suspended: 'Suspended', hold: 'Not yet published',
         revoked: 'Revoked', expired: 'Expired'},
       confirm_revoke_cert: 'Revoke certificate {serial} ({name})? A revoked certificate cannot be used again.',
       confirm_reset_pin: 'Reset the PIN of the token holding certificate {serial} ({name})? The old PIN stops working; the new one is printed in a new envelope.'},
};

/*
 * What each kind asks beyond the certificates, by the kind's API name. A field with choices is
 * one select for the whole request (its words in REQUEST_WORDS[lang][words]); a field `each` is
 * an input per certificate, filled with the certificate's current value and sent only when
 * changed; any other field is a free text for the whole request, required unless `optional`, of
 * at most `maxBytes` bytes of UTF-8 (the API's bound, which counts bytes, not characters). A
 * kind not named here asks for nothing more.
 */
const REQUEST_FIELDS = {
  revocation: [{name: 'reason', label: 'request_reason', words: 'request_reasons',
    choices: ['affiliationChanged', 'keyCompromise', 'cessationOfOperation']}],
  change: [{name: 'full_name', label: 'new_full_name', each: true},
    {name: 'unit', label: 'new_unit', each: true}, {name: 'position', label: 'new_position', each: true}],
  /* token care: the circumstances are the applicant's reason; a loss must say when, where, how */
  token_lost: [{name: 'reason', label: 'token_lost_reason', maxBytes: 300}],
  token_broken: [{name: 'reason', label: 'token_broken_reason', optional: true, maxBytes: 300}],
  pin_reset: [{name: 'reason', label: 'pin_reset_note', optional: true, maxBytes: 300}],
};

/* A dossier's kind as a badge; a new issuance, the usual case, stays unmarked unless always. */
function kindBadge(record, always) {
  if (!record.kind || (record.kind === 'new' && !always)) return null;
  return h('span', {class: `badge kind ${record.kind}`, 'data-kind': record.kind},
    record.kind_label?.[lang] ?? record.kind);
}

/* A revocation's reason in words, the API's name beside it for the record. */
function requestReasonText(reason) {
  const words = REQUEST_WORDS[lang].request_reasons[reason];
  return words ? `${words} (${reason})` : reason;
}

/* One input of an `each` field for a certificate, or the select / text of a request field. */
function requestInput(field, cert) {
  if (field.choices) {
    const words = REQUEST_WORDS[lang][field.words] || {};
    return h('select', {name: field.name, id: `request-${field.name}`},
      field.choices.map((c) => h('option', {value: c}, words[c] || c)));
  }
  if (!cert) {
    return h('textarea', {name: field.name, id: `request-${field.name}`, rows: 3,
      required: field.optional ? null : true});
  }
  return h('input', {name: field.name, value: cert[field.name] || '', 'aria-label': `${t(field.label)} ${cert.serial}`});
}

/* What is wrong with the request's own free texts, in words, or null: a required one left
 * blank (spaces only pass the browser's own check), one longer than its bound in bytes. */
function requestTextProblem(fields, shared) {
  for (const f of fields.filter((f) => !f.each && !f.choices)) {
    const text = shared[f.name].value.trim();
    const bytes = new TextEncoder().encode(text).length;
    if (!f.optional && text === '') return t('request_text_missing').replace('{field}', t(f.label));
    if (f.maxBytes && bytes > f.maxBytes) {
      return t('request_text_long').replace('{field}', t(f.label)).replace('{max}', f.maxBytes).replace('{n}', bytes);
    }
  }
  return null;
}

async function viewRequests(render) {
  const [held, agencies] = await Promise.all([
    api('GET', `agencies/${encodeURIComponent(me.agency)}/certificates`), api('GET', 'agencies')]);
  const agency = agencies.find((a) => a.code === held.agency) || {};
  const kindSelect = h('select', {name: 'kind', id: 'request-kind'},
    held.kinds.map((k) => h('option', {value: k.kind}, k.label[lang] || k.kind)));
  const confirmedBy = h('input', {name: 'confirmed_by', id: 'request-confirmed-by', required: true,
    value: agency.head_name ? `${agency.head_name}, ${agency.head_title}` : ''});
  const fieldsBox = h('div', {id: 'request-fields'});
  const certsBox = h('div', {id: 'request-certs'});
  let picks = []; /* [{cert, checkbox, inputs: {name: input}}] of the kind shown now */
  let shared = {}; /* the request's own fields: name → input */

  /* the certificates that fit the kind, each with a box to tick and the kind's own inputs */
  function drawKind() {
    const kind = kindSelect.value;
    const fields = REQUEST_FIELDS[kind] || [];
    shared = Object.fromEntries(fields.filter((f) => !f.each).map((f) => [f.name, requestInput(f)]));
    fieldsBox.replaceChildren(...fields.filter((f) => !f.each).map((f) => labelled(t(f.label), shared[f.name])));
    const each = fields.filter((f) => f.each);
    picks = held.certificates.filter((c) => c.requests.includes(kind)).map((cert) => ({cert,
      checkbox: h('input', {type: 'checkbox', name: 'certificate', value: cert.serial, 'aria-label': `${t('pick')} ${cert.serial}`}),
      inputs: Object.fromEntries(each.map((f) => [f.name, requestInput(f, cert)]))}));
    certsBox.replaceChildren(picks.length === 0
      ? h('p', {class: 'muted', id: 'request-none'}, t('request_none_fit'))
      : table(['', t('holder'), t('cert_serial'), t('state'), t('expires'), ...(each.length ? [t('new_details')] : [])],
        picks.map((p) => h('tr', {'data-serial': p.cert.serial},
          h('td', {}, p.checkbox),
          h('td', {class: 'name-cell'}, h('strong', {}, p.cert.full_name),
            h('div', {class: 'muted'}, [p.cert.position, p.cert.unit].filter(Boolean).join(' — '))),
          h('td', {}, h('code', {}, p.cert.serial)),
          h('td', {}, badge(p.cert.state, p.cert.state, REQUEST_WORDS[lang].held_states[p.cert.state] || p.cert.state)),
          h('td', {}, vnTime(p.cert.not_after)),
          each.length ? h('td', {}, each.map((f) => labelled(t(f.label), p.inputs[f.name]))) : null)), 'request-certs'));
  }

  /* {serial} or, with `each` fields, {serial, field: new value…} for the changed ones only */
  function certEntry(p) {
    const changed = Object.entries(p.inputs).filter(([name, input]) => input.value.trim() !== (p.cert[name] || ''));
    return changed.length === 0 && Object.keys(p.inputs).length === 0 ? p.cert.serial
      : Object.fromEntries([['serial', p.cert.serial], ...changed.map(([name, input]) => [name, input.value.trim()])]);
  }

  kindSelect.addEventListener('change', drawKind);
  drawKind();
  render(h('h1', {}, t('requests_title')),
    h('p', {class: 'muted'}, t('requests_hint')),
    h('form', {class: 'card', id: 'request', onsubmit: (ev) => {
      ev.preventDefault();
      const chosen = picks.filter((p) => p.checkbox.checked);
      if (chosen.length === 0) {
        flash('error', t('request_pick_one'));
        return;
      }
      const problem = requestTextProblem(REQUEST_FIELDS[kindSelect.value] || [], shared);
      if (problem) {
        flash('error', problem);
        return;
      }
      const kindLabel = kindSelect.options[kindSelect.selectedIndex].text;
      if (!window.confirm(t('request_confirm').replace('{kind}', kindLabel).replace('{n}', chosen.length))) return;
      const body = {kind: kindSelect.value, agency: held.agency, channel: 'online',
        confirmed_by: confirmedBy.value.trim(), certificates: chosen.map(certEntry)};
      /* an optional text left blank is not sent */
      for (const [name, input] of Object.entries(shared)) if (input.value.trim()) body[name] = input.value.trim();
      act(async () => {
        const dossier = await api('POST', 'dossiers', body);
        /* the receipt, as for a new issuance: the dossier's page with its papers */
        location.hash = `#/dossiers/${encodeURIComponent(dossier.code)}`;
      });
    }},
    labelled(t('request_kind'), kindSelect), fieldsBox,
    h('h2', {}, t('request_certs')), certsBox,
    labelled(t('confirmed_by'), confirmedBy),
    h('div', {class: 'actions'}, h('button', {type: 'submit', id: 'request-submit'}, t('request_submit')))));
}
