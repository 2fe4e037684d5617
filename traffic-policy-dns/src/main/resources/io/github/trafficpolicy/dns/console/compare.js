// Compare two versions of a policy side by side (GET /policies/{id}/diff): the older tree with what was removed
// or changed marked, the newer one with what was added or changed marked, and the JSON changes listed (click a
// change: its node is selected in both drawings).

import {api, seg} from './api.js';
import {append, clear, h} from './dom.js';
import {emptyState, errorBox, loading, policyLabel, replaceQuery, screenWithPolicies} from './ops.js';
import {link, register} from './router.js';
import {nodeIdForPointer, renderTree} from './tree.js';

/** Appends children, skipping null (Element.append would write "null"). */
const add = (el, ...kids) => append(el, kids);

register('compare', {title: 'Compare versions', nav: 'Compare', order: 30, render});
register('compare/:id', {title: 'Compare versions', render});

async function render(container, params, query) {
  const screen = await screenWithPolicies(container, 'Compare versions', 'compare-view',
      h('span', {}, 'Create one in the ', h('a', {href: '#/editor'}, 'editor'), '.'));
  if (!screen) {
    return;
  }
  const {body, policies} = screen;
  const pickers = h('div', {class: 'toolbar'});
  container.insertBefore(pickers, body);
  // Without a policy in the address: the first one with something to compare.
  const policy = params.id ? policies.find(p => p.id === params.id)
      : policies.find(p => (p.versions || []).length > 1) || policies[0];
  if (!policy) {
    clear(body).appendChild(errorBox({code: 'NoSuchTrafficPolicy', message: 'No policy ' + params.id}));
    return;
  }
  const versions = (policy.versions || []).map(v => v.version).sort((a, b) => a - b);
  const to = Number(query.to) || versions[versions.length - 1];
  const from = Number(query.from) || versions.filter(v => v < to).pop() || versions[0];
  const policySelect = h('select', {id: 'compare-policy', 'aria-label': 'Policy', onchange: () => {
    location.hash = link('compare', policySelect.value);
  }}, policies.map(p => h('option', {value: p.id, selected: p.id === policy.id}, policyLabel(p))));
  const versionSelect = (id, value) => h('select', {id, 'aria-label': id === 'compare-from' ? 'From version' : 'To version'},
      versions.map(v => h('option', {value: v, selected: v === value}, 'Version ' + v + commentOf(policy, v))));
  const fromSelect = versionSelect('compare-from', from);
  const toSelect = versionSelect('compare-to', to);
  const legend = h('span', {class: 'legend'},
      h('span', {}, h('span', {class: 'swatch added'}), 'added'),
      h('span', {}, h('span', {class: 'swatch removed'}), 'removed'),
      h('span', {}, h('span', {class: 'swatch changed'}), 'changed'));
  add(pickers, policySelect, fromSelect, h('span', {}, '→'), toSelect,
      h('button', {type: 'button', onclick: () => {
        const a = fromSelect.value;
        fromSelect.value = toSelect.value;
        toSelect.value = a;
        reload();
      }, title: 'Swap'}, '⇄'), h('span', {class: 'spacer'}), legend);

  let trees = [];
  const reload = async () => {
    trees.forEach(t => t.destroy());
    trees = [];
    replaceQuery('compare/' + encodeURIComponent(policy.id), {from: fromSelect.value, to: toSelect.value});
    clear(body).appendChild(loading('the differences'));
    if (versions.length < 2) {
      clear(body).appendChild(emptyState('This policy has one version.',
          'Make another with ', h('a', {href: link('editor', policy.id, versions[0])}, 'Edit as new version'), '.'));
      return;
    }
    let diff;
    try {
      diff = await api.get('policies/' + seg(policy.id) + '/diff?from=' + seg(fromSelect.value) + '&to=' + seg(toSelect.value));
    } catch (e) {
      clear(body).appendChild(errorBox(e, 'Comparing'));
      return;
    }
    clear(body);
    const left = h('div', {class: 'tree-box'});
    const right = h('div', {class: 'tree-box'});
    const nodes = diff.nodes || {added: [], removed: [], changed: []};
    const counts = h('p', {class: 'muted', id: 'compare-summary'},
        (diff.changes || []).length + ' change(s): ' + nodes.added.length + ' node(s) added, ' + nodes.removed.length
        + ' removed, ' + nodes.changed.length + ' changed.');
    add(body, counts, h('div', {class: 'compare-grid'},
        h('div', {class: 'compare-col', id: 'compare-left'}, h('h2', {}, 'Version ' + diff.from.version), left),
        h('div', {class: 'compare-col', id: 'compare-right'}, h('h2', {}, 'Version ' + diff.to.version), right)));
    const a = renderTree(left, diff.from.document, {});
    const b = renderTree(right, diff.to.document, {});
    trees = [a, b];
    // Side by side, the whole of both documents is what matters: fit each (the marks are the point).
    requestAnimationFrame(() => trees.forEach(t => t.fit()));
    nodes.removed.forEach(n => a.mark(n, 'removed'));
    nodes.changed.forEach(n => {
      a.mark(n, 'changed');
      b.mark(n, 'changed');
    });
    nodes.added.forEach(n => b.mark(n, 'added'));
    const focus = nodeId => {
      for (const t of trees) {
        t.select(t.has(nodeId) ? nodeId : null);
      }
    };
    const changes = diff.changes || [];
    body.appendChild(h('div', {class: 'changes panel'}, h('h2', {}, 'JSON changes'),
        changes.length ? h('table', {id: 'change-list'},
            h('thead', {}, h('tr', {}, h('th', {}, 'Path'), h('th', {}, 'Change'), h('th', {}, 'Before'), h('th', {}, 'After'))),
            h('tbody', {}, changes.map(c => h('tr', {dataset: {path: c.path}, onclick: () => focus(nodeIdForPointer(c.path))},
                h('td', {}, h('code', {}, c.path)),
                h('td', {class: 'op-' + c.op}, c.op),
                h('td', {}, c.before === undefined || c.before === null ? '' : h('code', {class: 'before'}, short(c.before))),
                h('td', {}, c.after === undefined || c.after === null ? '' : h('code', {class: 'after'}, short(c.after)))))))
          : emptyState('The two documents are the same.')));
  };
  fromSelect.addEventListener('change', reload);
  toSelect.addEventListener('change', reload);
  await reload();
  return () => trees.forEach(t => t.destroy());
}

function commentOf(policy, v) {
  const c = ((policy.versions || []).find(x => x.version === v) || {}).comment;
  return c ? ' — ' + (c.length > 40 ? c.slice(0, 39) + '…' : c) : '';
}

function short(value) {
  const s = JSON.stringify(value);
  return s.length > 160 ? s.slice(0, 159) + '…' : s;
}
