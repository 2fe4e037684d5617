// Who goes where: for each geolocation and geoproximity rule of a policy version (GET /map), the countries
// filled by the entry and endpoints they get, the geoproximity regions with their bias, and the grid of reach
// with the bias applied (which region wins at each cell centre).

import {api} from './api.js';
import {append, clear, h, svg} from './dom.js';
import {countryName} from './countries.js';
import {
  emptyState, errorBox, loading, palette, policyVersionPicker, replaceQuery, screenWithPolicies,
} from './ops.js';
import {register} from './router.js';
import {drawWorld, marker} from './worldmap.js';

register('map', {title: 'Map of who goes where', nav: 'Map', order: 70, render});

const NONE = '#e4e7ec';

async function render(container, params, query) {
  const screen = await screenWithPolicies(container, 'Who goes where', 'map-view',
      'The map shows the geolocation and geoproximity rules of a policy version.');
  if (!screen) {
    return;
  }
  const {body, policies} = screen;
  const picker = policyVersionPicker({policies, policyId: query.policyId, version: query.version, idPrefix: 'map',
    onChange: () => show()});
  const ruleTabs = h('div', {class: 'tabs', role: 'tablist'});
  const content = h('div', {class: 'map-content'});
  body.append(h('div', {class: 'toolbar'}, h('label', {class: 'inline'}, 'Policy', picker.policySelect),
      h('label', {class: 'inline'}, 'Version', picker.versionSelect)), ruleTabs, content);

  let current = query.rule || '';

  async function show() {
    replaceQuery('map', {policyId: picker.policyId, version: picker.version, rule: current});
    clear(ruleTabs);
    clear(content).appendChild(loading('the map'));
    let data;
    let doc;
    try {
      [data, doc] = await Promise.all([
        api.get('map?policyId=' + encodeURIComponent(picker.policyId) + '&version=' + picker.version),
        api.get('policies/' + encodeURIComponent(picker.policyId) + '/versions/' + picker.version).then(v => v.document)]);
    } catch (e) {
      clear(content).appendChild(errorBox(e, 'Loading the map'));
      return;
    }
    const rules = data.rules || [];
    clear(content);
    if (!rules.length) {
      content.appendChild(emptyState('This version has no geolocation or geoproximity rule.',
          'Its answers do not depend on where the client is, except through latency rules.'));
      return;
    }
    if (!rules.some(r => r.nodeId === current)) {
      current = rules[0].nodeId;
    }
    for (const r of rules) {
      ruleTabs.appendChild(h('button', {role: 'tab', class: ['tab', r.nodeId === current ? 'active' : null],
        'aria-selected': String(r.nodeId === current), dataset: {node: r.nodeId}, onclick: () => {
          current = r.nodeId;
          show();
        }}, r.nodeId.replace(/^rule:/, ''), ' ', h('span', {class: 'badge'}, r.type)));
    }
    await drawRule(content, rules.find(r => r.nodeId === current), doc);
  }

  async function drawRule(box, rule, doc) {
    const countries = rule.countries || {};
    const regions = rule.regions || [];
    const grid = rule.grid;
    // Colours: geolocation by entry (the countries' answer), geoproximity by region.
    const countryKey = c => (c.nodeId || '') + '\u0000' + (c.endpoints || []).join(',');
    const keys = rule.type === 'geoproximity'
      ? regions.map(r => r.nodeId)
      : [...new Set(Object.values(countries).map(countryKey))].sort();
    const colors = palette(keys);
    const colorOfCountry = c => (c ? colors.get(rule.type === 'geoproximity' ? c.nodeId : countryKey(c)) : null);

    const info = h('div', {class: 'map-hover', id: 'map-hover', 'aria-live': 'polite'},
        rule.type === 'geoproximity' ? 'Point at the map to see which region a client there goes to.'
          : 'Point at a country to see where its clients go.');
    const describe = code => {
      const c = countries[code];
      append(clear(info), [h('strong', {}, countryName(code) + ' (' + code + ')'), ' → ',
          c ? [h('code', {}, (c.endpoints || []).join(', ') || 'no answer'), h('span', {class: 'muted'}, ' via ' + c.nodeId)]
            : h('span', {class: 'muted'}, 'no entry (no answer from this rule)')]);
    };
    let world;
    try {
      world = await drawWorld({label: 'Map of ' + rule.nodeId, onCountry: (f, el) => {
        const code = f.properties.code;
        const c = code ? countries[code] : null;
        if (rule.type === 'geolocation') {
          el.style.fill = colorOfCountry(c) || NONE;
        } else {
          el.classList.add('outline');
        }
        el.addEventListener('mouseenter', () => code && describe(code));
      }});
    } catch (e) {
      box.appendChild(errorBox(e, 'Drawing the map'));
      return;
    }
    if (grid && grid.cells && rule.type === 'geoproximity') {
      drawGrid(world, grid, regions, colors);
      world.element.addEventListener('mousemove', ev => {
        const p = world.pointAt(ev);
        if (!p) {
          return;
        }
        const col = Math.floor((p.longitude - grid.west) / grid.step);
        const row = Math.floor((grid.north - p.latitude) / grid.step);
        const i = row >= 0 && row < grid.rows && col >= 0 && col < grid.cols ? grid.cells[row * grid.cols + col] : -1;
        const region = i >= 0 ? regions[i] : null;
        append(clear(info), [h('strong', {}, p.latitude.toFixed(1) + ', ' + p.longitude.toFixed(1)), ' → ',
            region ? [h('code', {}, regionLabel(region)), ' ', targetOf(doc, region.nodeId),
              h('span', {class: 'muted'}, ' via ' + region.nodeId)]
              : h('span', {class: 'muted'}, 'no region')]);
      });
    }
    for (const r of regions) {
      const m = marker(world.projection, r.latitude, r.longitude, regionLabel(r) + biasLabel(r.bias), 'region');
      m.querySelector('circle').style.fill = colors.get(r.nodeId);
      world.layers.over.appendChild(m);
    }
    box.append(h('div', {class: 'map-layout'},
        h('div', {class: 'map-frame'}, world.element, info),
        legend(rule, countries, regions, colors, countryKey, doc)));
    if (Object.keys(countries).length) {
      box.appendChild(countryTable(rule, countries, colorOfCountry, new Set(world.countries.keys())));
    }
  }

  await show();
}

