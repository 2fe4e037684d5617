// Try it: evaluate a policy version for a chosen client (an address or subnet, a continent/country/subdivision,
// or a point on the world map) with health checks, target health and latencies overridden (POST /try); shows
// the answer, the trace, and the path taken highlighted on the tree.

import {api} from './api.js';
import {clear, h} from './dom.js';
import {CONTINENTS, CONTINENT_OF, US_SUBDIVISIONS, allCountries, countryName} from './countries.js';
import {errorBox, loading, policyHref, policyVersionPicker, replaceQuery, screenWithPolicies} from './ops.js';
import {register} from './router.js';
import {renderTree} from './tree.js';
import {drawWorld, marker} from './worldmap.js';

register('try', {title: 'Try it', nav: 'Try it', order: 50, render});

const MODES = [['address', 'Address'], ['location', 'Location'], ['point', 'Map point']];

/** Health check ids named anywhere in a document ("HealthCheck" members), sorted. */
export function healthChecksOf(doc) {
  const ids = new Set();
  const walk = v => {
    if (Array.isArray(v)) {
      v.forEach(walk);
    } else if (v && typeof v === 'object') {
      for (const [k, x] of Object.entries(v)) {
        if (k === 'HealthCheck' && typeof x === 'string' && x) {
          ids.add(x);
        } else {
          walk(x);
        }
      }
    }
  };
  walk(doc);
  return [...ids].sort();
}

function latencyRegionsOf(doc) {
  const regions = new Set();
  for (const rule of Object.values((doc && doc.Rules) || {})) {
    if (rule && String(rule.RuleType).toLowerCase() === 'latency') {
      (rule.Regions || []).forEach(r => r && r.Region && regions.add(r.Region));
    }
  }
  return [...regions].sort();
}

function aliasEndpointsOf(doc) {
  return Object.entries((doc && doc.Endpoints) || {})
      .filter(([, e]) => e && e.Type && String(e.Type).toLowerCase() !== 'value')
      .map(([id, e]) => ({id, type: e.Type, value: e.Value}));
}

