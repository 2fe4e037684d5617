// Find what to update: every policy, version, node and record that uses an endpoint value or a health check id,
// then new versions with the value replaced, applied to the chosen records in one step (all or nothing).

import {api, currentSession} from './api.js';
import {clear, h, notify} from './dom.js';
import {confirmAction, emptyState, errorBox, loading, policyHref, replaceQuery} from './ops.js';
import {register} from './router.js';

register('find', {title: 'Find what to update', nav: 'Find', order: 40, render});

function versionKey(policyId, version) {
  return policyId + '\u0000' + version;
}

async function render(container, params, query) {
  const readOnly = !!(currentSession() && currentSession().readOnly);
  container.appendChild(h('h1', {}, 'Find what to update'));
  container.appendChild(h('p', {class: 'muted lead'}, 'Search an endpoint value (an address, a host name) or a health '
      + 'check id to see every policy version, node and record using it; then replace it in new versions and '
      + 'move the records to them in one step.'));
  const input = h('input', {id: 'find-value', type: 'search', value: query.value || '', required: true,
    placeholder: '192.0.2.10 or a health check id', 'aria-label': 'Value or health check id', class: 'wide'});
  const form = h('form', {class: 'toolbar search', onsubmit: ev => {
    ev.preventDefault();
    const v = input.value.trim();
    replaceQuery('find', {value: v});
    search(v);
  }}, input, h('button', {type: 'submit', id: 'find-search', class: 'primary'}, 'Search'));
  const results = h('div', {class: 'find-results'});
  container.append(form, results);
  input.focus();

  async function search(value) {
    clear(results);
    if (!value) {
      return;
    }
    results.appendChild(loading('uses of ' + value));
    let usages;
    try {
      usages = (await api.get('usages?value=' + encodeURIComponent(value))).usages || [];
    } catch (e) {
      clear(results).appendChild(errorBox(e, 'Searching'));
      return;
    }
    clear(results);
    if (!usages.length) {
      results.appendChild(emptyState('Nothing uses “' + value + '”.',
          'The search matches an endpoint Value exactly, or a HealthCheck id, in every version of every policy.'));
      return;
    }
    showUsages(value, usages);
  }

  function showUsages(value, usages) {
    // The versions found, with their records; by default each policy's versions that records use are replaced
    // (or its newest version found when no record uses any).
    const versions = new Map();
    for (const u of usages) {
      const k = versionKey(u.policyId, u.version);
      const v = versions.get(k) || {policyId: u.policyId, policyName: u.policyName, version: u.version, records: new Set(),
        uses: 0};
      (u.records || []).forEach(r => v.records.add(r));
      v.uses++;
      versions.set(k, v);
    }
    const byPolicy = new Map();
    for (const v of versions.values()) {
      byPolicy.set(v.policyId, [...(byPolicy.get(v.policyId) || []), v]);
    }
    const chosen = new Set();
    for (const list of byPolicy.values()) {
      const used = list.filter(v => v.records.size);
      (used.length ? used : [list.reduce((a, b) => (b.version > a.version ? b : a))])
          .forEach(v => chosen.add(versionKey(v.policyId, v.version)));
    }
    const kinds = new Set(usages.map(u => u.kind));
    const recordCount = new Set(usages.flatMap(u => u.records || [])).size;
    results.appendChild(h('p', {class: 'summary'}, h('strong', {}, usages.length + (usages.length === 1 ? ' use' : ' uses')),
        ' of ', h('code', {}, value), ' (' + [...kinds].map(k => k === 'healthCheck' ? 'health check' : 'endpoint value').join(', ')
        + ') in ' + versions.size + (versions.size === 1 ? ' version' : ' versions') + ' of ' + byPolicy.size
        + (byPolicy.size === 1 ? ' policy' : ' policies') + ', reaching ' + recordCount
        + (recordCount === 1 ? ' record.' : ' records.')));
    results.appendChild(h('table', {class: 'data usages-table'},
        h('thead', {}, h('tr', {}, h('th', {}, 'Policy'), h('th', {}, 'Version'), h('th', {}, 'Kind'),
            h('th', {}, 'Node'), h('th', {}, 'Where'), h('th', {}, 'Records'))),
        h('tbody', {}, usages.map(u => h('tr', {},
            h('td', {}, h('a', {href: policyHref(u.policyId, u.version)}, u.policyName || u.policyId)),
            h('td', {}, 'v' + u.version),
            h('td', {}, h('span', {class: 'badge'}, u.kind === 'healthCheck' ? 'health check' : 'endpoint')),
            h('td', {}, h('a', {class: 'node-link', href: policyHref(u.policyId, u.version, u.nodeId)}, u.nodeId)),
            h('td', {}, h('code', {}, u.path)),
            h('td', {}, (u.records || []).length ? (u.records || []).map(r => h('code', {class: 'chip'}, r))
              : h('span', {class: 'muted'}, 'none')))))));

    if (readOnly) {
      results.appendChild(h('p', {class: 'muted'}, 'Signed in with a read-only key: replacing is not allowed.'));
      return;
    }
    // Step 2: the replacement, the versions to replace in, the records to move.
    const replacement = h('input', {id: 'find-replacement', required: true, class: 'wide',
      placeholder: 'the new value', 'aria-label': 'Replacement'});
    const comment = h('input', {id: 'find-comment', class: 'wide', 'aria-label': 'Comment of the new versions',
      placeholder: 'Replace ' + value});
    const versionBox = h('div', {class: 'checklist'});
    const recordBox = h('div', {class: 'checklist'});
    const records = new Set();
    const drawRecords = () => {
      clear(recordBox);
      const names = [...new Set([...versions.values()].filter(v => chosen.has(versionKey(v.policyId, v.version)))
          .flatMap(v => [...v.records]))].sort();
      records.clear();
      names.forEach(n => records.add(n));
      if (!names.length) {
        recordBox.appendChild(h('p', {class: 'muted'}, 'No record uses the chosen versions: the new versions are '
            + 'created and no record moves.'));
      }
      for (const n of names) {
        recordBox.appendChild(h('label', {class: 'check'}, h('input', {type: 'checkbox', class: 'apply-record',
          value: n, checked: true, onchange: ev => {
            ev.target.checked ? records.add(n) : records.delete(n);
          }}), h('code', {}, n)));
      }
    };
    for (const v of [...versions.values()].sort((a, b) => String(a.policyName || a.policyId).localeCompare(String(b.policyName || b.policyId))
        || a.policyId.localeCompare(b.policyId) || b.version - a.version)) {
      const k = versionKey(v.policyId, v.version);
      versionBox.appendChild(h('label', {class: 'check'}, h('input', {type: 'checkbox', class: 'replace-version',
        value: k, checked: chosen.has(k), onchange: ev => {
          ev.target.checked ? chosen.add(k) : chosen.delete(k);
          drawRecords();
        }}), (v.policyName || v.policyId) + ' v' + v.version,
      h('span', {class: 'muted'}, ' — ' + v.uses + (v.uses === 1 ? ' use, ' : ' uses, ') + v.records.size
          + (v.records.size === 1 ? ' record' : ' records'))));
    }
    drawRecords();
    const outcome = h('div', {class: 'replace-outcome'});
    const apply = h('button', {type: 'submit', id: 'find-apply', class: 'primary'}, 'Create versions and apply');
    const form = h('form', {class: 'panel replace-form', onsubmit: async ev => {
      ev.preventDefault();
      clear(outcome);
      const to = replacement.value.trim();
      const picked = [...versions.values()].filter(v => chosen.has(versionKey(v.policyId, v.version)));
      if (!to) {
        outcome.appendChild(errorBox({message: 'Enter the value to put in its place.'}, 'Replacing'));
        return;
      }
      if (!picked.length) {
        outcome.appendChild(errorBox({message: 'Choose at least one version to replace the value in.'}, 'Replacing'));
        return;
      }
      const names = [...records];
      const ok = await confirmAction({title: 'Replace ' + value,
        message: h('div', {}, h('p', {}, 'Replace ', h('code', {}, value), ' with ', h('code', {}, to), ' in new versions of:'),
            h('ul', {}, picked.map(v => h('li', {}, (v.policyName || v.policyId) + ' (from v' + v.version + ')'))),
            h('p', {}, names.length ? 'Then move ' + names.length + (names.length === 1 ? ' record' : ' records')
                + ' to them: ' + names.join(', ') + '. All of it happens, or none.' : 'No record is moved.')),
        confirm: 'Replace and apply'});
      if (!ok) {
        return;
      }
      apply.disabled = true;
      try {
        const res = await api.post('replace', {value, replacement: to, comment: comment.value.trim() || undefined,
          versions: picked.map(v => ({policyId: v.policyId, version: v.version})), records: names});
        showOutcome(outcome, res, value, to, new Map(usages.map(u => [u.policyId, u.policyName || u.policyId])));
        notify('Created ' + res.created.length + (res.created.length === 1 ? ' version' : ' versions') + ', moved '
            + (res.records || []).length + ' records', 'ok');
      } catch (e) {
        outcome.appendChild(errorBox(e, 'Replacing (nothing was changed)'));
      } finally {
        apply.disabled = false;
      }
    }},
    h('h2', {}, 'Replace it'),
    h('div', {class: 'form-grid two'},
        h('label', {}, h('span', {}, 'Replace ', h('code', {}, value), ' with'), replacement),
        h('label', {}, 'Comment of the new versions', comment)),
    h('div', {class: 'columns'},
        h('fieldset', {}, h('legend', {}, 'Create a new version from'), versionBox),
        h('fieldset', {}, h('legend', {}, 'Then move these records to the new versions'), recordBox)),
    h('div', {class: 'form-actions'}, apply));
    results.append(form, outcome);
  }

  function showOutcome(box, res, value, to, names) {
    const name = id => names.get(id) || id;
    clear(box);
    box.appendChild(h('div', {class: 'panel success-box', id: 'replace-result'},
        h('h2', {}, 'Done: ', h('code', {}, value), ' → ', h('code', {}, to)),
        h('table', {class: 'data'},
            h('thead', {}, h('tr', {}, h('th', {}, 'Policy'), h('th', {}, 'From'), h('th', {}, 'New version'),
                h('th', {class: 'num'}, 'Replacements'))),
            h('tbody', {}, (res.created || []).map(c => h('tr', {},
                h('td', {}, name(c.policyId)), h('td', {}, 'v' + c.fromVersion),
                h('td', {}, h('a', {href: policyHref(c.policyId, c.version)}, 'v' + c.version)),
                h('td', {class: 'num'}, String(c.replacements)))))),
        (res.records || []).length
          ? h('div', {}, h('h2', {}, 'Records moved'), h('ul', {class: 'moved'}, res.records.map(r => h('li', {},
              h('code', {}, r.name), ' → ', h('a', {href: policyHref(r.policyId, r.version)}, name(r.policyId) + ' v' + r.version)))))
          : h('p', {class: 'muted'}, 'No record was moved.'),
        h('p', {}, h('a', {href: '#/records'}, 'See every record'))));
  }

  if (query.value) {
    await search(query.value);
  } else {
    results.appendChild(emptyState('Search for a value.', 'For example an address that is being retired, or the id '
        + 'of a health check that is being replaced.'));
  }
}
