// Policy records: the names bound to a policy version, by zone and by policy. Create one; move one, several or
// all records of a policy to a version in one step (all or nothing); roll back; delete; each record's history.

import {api, currentSession, seg} from './api.js';
import {append, clear, h, notify} from './dom.js';
import {
  confirmAction, emptyState, errorBox, loadPolicies, loading, policyHref, policyLabel, policyVersionPicker,
  replaceQuery, routeHref,
} from './ops.js';
import {register} from './router.js';

register('records', {title: 'Policy records', nav: 'Records', order: 30, render});

async function render(container, params, query) {
  const filters = {zone: query.zone || '', policyId: query.policyId || '', version: query.version || ''};
  const readOnly = !!(currentSession() && currentSession().readOnly);
  container.appendChild(h('h1', {}, 'Policy records'));
  const body = h('div', {class: 'records'}, loading('records'));
  container.appendChild(body);

  let zones;
  let policies;
  try {
    [zones, policies] = await Promise.all([api.get('zones').then(d => d.zones || []), loadPolicies()]);
  } catch (e) {
    clear(body).appendChild(errorBox(e, 'Loading zones and policies'));
    return;
  }
  clear(body);

  const selected = new Set();
  const open = new Set();
  let records = [];

  // Filters: zone, policy, version (kept in the address so a filtered list can be linked).
  const zoneSelect = h('select', {id: 'records-zone', 'aria-label': 'Zone'},
      h('option', {value: ''}, 'All zones'),
      zones.map(z => h('option', {value: z.name, selected: z.name === filters.zone}, z.name + ' (' + z.records + ')')));
  const picker = policyVersionPicker({policies, policyId: filters.policyId, version: filters.version,
    anyPolicy: 'All policies', anyVersion: 'All versions', idPrefix: 'records-filter', onChange: reload});
  zoneSelect.addEventListener('change', reload);
  const nameFilter = h('input', {id: 'records-filter-name', type: 'search', placeholder: 'Filter names',
    'aria-label': 'Filter records by name', value: query.q || '', oninput: () => {
      replaceQuery('records', Object.assign({}, filters, {q: nameFilter.value}));
      drawTable();
    }});
  const newButton = h('button', {id: 'records-new', class: 'primary', disabled: readOnly || !policies.length,
    title: readOnly ? 'Read-only key' : null, onclick: () => toggleCreate()}, 'New record');
  body.appendChild(h('div', {class: 'toolbar'},
      h('label', {class: 'inline'}, 'Zone', zoneSelect),
      h('label', {class: 'inline'}, 'Policy', picker.policySelect),
      h('label', {class: 'inline'}, 'Version', picker.versionSelect),
      nameFilter,
      h('span', {class: 'spacer'}),
      newButton));

  const createBox = h('div', {class: 'panel create-record', hidden: true});
  const bulkBar = h('div', {class: 'bulk-bar', hidden: true});
  const tableBox = h('div', {class: 'table-box'});
  body.append(createBox, bulkBar, tableBox);

  function toggleCreate() {
    if (!createBox.hidden) {
      createBox.hidden = true;
      return;
    }
    clear(createBox);
    const zoneInput = h('input', {id: 'create-zone', list: 'create-zones', required: true,
      value: zoneSelect.value || (zones[0] && zones[0].name) || '', placeholder: 'example.com.'});
    const nameInput = h('input', {id: 'create-name', required: true, placeholder: 'www.example.com.'});
    const ttlInput = h('input', {id: 'create-ttl', type: 'number', min: '0', max: '2147483647', value: '60', required: true});
    const target = policyVersionPicker({policies, policyId: picker.policyId || undefined, idPrefix: 'create'});
    const error = h('div', {class: 'form-error'});
    const form = h('form', {class: 'form-grid', onsubmit: async ev => {
      ev.preventDefault();
      clear(error);
      const zone = zoneInput.value.trim();
      let name = nameInput.value.trim();
      if (name && !name.endsWith('.') && zone && !name.toLowerCase().endsWith(zone.replace(/\.$/, '').toLowerCase())) {
        // A relative name ("www") is completed with the zone, as in a zone file.
        name = name + '.' + zone;
      }
      try {
        const r = await api.post('records', {zone, name, ttl: Number(ttlInput.value), policyId: target.policyId,
          version: target.version});
        notify('Created ' + r.name + ' → ' + policyName(r.policyId) + ' v' + r.version, 'ok');
        createBox.hidden = true;
        await refresh();
      } catch (e) {
        error.appendChild(errorBox(e, 'Creating the record'));
      }
    }},
    h('datalist', {id: 'create-zones'}, zones.map(z => h('option', {value: z.name}))),
    h('label', {}, 'Zone', zoneInput),
    h('label', {}, 'Name', nameInput),
    h('label', {}, 'TTL (seconds)', ttlInput),
    h('label', {}, 'Policy', target.policySelect),
    h('label', {}, 'Version', target.versionSelect),
    h('div', {class: 'form-actions'},
        h('button', {type: 'submit', id: 'create-submit', class: 'primary'}, 'Create record'),
        h('button', {type: 'button', onclick: () => {
          createBox.hidden = true;
        }}, 'Cancel')));
    createBox.append(h('h2', {}, 'New policy record'),
        h('p', {class: 'muted'}, 'The name answers from the chosen policy version as soon as it is created. A name '
            + 'without a final dot is taken relative to the zone.'),
        form, error);
    createBox.hidden = false;
    nameInput.focus();
  }

  async function reload() {
    filters.zone = zoneSelect.value;
    filters.policyId = picker.policyId;
    filters.version = picker.version ? String(picker.version) : '';
    replaceQuery('records', Object.assign({}, filters, {q: nameFilter.value}));
    selected.clear();
    await refresh();
  }

  async function refresh() {
    const q = new URLSearchParams(Object.entries(filters).filter(([, v]) => v));
    clear(tableBox).appendChild(loading('records'));
    try {
      records = (await api.get('records' + (q.toString() ? '?' + q : ''))).records || [];
    } catch (e) {
      clear(tableBox).appendChild(errorBox(e, 'Loading records'));
      return;
    }
    records.sort((a, b) => a.zone.localeCompare(b.zone) || a.name.localeCompare(b.name));
    for (const n of [...selected]) {
      if (!records.some(r => r.name === n)) {
        selected.delete(n);
      }
    }
    drawTable();
    drawBulk();
  }

  function drawTable() {
    clear(tableBox);
    const f = nameFilter.value.trim().toLowerCase();
    const shown = f ? records.filter(r => r.name.toLowerCase().includes(f)) : records;
    if (records.length && !shown.length) {
      tableBox.appendChild(emptyState('No record name contains “' + nameFilter.value.trim() + '”.',
          records.length + (records.length === 1 ? ' record is' : ' records are') + ' hidden by the name filter.'));
      return;
    }
    if (!records.length) {
      const filtered = filters.zone || filters.policyId;
      tableBox.appendChild(emptyState(filtered ? 'No record matches these filters.' : 'No policy records yet.',
          filtered ? 'Choose "All zones" and "All policies" to see every record.'
              : 'A policy record binds a DNS name to a policy version. Use "New record" to answer a name from a policy.'));
      return;
    }
    const all = h('input', {type: 'checkbox', id: 'records-select-all', 'aria-label': 'Select every record shown',
      checked: shown.every(r => selected.has(r.name)), disabled: readOnly,
      onchange: ev => {
        for (const r of shown) {
          ev.target.checked ? selected.add(r.name) : selected.delete(r.name);
        }
        drawTable();
        drawBulk();
      }});
    const rows = [];
    for (const r of shown) {
      const history = r.history || [];
      const previous = history.length ? history[history.length - 1] : null;
      rows.push(h('tr', {class: selected.has(r.name) ? 'selected' : null, dataset: {name: r.name}},
          h('td', {class: 'check'}, h('input', {type: 'checkbox', class: 'record-select', disabled: readOnly,
            'aria-label': 'Select ' + r.name, checked: selected.has(r.name), onchange: ev => {
              ev.target.checked ? selected.add(r.name) : selected.delete(r.name);
              ev.target.closest('tr').classList.toggle('selected', ev.target.checked);
              all.checked = shown.every(x => selected.has(x.name));
              drawBulk();
            }})),
          h('td', {class: 'name'}, h('code', {}, r.name)),
          h('td', {}, r.zone),
          h('td', {}, h('span', {class: 'badge'}, r.type || '')),
          h('td', {class: 'num'}, String(r.ttl)),
          h('td', {}, h('a', {href: policyHref(r.policyId, r.version)}, policyName(r.policyId))),
          h('td', {class: 'version'}, h('a', {href: policyHref(r.policyId, r.version)}, 'v' + r.version)),
          h('td', {}, history.length
            ? h('button', {class: 'link history-toggle', 'aria-expanded': String(open.has(r.name)), onclick: () => {
              open.has(r.name) ? open.delete(r.name) : open.add(r.name);
              drawTable();
            }}, history.length + (history.length === 1 ? ' change' : ' changes'))
            : h('span', {class: 'muted'}, 'none')),
          h('td', {class: 'actions'},
              h('button', {class: 'rollback', disabled: readOnly || !previous,
                title: previous ? 'Back to ' + policyName(previous.policyId) + ' v' + previous.version : 'No earlier version',
                onclick: () => rollback(r, previous)}, 'Roll back'),
              h('button', {class: 'danger delete', disabled: readOnly, onclick: () => remove(r)}, 'Delete'))));
      if (open.has(r.name)) {
        rows.push(h('tr', {class: 'history-row'}, h('td', {}), h('td', {colspan: '8'}, historyList(r))));
      }
    }
    tableBox.appendChild(h('table', {class: 'data records-table'},
        h('thead', {}, h('tr', {},
            h('th', {class: 'check'}, all), h('th', {}, 'Name'), h('th', {}, 'Zone'), h('th', {}, 'Type'),
            h('th', {class: 'num'}, 'TTL'), h('th', {}, 'Policy'), h('th', {}, 'Version'), h('th', {}, 'History'),
            h('th', {}, ''))),
        h('tbody', {}, rows)));
    tableBox.appendChild(h('p', {class: 'muted count'}, (shown.length < records.length ? shown.length + ' of ' : '')
        + records.length + (records.length === 1 ? ' record' : ' records')));
  }

  function historyList(r) {
    const steps = [...(r.history || []), {policyId: r.policyId, version: r.version, current: true}];
    return h('ol', {class: 'history'}, steps.map(s => h('li', {class: s.current ? 'current' : null},
        h('a', {href: policyHref(s.policyId, s.version)}, policyName(s.policyId) + ' v' + s.version),
        s.current ? h('span', {class: 'badge'}, 'current') : null)));
  }

  function policyName(id) {
    const p = policies.find(x => x.id === id);
    return p ? policyLabel(p) : id;
  }

  // The bar for moving records: the selection, or every record of the filtered policy, to a version.
  function drawBulk() {
    clear(bulkBar);
    const policyOfFilter = policies.find(p => p.id === filters.policyId);
    if (readOnly || (!selected.size && !policyOfFilter)) {
      bulkBar.hidden = true;
      return;
    }
    bulkBar.hidden = false;
    const chosen = records.filter(r => selected.has(r.name));
    const common = chosen.length && chosen.every(r => r.policyId === chosen[0].policyId) ? chosen[0].policyId : null;
    const target = policyVersionPicker({policies, policyId: common || filters.policyId || undefined, idPrefix: 'move'});
    const ttl = h('input', {id: 'move-ttl', type: 'number', min: '0', placeholder: 'keep', class: 'narrow',
      'aria-label': 'New TTL (optional)'});
    const moveSelected = h('button', {id: 'move-selected', class: 'primary', disabled: !selected.size,
      onclick: () => move({names: chosen.map(r => r.name)}, chosen.length + ' selected record' + (chosen.length === 1 ? '' : 's'),
          target, ttl)}, 'Move ' + (selected.size || '') + ' selected');
    const moveAll = policyOfFilter ? h('button', {id: 'move-all', onclick: () => {
      const t = {policyId: policyOfFilter.id, version: target.policyId === policyOfFilter.id ? target.version : null};
      if (t.version === null) {
        notify('Moving every record of a policy goes to one of its own versions: choose ' + policyOfFilter.id, 'error');
        return;
      }
      move({all: true}, 'every record of ' + policyLabel(policyOfFilter), target, ttl);
    }}, 'Move all records of ' + policyOfFilter.id) : null;
    append(bulkBar, [
        h('strong', {}, selected.size ? selected.size + ' selected' : 'Roll out'),
        h('span', {}, 'to'), target.policySelect, target.versionSelect,
        h('label', {class: 'inline'}, 'TTL', ttl),
        moveSelected, moveAll,
        selected.size ? h('button', {class: 'link', onclick: () => {
          selected.clear();
          drawTable();
          drawBulk();
        }}, 'Clear selection') : null]);
  }

  async function move(which, what, target, ttlInput) {
    const body = Object.assign({}, which, {policyId: target.policyId, version: target.version});
    if (ttlInput.value !== '') {
      body.ttl = Number(ttlInput.value);
    }
    const ok = await confirmAction({title: 'Move records',
      message: h('p', {}, 'Move ', h('strong', {}, what), ' to ', h('strong', {}, policyName(target.policyId) + ' v' + target.version),
          body.ttl !== undefined ? ' with TTL ' + body.ttl : '', '? They answer from it at once. All move, or none does.'),
      confirm: 'Move'});
    if (!ok) {
      return;
    }
    try {
      const res = await api.post('records/update', body);
      const n = (res.records || []).length;
      notify('Moved ' + n + (n === 1 ? ' record' : ' records') + ' to ' + policyName(target.policyId) + ' v' + target.version,
          'ok');
      selected.clear();
      await refresh();
    } catch (e) {
      clear(bulkBar).appendChild(errorBox(e, 'Moving the records (nothing was changed)'));
      bulkBar.appendChild(h('button', {onclick: drawBulk}, 'Back'));
    }
  }

  async function rollback(r, previous) {
    const ok = await confirmAction({title: 'Roll back ' + r.name,
      message: h('p', {}, h('code', {}, r.name), ' answers from ', h('strong', {}, policyName(r.policyId) + ' v' + r.version),
          '. Roll it back to ', h('strong', {}, policyName(previous.policyId) + ' v' + previous.version), '?'),
      confirm: 'Roll back'});
    if (!ok) {
      return;
    }
    try {
      const res = await api.post('records/' + seg(r.name) + '/rollback');
      notify('Rolled back ' + res.name + ' to ' + policyName(res.policyId) + ' v' + res.version, 'ok');
      await refresh();
    } catch (e) {
      notify('Roll back failed: ' + e.message, 'error');
    }
  }

  async function remove(r) {
    const ok = await confirmAction({title: 'Delete ' + r.name,
      message: h('p', {}, 'Delete the policy record ', h('code', {}, r.name), '? The name stops answering from ',
          policyName(r.policyId) + ' v' + r.version, ' at once, and its history is lost. The policy is kept.'),
      confirm: 'Delete', danger: true});
    if (!ok) {
      return;
    }
    try {
      await api.del('records/' + seg(r.name));
      notify('Deleted ' + r.name, 'ok');
      selected.delete(r.name);
      await refresh();
    } catch (e) {
      notify('Delete failed: ' + e.message, 'error');
    }
  }

  if (!policies.length) {
    body.appendChild(emptyState('No policies yet.', 'A record answers from a policy version: ',
        h('a', {href: routeHref('policies')}, 'create a policy'), ' first.'));
  }
  await refresh();
}