async function render(container, params, query) {
  const screen = await screenWithPolicies(container, 'Try it', 'try-view',
      'Try it evaluates a policy version as the DNS server would.');
  if (!screen) {
    return;
  }
  const {body, policies} = screen;
  const picker = policyVersionPicker({policies, policyId: query.policyId, version: query.version, idPrefix: 'try',
    onChange: () => loadVersion()});
  const recordName = h('input', {id: 'try-record', placeholder: 'optional', 'aria-label': 'Record name'});
  body.appendChild(h('div', {class: 'toolbar'}, h('label', {class: 'inline'}, 'Policy', picker.policySelect),
      h('label', {class: 'inline'}, 'Version', picker.versionSelect),
      h('label', {class: 'inline'}, 'Record name', recordName)));

  // The client.
  let mode = MODES.some(m => m[0] === query.mode) ? query.mode : 'address';
  const address = h('input', {id: 'try-address', value: query.address || '', placeholder: '198.51.100.7 or 2001:db8::/56',
    'aria-label': 'Client address or subnet', class: 'wide'});
  const continent = h('select', {id: 'try-continent', 'aria-label': 'Continent'}, h('option', {value: ''}, 'Any continent'),
      Object.entries(CONTINENTS).map(([c, n]) => h('option', {value: c}, n + ' (' + c + ')')));
  const country = h('select', {id: 'try-country', 'aria-label': 'Country'});
  const subdivision = h('input', {id: 'try-subdivision', list: 'try-subdivisions', placeholder: 'e.g. CA',
    'aria-label': 'Subdivision', class: 'narrow'});
  const fillCountries = () => {
    const keep = country.value;
    clear(country).appendChild(h('option', {value: ''}, 'Any country'));
    for (const c of allCountries().filter(c => !continent.value || CONTINENT_OF[c] === continent.value)) {
      country.appendChild(h('option', {value: c}, countryName(c) + ' (' + c + ')'));
    }
    country.value = [...country.options].some(o => o.value === keep) ? keep : '';
    subdivision.disabled = !country.value;
  };
  continent.addEventListener('change', fillCountries);
  country.addEventListener('change', () => {
    subdivision.disabled = !country.value;
    if (country.value && !continent.value) {
      continent.value = CONTINENT_OF[country.value] || '';
    }
  });
  fillCountries();
  const latitude = h('input', {id: 'try-latitude', type: 'number', step: '0.01', min: '-90', max: '90',
    'aria-label': 'Latitude', class: 'narrow'});
  const longitude = h('input', {id: 'try-longitude', type: 'number', step: '0.01', min: '-180', max: '180',
    'aria-label': 'Longitude', class: 'narrow'});
  const mapBox = h('div', {class: 'pick-map'});
  const panes = {
    address: h('div', {class: 'pane'}, h('label', {}, 'Client address, or the subnet a resolver sends (ECS)', address)),
    location: h('div', {class: 'pane form-grid three'}, h('label', {}, 'Continent', continent),
        h('label', {}, 'Country', country),
        h('label', {}, 'Subdivision', subdivision, h('datalist', {id: 'try-subdivisions'},
            US_SUBDIVISIONS.map(s => h('option', {value: s}))))),
    point: h('div', {class: 'pane'}, h('div', {class: 'form-grid two'}, h('label', {}, 'Latitude', latitude),
        h('label', {}, 'Longitude', longitude)), h('p', {class: 'muted small'}, 'Click the map to choose a point.'), mapBox),
  };
  const modeTabs = h('div', {class: 'tabs', role: 'tablist'});
  const drawModes = () => {
    clear(modeTabs);
    for (const [m, label] of MODES) {
      modeTabs.appendChild(h('button', {type: 'button', role: 'tab', class: ['tab', m === mode ? 'active' : null],
        'aria-selected': String(m === mode), dataset: {mode: m}, onclick: () => {
          mode = m;
          drawModes();
        }}, label));
      panes[m].hidden = m !== mode;
    }
    if (mode === 'point') {
      ensureMap();
    }
  };
  let pickMap = null;
  let pin = null;
  const placePin = () => {
    if (!pickMap) {
      return;
    }
    if (pin) {
      pin.remove();
      pin = null;
    }
    if (latitude.value !== '' && longitude.value !== '') {
      pin = marker(pickMap.projection, Number(latitude.value), Number(longitude.value),
          Number(latitude.value).toFixed(2) + ', ' + Number(longitude.value).toFixed(2), 'pin');
      pickMap.layers.over.appendChild(pin);
    }
  };
  async function ensureMap() {
    if (pickMap) {
      return;
    }
    mapBox.appendChild(loading('the map'));
    try {
      pickMap = await drawWorld({className: 'pick', label: 'Choose the client\'s location'});
    } catch (e) {
      clear(mapBox).appendChild(errorBox(e, 'Drawing the map'));
      return;
    }
    pickMap.element.addEventListener('click', ev => {
      const p = pickMap.pointAt(ev);
      if (p) {
        latitude.value = String(p.latitude);
        longitude.value = String(p.longitude);
        placePin();
      }
    });
    clear(mapBox).appendChild(pickMap.element);
    placePin();
  }
  latitude.addEventListener('change', placePin);
  longitude.addEventListener('change', placePin);

  const overrides = h('div', {class: 'overrides'});
  const run = h('button', {type: 'submit', id: 'try-run', class: 'primary'}, 'Try it');
  const form = h('form', {class: 'panel try-form', onsubmit: ev => {
    ev.preventDefault();
    tryIt();
  }}, h('h2', {}, 'Client'), modeTabs, Object.values(panes), overrides, h('div', {class: 'form-actions'}, run));
  // The form beside the tree; under them the answer beside the trace.
  const result = h('div', {class: 'try-result'});
  const traceBox = h('div', {class: 'try-trace'});
  const treeBox = h('div', {class: 'panel try-tree'});
  body.appendChild(h('div', {class: 'try-layout'}, form, treeBox, result, traceBox));
  drawModes();

  let version = null;
  const health = new Map();
  const targetHealth = new Map();
  const latency = new Map();
  let serverHealth = new Map();

  function threeWay(name, current, onChange, serverStatus) {
    const group = h('div', {class: 'segmented', role: 'radiogroup', 'aria-label': name});
    for (const [value, label] of [['', 'server' + (serverStatus ? ': ' + serverStatus.toLowerCase() : '')],
      ['HEALTHY', 'healthy'], ['UNHEALTHY', 'unhealthy']]) {
      group.appendChild(h('button', {type: 'button', role: 'radio', 'aria-checked': String(current === value),
        class: ['seg', current === value ? 'on' : null, value.toLowerCase()], dataset: {value}, onclick: () => {
          onChange(value);
          for (const b of group.children) {
            b.classList.toggle('on', b.dataset.value === value);
            b.setAttribute('aria-checked', String(b.dataset.value === value));
          }
        }}, label));
    }
    return group;
  }

  function drawOverrides() {
    clear(overrides);
    const doc = version ? version.document : null;
    const checks = healthChecksOf(doc);
    const aliases = aliasEndpointsOf(doc);
    const regions = latencyRegionsOf(doc);
    const set = (map, key) => value => (value ? map.set(key, value) : map.delete(key));
    overrides.appendChild(h('h2', {}, 'Health checks'));
    overrides.appendChild(checks.length
      ? h('table', {class: 'data compact health-overrides'}, h('tbody', {}, checks.map(id => h('tr', {dataset: {check: id}},
          h('td', {}, h('code', {}, id)),
          h('td', {}, threeWay('Health of ' + id, health.get(id) || '', set(health, id), serverHealth.get(id)))))))
      : h('p', {class: 'muted'}, 'This version names no health check.'));
    if (aliases.length) {
      overrides.appendChild(h('h2', {}, 'Target health (alias endpoints)'));
      overrides.appendChild(h('table', {class: 'data compact'}, h('tbody', {}, aliases.map(a => h('tr', {},
          h('td', {}, h('code', {}, a.id), h('div', {class: 'muted small'}, a.type + ' ' + (a.value || ''))),
          h('td', {}, threeWay('Target health of ' + a.id, targetHealth.get(a.id) || '', set(targetHealth, a.id))))))));
    }
    if (regions.length) {
      overrides.appendChild(h('h2', {}, 'Latency (ms) from the client'));
      overrides.appendChild(h('div', {class: 'form-grid three'}, regions.map(r => h('label', {}, r,
          h('input', {type: 'number', min: '0', step: '1', placeholder: 'server\'s', class: 'latency', dataset: {region: r},
            value: latency.has(r) ? String(latency.get(r)) : '', oninput: ev => (ev.target.value === ''
              ? latency.delete(r) : latency.set(r, Number(ev.target.value)))})))));
    }
  }

  async function loadVersion() {
    replaceQuery('try', {policyId: picker.policyId, version: picker.version});
    clear(result);
    clear(traceBox);
    clear(treeBox).appendChild(loading('the policy'));
    health.clear();
    targetHealth.clear();
    latency.clear();
    try {
      const [v, hs] = await Promise.all([
        api.get('policies/' + encodeURIComponent(picker.policyId) + '/versions/' + picker.version),
        api.get('health').catch(() => ({checks: []}))]);
      version = v;
      serverHealth = new Map((hs.checks || []).map(c => [c.id, c.status]));
    } catch (e) {
      version = null;
      clear(treeBox).appendChild(errorBox(e, 'Loading the policy'));
      drawOverrides();
      return;
    }
    drawOverrides();
    drawTree([]);
  }

  let tree = null;

  function drawTree(pathNodes) {
    if (tree) {
      tree.destroy();
      tree = null;
    }
    clear(treeBox);
    treeBox.appendChild(h('h2', {}, pathNodes.length ? 'Path taken' : 'The policy',
        h('a', {class: 'small', href: policyHref(version.id, version.version)},
            'open ' + (version.name || version.id) + ' v' + version.version)));
    tree = showTree(treeBox, version.document, pathNodes);
  }

  function client() {
    if (mode === 'address') {
      const a = address.value.trim();
      return a ? {address: a} : {};
    }
    if (mode === 'location') {
      const c = {};
      if (continent.value) {
        c.continent = continent.value;
      }
      if (country.value) {
        c.country = country.value;
        if (subdivision.value.trim()) {
          c.subdivision = subdivision.value.trim().toUpperCase();
        }
      }
      return c;
    }
    const c = {};
    if (latitude.value !== '' && longitude.value !== '') {
      c.latitude = Number(latitude.value);
      c.longitude = Number(longitude.value);
    }
    return c;
  }

  async function tryIt() {
    if (!version) {
      return;
    }
    const request = {policyId: version.id, version: version.version, client: client(),
      health: Object.fromEntries(health), targetHealth: Object.fromEntries(targetHealth), latency: Object.fromEntries(latency)};
    if (recordName.value.trim()) {
      request.recordName = recordName.value.trim();
    }
    run.disabled = true;
    clear(traceBox);
    clear(result).appendChild(loading('the answer'));
    let res;
    try {
      res = await api.post('try', request);
    } catch (e) {
      clear(result).appendChild(errorBox(e, 'Trying'));
      return;
    } finally {
      run.disabled = false;
    }
    showResult(res);
    drawTree(res.pathNodes || []);
  }

  function showResult(res) {
    clear(result);
    const ok = res.rcode === 'NOERROR' && (res.answer || []).length;
    const loc = res.location || {};
    const locText = Object.entries(loc).filter(([, v]) => v !== null && v !== undefined && v !== '')
        .map(([k, v]) => k + ' ' + v).join(', ');
    result.appendChild(h('div', {class: 'panel answer', id: 'try-answer'},
        h('div', {class: 'answer-head'},
            h('span', {class: ['badge', 'rcode', ok ? 'healthy' : 'unhealthy'], id: 'try-rcode'}, res.rcode || '?'),
            h('span', {class: 'muted'}, res.outcome || ''),
            res.ttl !== undefined && res.ttl !== null ? h('span', {class: 'muted', id: 'try-ttl'}, 'TTL ' + res.ttl) : null),
        (res.answer || []).length
          ? h('ul', {class: 'answer-values', id: 'try-values'}, res.answer.map(v => h('li', {}, h('code', {}, v))))
          : h('p', {class: 'muted'}, 'No records in the answer.'),
        (res.endpoints || []).length ? h('p', {class: 'small'}, 'From ', res.endpoints.map((e, i) =>
          [i ? ', ' : '', h('a', {href: policyHref(version.id, version.version, 'endpoint:' + e)}, e)])) : null,
        locText ? h('p', {class: 'small muted'}, 'Client taken as: ' + locText) : null));
    traceBox.appendChild(h('div', {class: 'panel trace'}, h('h2', {}, 'Trace'),
        (res.trace || []).length ? h('ol', {class: 'trace-steps', id: 'try-trace'}, res.trace.map(s => h('li', {},
            s.nodeId ? h('a', {href: policyHref(version.id, version.version, s.nodeId)}, h('code', {}, s.nodeId)) : null,
            s.nodeId ? ' ' : null, s.message)))
          : h('p', {class: 'muted'}, 'No trace.')));
  }

  await loadVersion();
  return () => tree && tree.destroy();
}

/** Draws the policy's tree (tree.js, the editor's drawing) with the path taken highlighted. */
function showTree(box, document, pathNodes) {
  const holder = h('div', {class: 'tree-holder'});
  box.appendChild(holder);
  const tree = renderTree(holder, document, {toolbar: true, emptyText: 'This version has no rule or endpoint.'});
  if (pathNodes.length) {
    tree.highlight(pathNodes, 'path');
    // The whole tree, so that the path shows from start to answer (after tree.js's own first view).
    requestAnimationFrame(() => tree.fit());
  }
  return tree;
}
