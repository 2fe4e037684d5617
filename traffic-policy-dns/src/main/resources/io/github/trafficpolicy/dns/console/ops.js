// Helpers shared by the operations screens (records, find, try, health, map): confirmation dialogs, error and
// empty states, policy/version pickers, links into the policy view, and loading d3 on demand.

import {api} from './api.js';
import {clear, h, problemList} from './dom.js';
import {link} from './router.js';

/** The hash of a policy version, with a node selected when nodeId is given. */
export function policyHref(policyId, version, nodeId) {
  const base = link('policies', policyId, version);
  return nodeId ? base + '?node=' + encodeURIComponent(nodeId) : base;
}

/** A hash route with a query: routeHref('records', {zone: 'example.com.'}) → "#/records?zone=example.com.". */
export function routeHref(route, query) {
  const q = new URLSearchParams(Object.entries(query || {}).filter(([, v]) => v !== undefined && v !== null && v !== ''));
  const s = q.toString();
  return '#/' + route + (s ? '?' + s : '');
}

/** Replaces the current hash without adding to history nor re-rendering the view (filters kept in the address). */
export function replaceQuery(route, query) {
  history.replaceState(null, '', routeHref(route, query));
}

/** An error shown in place: the message, and the problems with their JSON paths when there are any. */
export function errorBox(e, what) {
  return h('div', {class: 'error-box', role: 'alert'},
      h('strong', {}, what ? what + ' failed' : (e.code || 'Error')), ': ', e.message || String(e),
      e.problems && e.problems.length ? problemList(e.problems) : null);
}

/** An empty state: what is missing and what to do about it. */
export function emptyState(title, ...hint) {
  return h('div', {class: 'empty-state'}, h('strong', {}, title), hint.length ? h('p', {}, ...hint) : null);
}

/** A "loading" line. */
export function loading(what) {
  return h('p', {class: 'muted loading'}, 'Loading ' + what + '…');
}

/**
 * Asks before doing something: a modal dialog with the message (text or nodes) and two buttons. Resolves to
 * true when confirmed. danger styles the confirming button as destructive.
 */
export function confirmAction({title, message, confirm = 'Confirm', danger = false}) {
  return new Promise(resolve => {
    const dialog = h('dialog', {class: 'confirm', 'aria-labelledby': 'confirm-title'});
    const done = value => {
      dialog.close();
      dialog.remove();
      resolve(value);
    };
    dialog.appendChild(h('h1', {id: 'confirm-title'}, title));
    dialog.appendChild(h('div', {class: 'confirm-body'}, message));
    dialog.appendChild(h('div', {class: 'confirm-actions'},
        h('button', {type: 'button', class: 'cancel', onclick: () => done(false)}, 'Cancel'),
        h('button', {type: 'button', class: ['confirm-ok', danger ? 'danger-solid' : 'primary'],
          onclick: () => done(true)}, confirm)));
    dialog.addEventListener('cancel', ev => {
      ev.preventDefault();
      done(false);
    });
    document.body.appendChild(dialog);
    dialog.showModal();
    dialog.querySelector('.cancel').focus();
  });
}

/** Every policy with its versions (GET /policies), sorted by name. */
export async function loadPolicies() {
  const data = await api.get('policies');
  return (data.policies || []).slice().sort((a, b) => String(a.name || a.id).localeCompare(String(b.name || b.id)));
}

/**
 * The start of a screen about one policy version: its title, then the policies listed. Resolves to {body, policies},
 * or to null (with the reason shown in body) when they cannot be listed or there are none yet.
 */
export async function screenWithPolicies(container, title, className, emptyHint) {
  container.appendChild(h('h1', {}, title));
  const body = h('div', {class: className}, loading('policies'));
  container.appendChild(body);
  let policies;
  try {
    policies = await loadPolicies();
  } catch (e) {
    clear(body).appendChild(errorBox(e, 'Loading policies'));
    return null;
  }
  clear(body);
  if (!policies.length) {
    body.appendChild(emptyState('No policies yet.', emptyHint));
    return null;
  }
  return {body, policies};
}

