/*
 * approvals.js — four eyes in the portal: the queue "Chờ phê duyệt" of requests waiting for a
 * second officer (GET /api/v1/approvals), each approved or declined with a reason, and the
 * words a step answered 202 shows. Loaded before portal.js, whose helpers (h, t, api, act,
 * table, vnTime) it uses once the page runs.
 */
'use strict';

const APPROVAL_WORDS = {
  vi: {nav_approvals: 'Chờ phê duyệt', approval_id: 'Số', approval_waiting: 'Đang chờ cán bộ thứ hai phê duyệt',
       approve: 'Phê duyệt', decline: 'Từ chối', decline_reason: 'Lý do từ chối:',
       approval_requested_by: 'Người đề nghị', approval_requested_at: 'Lúc',
       approval_step: 'Thao tác', approval_object: 'Đối tượng', approval_details: 'Chi tiết',
       approval_none: 'Không có yêu cầu nào đang chờ phê duyệt.',
       approval_own: 'Yêu cầu của bạn: cần một cán bộ khác phê duyệt'},
  en: {nav_approvals: 'Awaiting approval', approval_id: 'No.', approval_waiting: 'Waiting for a second officer to approve',
       approve: 'Approve', decline: 'Decline', decline_reason: 'Why is it declined?',
       approval_requested_by: 'Requested by', approval_requested_at: 'At',
       approval_step: 'Step', approval_object: 'Object', approval_details: 'Details',
       approval_none: 'No request is waiting for approval.',
       approval_own: 'Your request: another officer must approve it'},
};

/* The note after an action: a step that now waits for a second officer says so. */
function approvalNote(result) {
  return result && result.state === 'pending' && result.requested_by
    ? `${t('approval_waiting')} (#${result.id})` : null;
}

function approvalDetails(p) {
  return Object.entries(p || {}).map(([k, v]) => `${k}: ${v}`).join(', ');
}

async function viewApprovals(render) {
  const list = await api('GET', 'approvals');
  const decline = (a) => {
    const reason = prompt(t('decline_reason'));
    if (reason === null) return;
    act(() => api('POST', `approvals/${a.id}/decline`, {reason}));
  };
  const buttons = (a) => a.requested_by === me.username
    ? h('span', {class: 'muted'}, t('approval_own'))
    : h('span', {},
      h('button', {type: 'button', 'data-approve': a.id, onclick: () => act(() => api('POST', `approvals/${a.id}/approve`))}, t('approve')),
      ' ',
      h('button', {type: 'button', class: 'secondary', 'data-decline': a.id, onclick: () => decline(a)}, t('decline')));
  render(h('h1', {}, t('nav_approvals')),
    list.length === 0 ? h('p', {class: 'muted', id: 'approvals-empty'}, t('approval_none'))
      : table([t('approval_id'), t('approval_step'), t('approval_object'), t('approval_details'),
        t('approval_requested_by'), t('approval_requested_at'), ''],
      list.map((a) => h('tr', {'data-approval': a.id}, h('td', {}, `#${a.id}`),
        h('td', {}, lang === 'en' ? a.label_en : a.label_vi), h('td', {}, h('code', {}, a.object)),
        h('td', {}, approvalDetails(a.parameters)), h('td', {}, a.requested_by),
        h('td', {}, vnTime(a.requested_at)), h('td', {}, buttons(a))))));
}
