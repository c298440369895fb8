/*
 * reports.js — the portal's reports page (#/reports) for the CA and the auditor: a period and an
 * agency chosen, the figures of GET /api/v1/reports as tables, the server's SVG charts as images,
 * and each table as a CSV download. It uses portal.js's helpers (h, table, api, agencyCell, lang),
 * which are defined by the time a view runs; the server decides who may read (403 otherwise).
 */
'use strict';

const REPORT_WORDS = {
  vi: {
    title: 'Báo cáo tình hình giải quyết hồ sơ', from: 'Từ ngày', to: 'Đến ngày (không tính)',
    agency: 'Cơ quan', all: 'Tất cả cơ quan', show: 'Xem báo cáo', total: 'Tổng cộng',
    period: 'Kỳ báo cáo', end_excluded: 'không tính ngày cuối', dossiers: 'Hồ sơ theo cơ quan', certificates: 'Chứng thư số theo cơ quan',
    steps: 'Đúng hạn và thời gian xử lý theo bước', charts: 'Biểu đồ', csv: 'Tải bảng CSV',
    received: 'Tiếp nhận', waiting: 'Chờ kiểm tra', accepted: 'Hợp lệ, đang xử lý',
    needs_supplement: 'Chờ bổ sung', rejected: 'Từ chối', withdrawn: 'Rút', completed: 'Hoàn thành',
    issued: 'Đã ký', published: 'Đã công bố (có hiệu lực)', revoked: 'Đã thu hồi',
    step2: 'Bước 2 (Cục, 3 ngày làm việc)', step3: 'Bước 3 (thời gian của cơ quan)',
    step4: 'Bước 4 (Cục, 1 ngày làm việc)', on_time: 'đúng hạn', median: 'trung vị',
    days: 'ngày làm việc', not_counted: 'không tính cho Cục', none: '—',
    chart_agencies: 'Biểu đồ hồ sơ tiếp nhận và hoàn thành theo cơ quan',
    chart_on_time: 'Biểu đồ tỉ lệ đúng hạn theo bước',
    note: 'Hồ sơ được tính theo ngày tiếp nhận trong kỳ, với trạng thái hiện nay. Một bước được tính khi nó kết thúc trong kỳ; thời gian tính bằng ngày làm việc (không tính thứ Bảy, Chủ nhật, ngày lễ, Tết) kể từ sau ngày bắt đầu.',
  },
  en: {
    title: 'Procedure report', from: 'From', to: 'To (not included)', agency: 'Agency',
    all: 'All agencies', show: 'Show report', total: 'Total', period: 'Period', end_excluded: 'end not included',
    dossiers: 'Dossiers per agency', certificates: 'Certificates per agency',
    steps: 'Timeliness and processing time per step', charts: 'Charts', csv: 'Download CSV',
    received: 'Received', waiting: 'Awaiting check', accepted: 'Accepted, in progress',
    needs_supplement: 'Needs supplement', rejected: 'Rejected', withdrawn: 'Withdrawn',
    completed: 'Completed', issued: 'Signed', published: 'Published (valid)', revoked: 'Revoked',
    step2: 'Step 2 (CA, 3 working days)', step3: "Step 3 (the agency's time)",
    step4: 'Step 4 (CA, 1 working day)', on_time: 'on time', median: 'median', days: 'working days',
    not_counted: 'not counted against the CA', none: '—',
    chart_agencies: 'Chart of dossiers received and completed per agency',
    chart_on_time: 'Chart of the on-time rate per step',
    note: 'Dossiers are counted by their day of receipt in the period, in the state they are in now. A step counts when it ends in the period; times are in working days (weekends and public holidays excluded) after the day it started.',
  },
};

function rt(key) {
  return REPORT_WORDS[lang][key] ?? key;
}

function reportNumber(x, digits) {
  return new Intl.NumberFormat(lang === 'en' ? 'en-GB' : 'vi-VN', {maximumFractionDigits: digits}).format(x);
}

/* "3/4 (75%)" and "2,5 ngày làm việc", or a dash when no step ended */
function onTimeText(s) {
  return s.done ? `${s.on_time}/${s.done} (${reportNumber(s.on_time_percent, 1)}%)` : rt('none');
}
function medianText(s) {
  return s.median_days === null ? rt('none') : `${reportNumber(s.median_days, 1)} ${rt('days')}`;
}

