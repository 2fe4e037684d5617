// Policies: every policy with its versions (number, record type, comment, records using it), and one version drawn
// as a tree with the selected node's members, the records using the version and the document beside it.

import {api, seg} from './api.js';
import {append, clear, h} from './dom.js';
import {emptyState, errorBox, loading, routeHref} from './ops.js';
import {link, register} from './router.js';
import {entryLabel, renderTree, ruleEntries, typeName} from './tree.js';
import {entryOf, parseNodeId} from './model.js';

/** Appends children, skipping null (Element.append would write "null"). */
const add = (el, ...kids) => append(el, kids);

register('policies', {title: 'Policies', nav: 'Policies', order: 10, render: renderList});
register('policies/:id/:version', {title: 'Policy version', render: renderVersion});

async function renderList(container, params, query) {
  const filter = h('input', {type: 'search', id: 'policy-filter', placeholder: 'Filter by name, id, type or comment',
    'aria-label': 'Filter policies', value: query.q || ''});
  container.appendChild(h('div', {class: 'page-head'},
      h('h1', {}, 'Policies'),
      h('div', {class: 'toolbar'}, filter,
          h('a', {class: 'button primary', id: 'new-policy', href: '#/editor'}, 'New policy'),
          h('a', {class: 'button', id: 'import-policy', href: routeHref('editor', {import: '1'})}, 'Import JSON'))));
  const body = h('div', {}, loading('policies'));
  container.appendChild(body);
  let policies;
  try {
    policies = (await api.get('policies')).policies || [];
  } catch (e) {
    clear(body).appendChild(errorBox(e, 'Loading policies'));
    return;
  }
  policies.sort((a, b) => String(a.name || a.id).localeCompare(String(b.name || b.id)));
  const show = () => {
    const q = filter.value.trim().toLowerCase();
    clear(body);
    if (!policies.length) {
      body.appendChild(emptyState('No policies yet.',
          'Draw one with ', h('a', {href: '#/editor'}, 'New policy'), ', or ',
          h('a', {href: routeHref('editor', {import: '1'})}, 'import a Route 53 document'), '.'));
      return;
    }
    const shown = policies.filter(p => !q || [p.name, p.id, p.type, ...(p.versions || []).map(v => v.comment)]
        .some(x => x && String(x).toLowerCase().includes(q)));
    if (!shown.length) {
      body.appendChild(emptyState('No policy matches “' + filter.value + '”.'));
      return;
    }
    const table = h('table', {class: 'policy-list', id: 'policy-list'},
        h('thead', {}, h('tr', {}, h('th', {}, 'Policy / version'), h('th', {}, 'Record type'),
            h('th', {}, 'Comment'), h('th', {class: 'num'}, 'Records'), h('th', {}, ''))));
    for (const p of shown) {
      const versions = (p.versions || []).slice().sort((a, b) => b.version - a.version);
      const total = versions.reduce((n, v) => n + (v.records || 0), 0);
      table.appendChild(h('tbody', {class: 'policy', dataset: {policy: p.id}},
          h('tr', {class: 'policy-row'},
              h('td', {}, h('strong', {}, p.name || p.id), ' ', h('code', {class: 'muted'}, p.id)),
              h('td', {}, h('span', {class: 'badge'}, p.type)),
              h('td', {class: 'muted'}, versions.length + (versions.length === 1 ? ' version' : ' versions')
                  + ', latest ' + p.latestVersion),
              h('td', {class: 'num'}, String(total)),
              h('td', {class: 'actions'},
                  versions.length > 1 ? h('a', {href: routeHref('compare/' + encodeURIComponent(p.id),
                    {from: versions[1].version, to: versions[0].version})}, 'Compare') : null)),
          versions.map(v => h('tr', {class: 'version-row', dataset: {version: String(v.version)}},
              h('td', {}, h('a', {href: link('policies', p.id, v.version), class: 'version-link'},
                  'Version ' + v.version), v.version === p.latestVersion ? h('span', {class: 'badge'}, 'latest') : null),
              h('td', {}, v.type),
              h('td', {}, v.comment ? v.comment : h('span', {class: 'muted'}, 'no comment')),
              h('td', {class: 'num'}, v.records ? h('a', {href: routeHref('records',
                {policyId: p.id, version: v.version})}, String(v.records)) : h('span', {class: 'muted'}, '0')),
              h('td', {class: 'actions'},
                  h('a', {href: link('editor', p.id, v.version)}, 'Edit as new version'))))));
    }
    body.appendChild(table);
  };
  filter.addEventListener('input', show);
  show();
  if (!query.q) {
    filter.focus();
  }
}