/** The grid of reach: runs of cells won by the same region, as rectangles under the country outlines. */
function drawGrid(world, grid, regions, colors) {
  for (let row = 0; row < grid.rows; row++) {
    let start = 0;
    for (let col = 1; col <= grid.cols; col++) {
      const a = grid.cells[row * grid.cols + start];
      const b = col < grid.cols ? grid.cells[row * grid.cols + col] : NaN;
      if (b === a) {
        continue;
      }
      if (a >= 0 && regions[a]) {
        const west = grid.west + start * grid.step;
        const north = grid.north - row * grid.step;
        const [x0, y0] = world.projection([west, north]);
        const [x1, y1] = world.projection([west + (col - start) * grid.step, north - grid.step]);
        const rect = svg('rect', {class: 'reach', x: x0.toFixed(2), y: y0.toFixed(2), width: (x1 - x0 + 0.3).toFixed(2),
          height: (y1 - y0 + 0.3).toFixed(2)});
        rect.style.fill = colors.get(regions[a].nodeId);
        world.layers.under.appendChild(rect);
      }
      start = col;
    }
  }
}

/** An entry node id without its rule: "rule:geo/Locations/2" → "geo/Locations/2". */
function shortNode(nodeId) {
  return String(nodeId || '').replace(/^rule:/, '');
}

/** What an entry (rule:<id>/<member>/<index>) points at in the document: "→ endpoint us (192.0.2.10)" or a rule. */
function targetOf(doc, nodeId) {
  const m = /^rule:(.+)\/([A-Za-z]+)\/(\d+)$/.exec(nodeId || '');
  const rule = m && doc && doc.Rules ? doc.Rules[m[1]] : null;
  const entry = rule && Array.isArray(rule[m[2]]) ? rule[m[2]][Number(m[3])] : null;
  if (!entry) {
    return null;
  }
  if (entry.EndpointReference) {
    const e = (doc.Endpoints || {})[entry.EndpointReference];
    return h('span', {class: 'target'}, '→ ', h('code', {}, entry.EndpointReference), e && e.Value ? ' ' + e.Value : '');
  }
  return entry.RuleReference ? h('span', {class: 'target'}, '→ rule ', h('code', {}, entry.RuleReference)) : null;
}