/* The month of today (Vietnam time) as [first day, first day of the next month]. */
function thisMonth() {
  const now = new Date(Date.now() + 7 * 3600 * 1000);
  const y = now.getUTCFullYear(), m = now.getUTCMonth();
  const day = (yy, mm) => new Date(Date.UTC(yy, mm, 1)).toISOString().slice(0, 10);
  return [day(y, m), day(y, m + 1)];
}

function reportQuery(from, to, agency) {
  const q = new URLSearchParams({from, to});
  if (agency) q.set('agency', agency);
  return q.toString();
}

function reportTables(r, query) {
  const rows = [...r.agencies, {...r.total, agency: '', name: rt('total')}];
  const name = (x) => x.agency ? agencyCell(x.agency) : h('strong', {}, x.name);
  const csv = (tableName) => h('a', {href: `/api/v1/reports/${tableName}.csv?${query}`, download: '',
    class: 'csv', 'data-csv': tableName}, `${rt('csv')} (${tableName}.csv)`);
  const dossierCols = ['received', 'waiting', 'accepted', 'needs_supplement', 'rejected', 'withdrawn', 'completed'];
  const certCols = ['issued', 'published', 'revoked'];
  return [
    h('h2', {}, rt('dossiers')),
    table([rt('agency'), ...dossierCols.map(rt)], rows.map((x) => h('tr', {class: x.agency ? null : 'total'},
      h('td', {}, name(x)), dossierCols.map((c) => h('td', {class: 'num'}, x.dossiers[c]))))),
    h('p', {}, csv('dossiers')),
    h('h2', {}, rt('certificates')),
    table([rt('agency'), ...certCols.map(rt)], rows.map((x) => h('tr', {class: x.agency ? null : 'total'},
      h('td', {}, name(x)), certCols.map((c) => h('td', {class: 'num'}, x.certificates[c]))))),
    h('p', {}, csv('certificates')),
    h('h2', {}, rt('steps')),
    table([rt('agency'), `${rt('step2')}: ${rt('on_time')}`, `${rt('step2')}: ${rt('median')}`,
      `${rt('step3')}: ${rt('median')}`, `${rt('step4')}: ${rt('on_time')}`, `${rt('step4')}: ${rt('median')}`],
    rows.map((x) => h('tr', {class: x.agency ? null : 'total'}, h('td', {}, name(x)),
      h('td', {class: 'num'}, onTimeText(x.steps.step2)), h('td', {class: 'num'}, medianText(x.steps.step2)),
      h('td', {class: 'num'}, medianText(x.steps.step3), h('div', {class: 'muted'}, rt('not_counted'))),
      h('td', {class: 'num'}, onTimeText(x.steps.step4)), h('td', {class: 'num'}, medianText(x.steps.step4))))),
    h('p', {}, csv('steps')),
  ];
}

async function viewReports(render) {
  const [monthFrom, monthTo] = thisMonth();
  const from = h('input', {type: 'date', name: 'from', value: monthFrom, required: true});
  const to = h('input', {type: 'date', name: 'to', value: monthTo, required: true});
  await loadAgencyNames();
  const agency = h('select', {name: 'agency'}, h('option', {value: ''}, rt('all')),
    Object.entries(agencyNames || {}).sort(([a], [b]) => a.localeCompare(b)).map(([code, name]) =>
      h('option', {value: code}, `${name} (${code})`)));
  const out = h('div', {id: 'report'});
  const load = async () => {
    flash('', '');
    const query = reportQuery(from.value, to.value, agency.value);
    try {
      const r = await api('GET', `reports?${query}`);
      out.replaceChildren(
        h('p', {class: 'muted', id: 'report-period'}, `${rt('period')}: ${vnDate(r.from)} – ${vnDate(r.to)} (${rt('end_excluded')})`),
        h('h2', {}, rt('charts')),
        h('div', {class: 'charts'},
          h('img', {class: 'chart', src: `/api/v1/reports/agencies.svg?${query}`, alt: rt('chart_agencies'), width: 360}),
          h('img', {class: 'chart', src: `/api/v1/reports/on_time.svg?${query}`, alt: rt('chart_on_time'), width: 360})),
        ...reportTables(r, query),
        h('p', {class: 'muted'}, rt('note')));
    } catch (e) {
      out.replaceChildren();
      flash('error', e.message);
    }
  };
  render(h('h1', {}, rt('title')),
    h('form', {class: 'card inline', id: 'report-period-form', onsubmit: (ev) => {
      ev.preventDefault();
      load();
    }}, labelled(rt('from'), from), labelled(rt('to'), to), labelled(rt('agency'), agency),
    h('button', {type: 'submit'}, rt('show'))),
    out);
  await load();
}