async function renderVersion(container, params, query) {
  const head = h('div', {class: 'page-head'});
  container.appendChild(head);
  const body = h('div', {class: 'version-view'}, loading('the version'));
  container.appendChild(body);
  let version;
  let policy;
  try {
    [version, policy] = await Promise.all([
      api.get('policies/' + seg(params.id) + '/versions/' + seg(params.version)),
      api.get('policies').then(d => (d.policies || []).find(p => p.id === params.id))]);
  } catch (e) {
    clear(body).appendChild(errorBox(e, 'Loading version ' + params.version + ' of ' + params.id));
    return;
  }
  const versions = policy ? (policy.versions || []).map(v => v.version).sort((a, b) => b - a) : [version.version];
  const picker = h('select', {id: 'version-picker', 'aria-label': 'Version',
    onchange: () => location.assign(link('policies', params.id, picker.value))},
  versions.map(v => h('option', {value: v, selected: v === version.version}, 'Version ' + v)));
  add(head, 
      h('h1', {}, version.name || version.id, ' ', h('span', {class: 'badge'}, version.type)),
      h('div', {class: 'toolbar'}, picker,
          h('span', {class: 'muted comment'}, version.comment || 'no comment'),
          h('span', {class: 'spacer'}),
          h('a', {class: 'button primary', id: 'edit-version', href: link('editor', params.id, version.version)},
              'Edit as new version'),
          versions.length > 1 ? h('a', {class: 'button', id: 'compare-version',
            href: routeHref('compare/' + encodeURIComponent(params.id), {from: versions.find(v => v !== version.version),
              to: version.version})}, 'Compare') : null,
          h('a', {class: 'button', href: routeHref('try', {policyId: params.id, version: version.version})}, 'Try it'),
          h('a', {class: 'button', href: routeHref('map', {policyId: params.id, version: version.version})}, 'Map')));
  clear(body);
  const treeBox = h('div', {class: 'tree-box'});
  const details = h('div', {class: 'details'});
  const side = h('aside', {class: 'side panel'}, details,
      h('h2', {}, 'Records using this version'),
      (version.records || []).length
        ? h('ul', {class: 'plain', id: 'version-records'}, version.records.map(r => h('li', {},
            h('a', {href: routeHref('records', {policyId: params.id})}, r.name), ' ', h('span', {class: 'muted'}, 'TTL ' + r.ttl))))
        : h('p', {class: 'muted'}, 'None. Bind it to a name on the ',
            h('a', {href: routeHref('records', {policyId: params.id, version: version.version})}, 'Records'), ' screen.'),
      h('details', {class: 'doc-json'}, h('summary', {}, 'Document (JSON)'),
          h('pre', {class: 'json', id: 'document-text'}, version.documentText || JSON.stringify(version.document, null, 2))));
  add(body, treeBox, side);
  const tree = renderTree(treeBox, version.document, {onSelect: id => showDetails(details, version.document, id)});
  showDetails(details, version.document, null);
  if (query.node) {
    tree.select(query.node);
  }
  const keys = ev => {
    if (ev.key === 'Escape' && !ev.target.closest('input, textarea, select')) {
      tree.select(null);
    }
  };
  document.addEventListener('keydown', keys);
  return () => {
    document.removeEventListener('keydown', keys);
    tree.destroy();
  };
}

/** The selected node's members, read-only (or the document's summary when nothing is selected). */
export function showDetails(box, doc, nodeId) {
  clear(box);
  const p = parseNodeId(nodeId);
  if (!p) {
    const nRules = Object.keys(doc.Rules || {}).length;
    const nEndpoints = Object.keys(doc.Endpoints || {}).length;
    add(box, h('h2', {}, 'Document'), kv([
      ['Format', doc.AWSPolicyFormatVersion], ['Record type', doc.RecordType],
      ['Start', doc.StartRule ? 'rule ' + doc.StartRule : doc.StartEndpoint ? 'endpoint ' + doc.StartEndpoint : '—'],
      ['Rules', String(nRules)], ['Endpoints', String(nEndpoints)]]),
    h('p', {class: 'muted hint'}, 'Select a node to see its members. Drag to pan, wheel to zoom, F to fit.'));
    return;
  }
  if (p.kind === 'endpoint') {
    const ep = (doc.Endpoints || {})[p.id] || {};
    add(box, h('h2', {}, 'Endpoint ', h('code', {}, p.id)),
        kv([['Type', ep.Type], ['Value', ep.Value], ['Region', ep.Region]]));
  } else if (p.kind === 'rule') {
    const rule = (doc.Rules || {})[p.id] || {};
    add(box, h('h2', {}, typeName(rule.RuleType) + ' rule ', h('code', {}, p.id)),
        h('ol', {class: 'entry-list'}, ruleEntries(p.id, rule).map(en => h('li', {},
            entryLabel(rule.RuleType, en.member, en.entry), ' → ',
            h('code', {}, en.entry.RuleReference || en.entry.EndpointReference || 'not connected')))));
  } else {
    const e = entryOf(doc, nodeId);
    if (e) {
      add(box, h('h2', {}, entryLabel(e.rule.RuleType, e.member, e.entry), ' ',
          h('span', {class: 'muted'}, 'in ' + e.ruleId)),
      kv(Object.entries(e.entry).map(([k, v]) => [k, typeof v === 'object' ? JSON.stringify(v) : String(v)])));
    }
  }
}

function kv(pairs) {
  return h('dl', {class: 'kv'}, pairs.filter(([, v]) => v !== undefined && v !== null && v !== '')
      .map(([k, v]) => [h('dt', {}, k), h('dd', {}, String(v))]));
}