function regionLabel(r) {
  return r.region || (r.latitude + ', ' + r.longitude);
}

function biasLabel(bias) {
  return bias ? ' (bias ' + (bias > 0 ? '+' : '') + bias + ')' : '';
}

function legend(rule, countries, regions, colors, countryKey, doc) {
  const items = [];
  if (rule.type === 'geoproximity') {
    for (const r of regions) {
      const n = Object.values(countries).filter(c => c.nodeId === r.nodeId).length;
      items.push(h('li', {}, swatch(colors.get(r.nodeId)),
          h('div', {}, h('strong', {}, regionLabel(r)), h('span', {class: 'muted'}, ' bias ' + (r.bias || 0)),
              h('div', {class: 'small'}, targetOf(doc, r.nodeId)),
              h('div', {class: 'muted small'}, shortNode(r.nodeId) + (n ? ' · ' + n + (n === 1 ? ' country' : ' countries') : '')))));
    }
  } else {
    const counts = new Map();
    for (const c of Object.values(countries)) {
      counts.set(countryKey(c), (counts.get(countryKey(c)) || 0) + 1);
    }
    for (const [key, color] of colors) {
      const [nodeId, endpoints] = key.split('\u0000');
      const n = counts.get(key) || 0;
      items.push(h('li', {}, swatch(color),
          h('div', {}, h('strong', {}, endpoints ? endpoints.split(',').join(', ') : 'no answer'),
              h('div', {class: 'small'}, shortNode(nodeId), ' ', targetOf(doc, nodeId)),
              h('div', {class: 'muted small'}, n + (n === 1 ? ' country' : ' countries')))));
    }
    items.push(h('li', {}, swatch(NONE), h('div', {}, h('strong', {}, 'No entry'),
        h('div', {class: 'muted small'}, 'no answer from this rule'))));
  }
  return h('div', {class: 'panel map-legend'}, h('h2', {}, rule.type === 'geoproximity' ? 'Regions' : 'Endpoints'),
      h('ul', {}, items),
      rule.type === 'geoproximity' ? h('p', {class: 'muted small'}, 'Shaded cells: the region that wins at each '
          + (rule.grid ? rule.grid.step + '°' : '') + ' cell centre once bias is applied (a positive bias widens '
          + 'a region\'s reach, a negative one narrows it).') : null);
}

function swatch(color) {
  const s = h('span', {class: 'map-swatch'});
  s.style.background = color;
  return s;
}

/** Every country and what it gets, including those too small for the 1:110m map. */
function countryTable(rule, countries, colorOf, drawn) {
  const filter = h('input', {type: 'search', placeholder: 'Filter countries or endpoints', 'aria-label': 'Filter countries'});
  const tbody = h('tbody', {});
  const codes = Object.keys(countries).sort((a, b) => countryName(a).localeCompare(countryName(b)));
  const fill = () => {
    clear(tbody);
    const f = filter.value.trim().toLowerCase();
    for (const code of codes) {
      const c = countries[code];
      const text = (countryName(code) + ' ' + code + ' ' + (c.endpoints || []).join(' ') + ' ' + c.nodeId).toLowerCase();
      if (f && !text.includes(f)) {
        continue;
      }
      tbody.appendChild(h('tr', {dataset: {code}},
          h('td', {}, swatch(colorOf(c) || NONE), ' ', countryName(code), ' ', h('span', {class: 'muted'}, code),
              drawn.has(code) ? null : h('span', {class: 'badge', title: 'Too small for the 1:110m map'}, 'not drawn')),
          h('td', {}, (c.endpoints || []).length ? c.endpoints.map(e => h('code', {class: 'chip'}, e))
            : h('span', {class: 'muted'}, 'no answer')),
          h('td', {}, h('code', {}, c.nodeId))));
    }
  };
  filter.addEventListener('input', fill);
  fill();
  return h('details', {class: 'country-table'}, h('summary', {}, 'Every country (' + codes.length + ')'),
      h('div', {class: 'toolbar'}, filter),
      h('table', {class: 'data'}, h('thead', {}, h('tr', {}, h('th', {}, 'Country'), h('th', {}, 'Endpoints'),
          h('th', {}, 'Entry'))), tbody));
}