/** A policy's name with the start of its id (ids are long and names need not be unique), or the id alone. */
export function policyLabel(p) {
  if (!p.name || p.name === p.id) {
    return p.id;
  }
  return p.name + ' (' + (p.id.length > 12 ? p.id.slice(0, 8) + '…' : p.id) + ')';
}

/**
 * A policy select and a version select in step. options: {policies, policyId, version, anyPolicy?: label,
 * anyVersion?: label, onChange(policyId, version)}. Without anyVersion, choosing a policy picks its latest version.
 */
export function policyVersionPicker({policies, policyId, version, anyPolicy, anyVersion, onChange, idPrefix = 'pv'}) {
  const policySelect = h('select', {id: idPrefix + '-policy', 'aria-label': 'Policy'},
      anyPolicy ? h('option', {value: ''}, anyPolicy) : null,
      policies.map(p => h('option', {value: p.id, selected: p.id === policyId}, policyLabel(p))));
  const versionSelect = h('select', {id: idPrefix + '-version', 'aria-label': 'Version'});
  const fillVersions = keep => {
    while (versionSelect.firstChild) {
      versionSelect.removeChild(versionSelect.firstChild);
    }
    const p = policies.find(x => x.id === policySelect.value);
    if (anyVersion) {
      versionSelect.appendChild(h('option', {value: ''}, anyVersion));
    }
    const versions = p ? (p.versions || []).slice().sort((a, b) => b.version - a.version) : [];
    for (const v of versions) {
      versionSelect.appendChild(h('option', {value: String(v.version)},
          'v' + v.version + (v.comment ? ' — ' + v.comment : '')));
    }
    versionSelect.disabled = !p;
    if (keep && [...versionSelect.options].some(o => o.value === String(keep))) {
      versionSelect.value = String(keep);
    } else if (!anyVersion && p) {
      versionSelect.value = String(p.latestVersion ?? (versions[0] && versions[0].version) ?? '');
    }
  };
  if (!anyPolicy && !policySelect.value && policies.length) {
    policySelect.value = policies[0].id;
  }
  fillVersions(version);
  const changed = () => onChange && onChange(policySelect.value, versionSelect.value ? Number(versionSelect.value) : null);
  policySelect.addEventListener('change', () => {
    fillVersions(null);
    changed();
  });
  versionSelect.addEventListener('change', changed);
  return {
    policySelect,
    versionSelect,
    get policyId() {
      return policySelect.value;
    },
    get version() {
      return versionSelect.value ? Number(versionSelect.value) : null;
    },
  };
}

let d3Promise = null;

/** d3 (the WebJar's build served at vendor/d3.min.js), loaded once. */
export function loadD3() {
  if (window.d3) {
    return Promise.resolve(window.d3);
  }
  if (!d3Promise) {
    d3Promise = new Promise((resolve, reject) => {
      const s = document.createElement('script');
      s.src = 'vendor/d3.min.js';
      s.addEventListener('load', () => resolve(window.d3));
      s.addEventListener('error', () => {
        d3Promise = null;
        reject(new Error('d3 (vendor/d3.min.js) could not be loaded'));
      });
      document.head.appendChild(s);
    });
  }
  return d3Promise;
}

/** A distinct colour per key, stable for a sorted key list (up to 20 distinct, then repeating). */
export function palette(keys) {
  const colors = ['#4e79a7', '#f28e2b', '#59a14f', '#e15759', '#76b7b2', '#edc948', '#b07aa1', '#ff9da7',
    '#9c755f', '#bab0ac', '#1b9e77', '#d95f02', '#7570b3', '#e7298a', '#66a61e', '#e6ab02', '#a6761d',
    '#17becf', '#bcbd22', '#8c564b'];
  const m = new Map();
  keys.forEach((k, i) => m.set(k, colors[i % colors.length]));
  return m;
}

/** A time as "14:05:09" (local), or "never". */
export function clock(at) {
  if (!at) {
    return 'never';
  }
  const d = new Date(at);
  return isNaN(d) ? String(at) : d.toLocaleTimeString([], {hour12: false});
}
