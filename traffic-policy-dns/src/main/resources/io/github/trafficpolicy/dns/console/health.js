// Health: the live status of every health check (refreshed every few seconds while the screen is shown), its
// last result and reason, and the policies, versions and nodes that use it.

import {api} from './api.js';
import {clear, h} from './dom.js';
import {clock, emptyState, errorBox, loadPolicies, policyHref, replaceQuery} from './ops.js';
import {register} from './router.js';

register('health', {title: 'Health checks', nav: 'Health', order: 60, render});

const REFRESH_MS = 5000;

function render(container, params, query) {
  container.appendChild(h('h1', {}, 'Health checks'));
  const filter = h('input', {id: 'health-filter', type: 'search', class: 'filter', value: query.q || '', placeholder: 'Filter by id, status or policy',
    'aria-label': 'Filter health checks'});
  const live = h('input', {type: 'checkbox', id: 'health-live', checked: true});
  const updated = h('span', {class: 'muted', id: 'health-updated'});
  const box = h('div', {class: 'health-box'});
  container.append(h('div', {class: 'toolbar'}, filter,
      h('label', {class: 'check'}, live, 'Refresh every ' + REFRESH_MS / 1000 + ' s'),
      h('button', {onclick: () => load()}, 'Refresh now'), h('span', {class: 'spacer'}), updated), box);

  let checks = null;
  let timer = null;
  let stopped = false;
  let failure = null;
  let names = new Map();

  async function load() {
    clearTimeout(timer);
    try {
      if (!names.size) {
        // Policy names for the "used by" links; ids alone when they cannot be listed.
        names = new Map((await loadPolicies().catch(() => [])).map(p => [p.id, p.name || p.id]));
      }
      checks = (await api.get('health')).checks || [];
      failure = null;
      updated.textContent = 'Updated ' + clock(Date.now());
    } catch (e) {
      failure = e;
    }
    if (stopped) {
      return;
    }
    draw();
    schedule();
  }

  function schedule() {
    clearTimeout(timer);
    if (live.checked && !stopped) {
      timer = setTimeout(load, REFRESH_MS);
    }
  }

  function draw() {
    clear(box);
    if (failure) {
      box.appendChild(errorBox(failure, 'Refreshing health'));
    }
    if (checks === null) {
      return;
    }
    if (!checks.length) {
      box.appendChild(emptyState('No health checks.', 'Policies name health checks with "HealthCheck" on their '
          + 'entries; the server probes those configured in its health settings or reads their status from a file.'));
      return;
    }
    const f = filter.value.trim().toLowerCase();
    const shown = checks.filter(c => !f || [c.id, c.type, c.status, c.source,
      ...(c.usedBy || []).flatMap(u => [u.policyId, names.get(u.policyId)])]
        .some(x => String(x || '').toLowerCase().includes(f)));
    const counts = {};
    checks.forEach(c => counts[norm(c.status)] = (counts[norm(c.status)] || 0) + 1);
    box.appendChild(h('p', {class: 'summary'}, ['healthy', 'unhealthy', 'unknown'].filter(s => counts[s])
        .map(s => h('span', {class: ['badge', s]}, counts[s] + ' ' + s))));
    if (!shown.length) {
      box.appendChild(emptyState('No health check matches “' + filter.value + '”.'));
      return;
    }
    box.appendChild(h('table', {class: 'data health-table'},
        h('thead', {}, h('tr', {}, h('th', {}, 'Health check'), h('th', {}, 'Status'), h('th', {}, 'Source'),
            h('th', {}, 'Last result'), h('th', {}, 'Reason'), h('th', {class: 'num'}, 'Latency'), h('th', {}, 'Used by'))),
        h('tbody', {}, shown.sort((a, b) => statusOrder(a) - statusOrder(b) || a.id.localeCompare(b.id)).map(row))));
  }

  function row(c) {
    const last = c.lastResult || null;
    return h('tr', {dataset: {check: c.id}},
        h('td', {}, h('code', {}, c.id), c.type ? h('div', {class: 'muted small'}, c.type) : null),
        h('td', {}, h('span', {class: ['badge', norm(c.status)]}, norm(c.status))),
        h('td', {}, c.source || 'unknown'),
        h('td', {}, last ? [clock(last.at), ' ', h('span', {class: ['badge', last.healthy ? 'healthy' : 'unhealthy']},
          last.healthy ? 'pass' : 'fail')] : h('span', {class: 'muted'}, c.source === 'file' ? 'set by the status file'
          : c.source === 'probe' ? 'no result yet' : 'not checked here')),
        h('td', {class: 'reason'}, last && last.reason ? last.reason : h('span', {class: 'muted'}, '—')),
        h('td', {class: 'num'}, last && typeof last.latencyMs === 'number' ? last.latencyMs.toFixed(1) + ' ms' : '—'),
        h('td', {}, (c.usedBy || []).length ? h('ul', {class: 'used-by'}, c.usedBy.map(u => h('li', {},
            h('a', {href: policyHref(u.policyId, u.version), title: u.policyId}, (names.get(u.policyId) || u.policyId)
                + ' v' + u.version), ': ',
            (u.nodeIds || []).map((n, i) => [i ? ', ' : '', h('a', {href: policyHref(u.policyId, u.version, n)}, n)]))))
          : h('span', {class: 'muted'}, 'no policy')));
  }

  filter.addEventListener('input', () => {
    replaceQuery('health', {q: filter.value});
    draw();
  });
  live.addEventListener('change', () => (live.checked ? load() : clearTimeout(timer)));
  load();
  return () => {
    stopped = true;
    clearTimeout(timer);
  };
}

function norm(status) {
  const s = String(status || 'unknown').toLowerCase();
  return s === 'healthy' || s === 'unhealthy' ? s : 'unknown';
}

function statusOrder(c) {
  return {unhealthy: 0, unknown: 1, healthy: 2}[norm(c.status)];
}
