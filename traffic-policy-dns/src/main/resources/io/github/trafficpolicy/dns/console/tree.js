// A policy document drawn as a left-to-right tree (SVG, laid out here; no library): rules as boxes listing their
// entries (each entry one row with its label), endpoints as boxes with type and value, an edge from each entry
// row to what it references, with the entry's health check, EvaluateTargetHealth and bias written on the edge.
//
// A rule referenced from several entries is drawn once, at its first reference in depth-first order from the
// start; every later reference is a small "link" box (↪ rule id) that selects the drawn rule when clicked. So the
// drawing stays a tree and never repeats a subtree, however the DAG shares rules. Endpoints are leaves and are
// drawn at every reference (all copies share the node id). Rules and endpoints no reference reaches are drawn
// below the tree as "not connected" roots, so nothing in the document is hidden.
//
// Node ids (the dns README, "Web console"): rule:<id>, endpoint:<id>, entries rule:<id>/<member>/<index> or
// rule:<id>/Primary. This module owns the format: parseNodeId and entryNodeId below (model.js re-exports them).
//
// renderTree(container, document, options) → {highlight(nodeIds, className), mark(nodeId, className, title),
//   clearMarks(className), select(nodeId), selected(), onSelect(fn), update(document), fit(), find(text),
//   expandAll(), collapseAll(), has(nodeId), destroy()}
// options: {onSelect(nodeId|null), collapseDepth (rules deeper than this start collapsed when the document has
//   more than autoCollapseAbove rules; default 1 / 40), toolbar (default true: fit, expand, collapse, search),
//   emptyText}

import {clear, h, svg} from './dom.js';

export const RULE_MEMBERS = {
  failover: null, geo: 'Locations', geoproximity: 'GeoproximityLocations', latency: 'Regions',
  weighted: 'Items', multivalue: 'Items',
};

/** Parses a node id: {kind: 'rule'|'endpoint'|'entry', id, member?, index?}. */
export function parseNodeId(nodeId) {
  const s = String(nodeId || '');
  if (s.startsWith('endpoint:')) {
    return {kind: 'endpoint', id: s.slice('endpoint:'.length)};
  }
  if (!s.startsWith('rule:')) {
    return null;
  }
  const rest = s.slice('rule:'.length);
  // Rule ids may contain '/', so the entry suffix is matched at the end.
  const m = /^(.*)\/(Primary|Secondary)$/.exec(rest) || /^(.*)\/([A-Za-z]+)\/(\d+)$/.exec(rest);
  if (m && (m[2] === 'Primary' || m[2] === 'Secondary' || Object.values(RULE_MEMBERS).includes(m[2]))) {
    return {kind: 'entry', id: m[1], member: m[2], index: m[3] === undefined ? null : Number(m[3])};
  }
  return {kind: 'rule', id: rest};
}

/** The node id of an entry. */
export function entryNodeId(ruleId, member, index) {
  return 'rule:' + ruleId + '/' + member + (index === null || index === undefined ? '' : '/' + index);
}

const COL = 330;          // horizontal distance between depths
const RULE_W = 230;
const ENDPOINT_W = 240;
const HEAD_H = 34;
const ROW_H = 24;
const ENDPOINT_H = 44;
const LINK_H = 26;
const GAP = 14;

/** The entries of a rule as [{member, index|null, entry, id}] (failover: Primary then Secondary). */
export function ruleEntries(ruleId, rule) {
  const out = [];
  if (!rule || typeof rule !== 'object') {
    return out;
  }
  if (rule.RuleType === 'failover') {
    for (const m of ['Primary', 'Secondary']) {
      if (rule[m] && typeof rule[m] === 'object') {
        out.push({member: m, index: null, entry: rule[m], id: entryNodeId(ruleId, m, null)});
      }
    }
    return out;
  }
  const member = RULE_MEMBERS[rule.RuleType];
  const list = member ? rule[member] : null;
  if (Array.isArray(list)) {
    list.forEach((e, i) => out.push({member, index: i, entry: e || {}, id: entryNodeId(ruleId, member, i)}));
  }
  return out;
}

/** The node id a JSON pointer names (the closest enclosing node), or null for the document itself. */
export function nodeIdForPointer(pointer) {
  if (!pointer || pointer === '/') {
    return null;
  }
  const parts = String(pointer).split('/').slice(1).map(p => p.replace(/~1/g, '/').replace(/~0/g, '~'));
  if (parts[0] === 'Endpoints' && parts.length >= 2) {
    return 'endpoint:' + parts[1];
  }
  if (parts[0] === 'Rules' && parts.length >= 2) {
    if (parts.length >= 3 && (parts[2] === 'Primary' || parts[2] === 'Secondary')) {
      return entryNodeId(parts[1], parts[2], null);
    }
    if (parts.length >= 4 && /^\d+$/.test(parts[3]) && Object.values(RULE_MEMBERS).includes(parts[2])) {
      return entryNodeId(parts[1], parts[2], Number(parts[3]));
    }
    return 'rule:' + parts[1];
  }
  return null;
}

/** Every node id reachable from the start. */
export function reachable(doc) {
  const out = new Set();
  const rules = doc && doc.Rules && typeof doc.Rules === 'object' ? doc.Rules : {};
  const walkRule = id => {
    if (out.has('rule:' + id) || !rules[id]) {
      return;
    }
    out.add('rule:' + id);
    for (const en of ruleEntries(id, rules[id])) {
      out.add(en.id);
      if (typeof en.entry.RuleReference === 'string') {
        walkRule(en.entry.RuleReference);
      } else if (typeof en.entry.EndpointReference === 'string') {
        out.add('endpoint:' + en.entry.EndpointReference);
      }
    }
  };
  if (doc && typeof doc.StartRule === 'string') {
    walkRule(doc.StartRule);
  } else if (doc && typeof doc.StartEndpoint === 'string') {
    out.add('endpoint:' + doc.StartEndpoint);
  }
  return out;
}

/** A short label for an entry: its location, region, weight or role. */
export function entryLabel(ruleType, member, entry) {
  if (member === 'Primary' || member === 'Secondary') {
    return member;
  }
  const e = entry || {};
  switch (ruleType) {
    case 'geo': {
      if (e.Country === '*' || e.IsDefault === true || e.IsDefault === 'true') {
        return 'Default';
      }
      const parts = [];
      if (e.Continent) {
        parts.push('Continent ' + e.Continent);
      }
      if (e.Country) {
        parts.push(e.Country + (e.Subdivision ? '-' + e.Subdivision : ''));
      } else if (e.Subdivision) {
        parts.push('?-' + e.Subdivision);
      }
      return parts.join(' ') || '(no location)';
    }
    case 'geoproximity': {
      const loc = e.Location && typeof e.Location === 'object' ? e.Location : null;
      const name = loc ? (loc.LocationName || (loc.Latitude !== undefined ? loc.Latitude + ', ' + loc.Longitude : ''))
          : (e.Region || (e.Latitude !== undefined ? e.Latitude + ', ' + e.Longitude : ''));
      return String(name || '(no location)').replace(/^aws:route53:/, '');
    }
    case 'latency':
      return e.Region ? String(e.Region) : '(no region)';
    case 'weighted':
      return 'Weight ' + (e.Weight === undefined ? '?' : e.Weight);
    case 'multivalue':
      return 'Item';
    default:
      return member;
  }
}

/** The words written on the edge of an entry: health check, EvaluateTargetHealth, bias. */
export function edgeLabel(ruleType, entry) {
  const e = entry || {};
  const parts = [];
  if (e.HealthCheck) {
    const hc = String(e.HealthCheck);
    parts.push('♥ ' + (hc.length > 14 ? hc.slice(0, 6) + '…' + hc.slice(-5) : hc));
  }
  if (e.EvaluateTargetHealth === true || e.EvaluateTargetHealth === 'true') {
    parts.push('ETH');
  }
  if (ruleType === 'geoproximity' && e.Bias !== undefined && String(e.Bias) !== '0') {
    const b = Number(e.Bias);
    parts.push('bias ' + (b > 0 ? '+' : '') + e.Bias);
  }
  return parts.join(' · ');
}

function truncate(text, n) {
  const s = String(text);
  return s.length > n ? s.slice(0, n - 1) + '…' : s;
}

/** Builds the visual tree (vnodes) of a document. */
function build(doc, collapsed) {
  const rules = doc && typeof doc.Rules === 'object' && doc.Rules ? doc.Rules : {};
  const endpoints = doc && typeof doc.Endpoints === 'object' && doc.Endpoints ? doc.Endpoints : {};
  const drawn = new Set();
  const parentOf = new Map();  // nodeId -> parent nodeId (first reference), for expanding to a node
  const roots = [];

  function endpointNode(id, parent) {
    if (!parentOf.has('endpoint:' + id)) {
      parentOf.set('endpoint:' + id, parent);
    }
    const ep = endpoints[id];
    return {kind: 'endpoint', id: 'endpoint:' + id, name: id, ep, missing: !ep};
  }

  function ruleNode(id, parent, depth) {
    const nodeId = 'rule:' + id;
    if (drawn.has(nodeId)) {
      return {kind: 'link', id: nodeId, name: id, missing: !rules[id]};
    }
    if (!rules[id]) {
      return {kind: 'link', id: nodeId, name: id, missing: true};
    }
    drawn.add(nodeId);
    parentOf.set(nodeId, parent);
    const rule = rules[id];
    const entries = ruleEntries(id, rule);
    const node = {kind: 'rule', id: nodeId, name: id, rule, entries, depth, children: [], hidden: 0};
    for (const en of entries) {
      parentOf.set(en.id, nodeId);
    }
    if (collapsed.has(nodeId)) {
      node.collapsed = true;
      node.hidden = entries.length;
      return node;
    }
    for (const en of entries) {
      const e = en.entry;
      let child;
      if (typeof e.RuleReference === 'string' && e.RuleReference) {
        child = ruleNode(e.RuleReference, en.id, depth + 1);
      } else if (typeof e.EndpointReference === 'string' && e.EndpointReference) {
        child = endpointNode(e.EndpointReference, en.id);
      } else {
        child = {kind: 'empty', id: en.id + '#empty', entryId: en.id};
      }
      child.viaEntry = en;
      child.viaRuleType = rule.RuleType;
      node.children.push(child);
    }
    return node;
  }

  if (doc && typeof doc.StartRule === 'string') {
    const r = ruleNode(doc.StartRule, null, 0);
    r.start = true;
    roots.push(r);
  } else if (doc && typeof doc.StartEndpoint === 'string') {
    const e = endpointNode(doc.StartEndpoint, null);
    e.start = true;
    roots.push(e);
  }
  // What the start reaches, collapsed or not; everything else is drawn below as "not connected": first the rules
  // no rule references (tops of detached trees), then the rest.
  const reached = reachable(doc);
  const referenced = new Set();
  for (const [rid, rule] of Object.entries(rules)) {
    for (const en of ruleEntries(rid, rule)) {
      if (typeof en.entry.RuleReference === 'string') {
        referenced.add(en.entry.RuleReference);
      }
    }
  }
  const orphanRules = Object.keys(rules).filter(id => !reached.has('rule:' + id));
  for (const id of [...orphanRules.filter(id => !referenced.has(id)), ...orphanRules]) {
    if (!drawn.has('rule:' + id)) {
      const r = ruleNode(id, null, 0);
      r.orphan = true;
      roots.push(r);
    }
  }
  for (const id of Object.keys(endpoints)) {
    if (!reached.has('endpoint:' + id) && !parentOf.has('endpoint:' + id)) {
      const e = endpointNode(id, null);
      e.orphan = true;
      roots.push(e);
    }
  }
  return {roots, parentOf, ruleCount: Object.keys(rules).length};
}

function nodeHeight(n) {
  switch (n.kind) {
    case 'rule': return HEAD_H + Math.max(1, n.entries.length) * ROW_H + 6;
    case 'endpoint': return ENDPOINT_H;
    default: return LINK_H;
  }
}

/** Lays out: each subtree gets a band as tall as the larger of its node and its children's bands. */
function layout(node, depth, top) {
  node.h = nodeHeight(node);
  node.x = depth * COL;
  const kids = node.children || [];
  if (!kids.length) {
    node.y = top;
    node.band = node.h;
    return node.band;
  }
  let y = top;
  for (const c of kids) {
    y += layout(c, depth + 1, y) + GAP;
  }
  const childBand = y - GAP - top;
  if (childBand >= node.h) {
    // Centre the node on its children's rows, then keep it inside the band.
    const first = kids[0];
    const last = kids[kids.length - 1];
    const mid = (first.y + first.h / 2 + last.y + last.h / 2) / 2;
    node.y = Math.min(Math.max(top, mid - node.h / 2), top + childBand - node.h);
    node.band = childBand;
  } else {
    node.y = top;
    const shift = (node.h - childBand) / 2;
    shiftBand(kids, shift);
    node.band = node.h;
  }
  return node.band;
}

function shiftBand(nodes, dy) {
  for (const n of nodes) {
    n.y += dy;
    shiftBand(n.children || [], dy);
  }
}

/** Draws a document; see the top of this file. */
export function renderTree(container, document, options = {}) {
  const opts = Object.assign({collapseDepth: 1, autoCollapseAbove: 40, toolbar: true,
    emptyText: 'This document has no start node.'}, options);
  let doc = document;
  const listeners = [];
  if (opts.onSelect) {
    listeners.push(opts.onSelect);
  }
  let selectedId = null;
  let collapsed = new Set();
  let model = null;
  const elements = new Map();   // nodeId -> [svg groups]
  const highlights = new Map(); // className -> Set(nodeId)
  const marks = new Map();      // nodeId -> [{className, title}]
  let view = {x: 20, y: 20, k: 1};
  let noteRight = 0;            // the right end of the notes drawn (fit keeps them in view)
  let fitted = false;

  const root = h('div', {class: 'tree', dataset: {tree: '1'}});
  const bar = h('div', {class: 'tree-bar'});
  const stage = svg('svg', {class: 'tree-svg', role: 'tree', 'aria-label': 'Policy tree', tabindex: '0'});
  const world = svg('g', {class: 'tree-world'});
  const edgeLayer = svg('g', {class: 'tree-edges'});
  const nodeLayer = svg('g', {class: 'tree-nodes'});
  const noteLayer = svg('g', {class: 'tree-notes'});
  world.append(edgeLayer, nodeLayer, noteLayer);
  stage.appendChild(world);
  const empty = h('div', {class: 'tree-empty muted'});
  const searchBox = h('input', {type: 'search', class: 'tree-search', placeholder: 'Find a node (id, value, region…)',
    'aria-label': 'Find a node', dataset: {test: 'tree-search'}});
  const searchInfo = h('span', {class: 'muted tree-search-info'});
  if (opts.toolbar) {
    bar.append(
        h('button', {type: 'button', title: 'Zoom to fit (F)', dataset: {test: 'tree-fit'}, onclick: () => fit()}, 'Fit'),
        h('button', {type: 'button', title: 'Zoom in (+)', onclick: () => zoomBy(1.25)}, '+'),
        h('button', {type: 'button', title: 'Zoom out (-)', onclick: () => zoomBy(0.8)}, '−'),
        h('button', {type: 'button', dataset: {test: 'tree-expand'}, onclick: () => expandAll()}, 'Expand all'),
        h('button', {type: 'button', dataset: {test: 'tree-collapse'}, onclick: () => collapseAll()}, 'Collapse all'),
        searchBox, searchInfo);
    root.appendChild(bar);
  }
  root.append(stage, empty);
  container.appendChild(root);

  searchBox.addEventListener('keydown', ev => {
    if (ev.key === 'Enter') {
      ev.preventDefault();
      find(searchBox.value, ev.shiftKey ? -1 : 1);
    } else if (ev.key === 'Escape') {
      searchBox.value = '';
      searchInfo.textContent = '';
    }
  });

  function autoCollapse() {
    collapsed = new Set();
    const rules = doc && doc.Rules && typeof doc.Rules === 'object' ? doc.Rules : {};
    if (Object.keys(rules).length <= opts.autoCollapseAbove) {
      return;
    }
    const m = build(doc, new Set());
    const walk = n => {
      if (n.kind === 'rule') {
        if (n.depth >= opts.collapseDepth && n.entries.some(en => en.entry && en.entry.RuleReference)) {
          collapsed.add(n.id);
        }
        (n.children || []).forEach(walk);
      }
    };
    m.roots.forEach(walk);
  }

  function draw() {
    model = build(doc, collapsed);
    clear(edgeLayer);
    clear(nodeLayer);
    clear(noteLayer);
    noteRight = 0;
    elements.clear();
    let top = 0;
    let orphanLabelDone = false;
    for (const r of model.roots) {
      if (r.orphan && !orphanLabelDone) {
        orphanLabelDone = true;
        top += 10;
        nodeLayer.appendChild(svg('text', {x: 0, y: top + 12, class: 'tree-section'},
            'Not connected to the start'));
        top += 24;
      }
      top += layout(r, 0, top) + GAP * 2;
    }
    model.height = top;
    let width = 0;
    const visit = n => {
      width = Math.max(width, n.x + (n.kind === 'endpoint' ? ENDPOINT_W : RULE_W));
      drawNode(n);
      (n.children || []).forEach(visit);
    };
    model.roots.forEach(visit);
    model.width = width;
    empty.textContent = model.roots.length ? '' : opts.emptyText;
    empty.hidden = model.roots.length > 0;
    stage.classList.toggle('is-empty', !model.roots.length);
    reapply();
    applyView();
  }

  function register(nodeId, el) {
    if (!elements.has(nodeId)) {
      elements.set(nodeId, []);
    }
    elements.get(nodeId).push(el);
    el.dataset.node = nodeId;
  }

  function selectable(g, nodeId) {
    g.addEventListener('click', ev => {
      ev.stopPropagation();
      select(nodeId, true);
    });
  }

  function drawEdge(parent, rowIndex, child) {
    const x1 = parent.x + RULE_W;
    const y1 = parent.y + HEAD_H + rowIndex * ROW_H + ROW_H / 2;
    const x2 = child.x;
    const y2 = child.y + child.h / 2;
    const mx = (x1 + x2) / 2;
    const path = svg('path', {class: 'tree-edge', d: `M${x1},${y1} C${mx},${y1} ${mx},${y2} ${x2},${y2}`});
    path.dataset.edge = child.viaEntry.id;
    edgeLayer.appendChild(path);
    const label = edgeLabel(child.viaRuleType, child.viaEntry.entry);
    if (label) {
      const t = svg('text', {x: x2 - 8, y: y2 - 6, class: 'tree-edge-label', 'text-anchor': 'end'}, label);
      t.dataset.edgeLabel = child.viaEntry.id;
      edgeLayer.appendChild(t);
    }
  }

  function drawNode(n) {
    if (n.kind === 'rule') {
      const g = svg('g', {class: ['tree-node', 'rule', n.start && 'start', n.orphan && 'orphan'],
        transform: `translate(${n.x},${n.y})`});
      register(n.id, g);
      const type = n.rule && n.rule.RuleType ? String(n.rule.RuleType) : '?';
      g.appendChild(svg('rect', {class: 'box', width: RULE_W, height: n.h, rx: 6}));
      const head = svg('g', {class: 'head'});
      head.dataset.head = n.id;
      head.appendChild(svg('rect', {class: 'head-bg type-' + type.replace(/[^a-z]/g, ''), width: RULE_W,
        height: HEAD_H - 4, rx: 6}));
      head.appendChild(svg('text', {x: 10, y: 13, class: 'kind'}, (n.start ? 'START · ' : '') + typeName(type)));
      head.appendChild(svg('text', {x: 10, y: 26, class: 'name'}, truncate(n.name, 30)));
      head.appendChild(svg('title', {}, typeName(type) + ' rule ' + n.name));
      selectable(head, n.id);
      g.appendChild(head);
      if (n.entries.length) {
        n.entries.forEach((en, i) => {
          const row = svg('g', {class: 'entry', transform: `translate(0,${HEAD_H + i * ROW_H})`});
          register(en.id, row);
          row.appendChild(svg('rect', {class: 'row', x: 2, width: RULE_W - 4, height: ROW_H - 2, rx: 3}));
          row.appendChild(svg('text', {x: 10, y: 16, class: 'label'}, truncate(entryLabel(type, en.member, en.entry), 28)));
          const target = en.entry.RuleReference || en.entry.EndpointReference;
          row.appendChild(svg('title', {}, entryLabel(type, en.member, en.entry) + (target ? ' → ' + target : ' (not connected)')));
          row.appendChild(svg('circle', {class: 'port', cx: RULE_W, cy: ROW_H / 2 - 1, r: 3.5}));
          selectable(row, en.id);
          g.appendChild(row);
        });
      } else {
        g.appendChild(svg('text', {x: 10, y: HEAD_H + 16, class: 'label muted'}, 'no entries'));
      }
      if (n.collapsed) {
        g.appendChild(toggle({class: 'toggle', x: RULE_W + 6, y: n.h / 2 - 10, w: 52, h: 20, rx: 10,
          text: '+' + n.hidden, title: 'Show what this rule leads to', data: 'expand', id: n.id,
          act: () => collapsed.delete(n.id)}));
      } else if (n.children.length) {
        g.appendChild(toggle({class: 'toggle small', x: RULE_W - 20, y: 6, w: 16, h: 16, rx: 3,
          text: '−', title: 'Collapse this branch', data: 'collapse', id: n.id, act: () => collapsed.add(n.id)}));
      }
      nodeLayer.appendChild(g);
      n.children.forEach((c, i) => drawEdge(n, i, c));
    } else if (n.kind === 'endpoint') {
      const g = svg('g', {class: ['tree-node', 'endpoint', n.start && 'start', n.orphan && 'orphan', n.missing && 'missing'],
        transform: `translate(${n.x},${n.y})`});
      register(n.id, g);
      g.appendChild(svg('rect', {class: 'box', width: ENDPOINT_W, height: n.h, rx: 6}));
      const type = n.ep && n.ep.Type ? String(n.ep.Type) : (n.missing ? 'missing endpoint' : '?');
      g.appendChild(svg('text', {x: 10, y: 16, class: 'kind'},
          truncate((n.start ? 'START · ' : '') + type + ' · ' + n.name, 38)));
      const value = n.ep ? (n.ep.Value === undefined || n.ep.Value === '' ? '(no value)' : String(n.ep.Value)) : '';
      g.appendChild(svg('text', {x: 10, y: 34, class: 'value'}, truncate(value + (n.ep && n.ep.Region ? ' · ' + n.ep.Region : ''), 36)));
      g.appendChild(svg('title', {}, 'endpoint ' + n.name + ' (' + type + ') ' + value));
      selectable(g, n.id);
      nodeLayer.appendChild(g);
    } else if (n.kind === 'link') {
      const g = svg('g', {class: ['tree-node', 'link', n.missing && 'missing'], transform: `translate(${n.x},${n.y})`});
      g.appendChild(svg('rect', {class: 'box', width: RULE_W * 0.8, height: n.h, rx: 13}));
      g.appendChild(svg('text', {x: 12, y: 17, class: 'name'}, truncate('↪ ' + n.name + (n.missing ? ' (missing)' : ''), 26)));
      g.appendChild(svg('title', {}, n.missing ? 'No rule ' + n.name + ' in this document'
          : 'Rule ' + n.name + ' is drawn at its first reference: click to go there'));
      g.dataset.linkTo = n.id;
      g.addEventListener('click', ev => {
        ev.stopPropagation();
        select(n.id, true);
        reveal(n.id);
      });
      nodeLayer.appendChild(g);
    } else if (n.kind === 'empty') {
      const g = svg('g', {class: 'tree-node empty-ref', transform: `translate(${n.x},${n.y})`});
      g.appendChild(svg('rect', {class: 'box', width: RULE_W * 0.8, height: n.h, rx: 4}));
      g.appendChild(svg('text', {x: 12, y: 17, class: 'name'}, 'not connected'));
      g.dataset.emptyFor = n.entryId;
      g.addEventListener('click', ev => {
        ev.stopPropagation();
        select(n.entryId, true);
      });
      nodeLayer.appendChild(g);
    }
  }

  /** A rule's expand (+N) or collapse (−) button. */
  function toggle(t) {
    const el = svg('g', {class: t.class, transform: `translate(${t.x},${t.y})`},
        svg('rect', {width: t.w, height: t.h, rx: t.rx}),
        svg('text', {x: t.w / 2, y: t.h / 2 + 4, 'text-anchor': 'middle'}, t.text),
        svg('title', {}, t.title));
    el.dataset[t.data] = t.id;
    el.addEventListener('click', ev => {
      ev.stopPropagation();
      t.act();
      draw();
    });
    return el;
  }

  function reapply() {
    for (const [cls, ids] of highlights) {
      for (const id of ids) {
        (elements.get(id) || []).forEach(el => el.classList.add(cls));
        edgeLayer.querySelectorAll('[data-edge]').forEach(p => {
          if (ids.has(p.dataset.edge)) {
            p.classList.add(cls);
          }
        });
      }
    }
    for (const [id, list] of marks) {
      for (const m of list) {
        decorate(id, m);
      }
    }
    if (selectedId) {
      (elements.get(selectedId) || []).forEach(el => el.classList.add('selected'));
    }
  }

  function decorate(nodeId, m) {
    const els = elements.get(nodeId) || [];
    els.forEach((el, i) => {
      el.classList.add(m.className);
      if (m.title) {
        el.classList.add('has-note');
        if (i === 0) {
          // Beside the node, where nothing is drawn: right of endpoints and entry rows, above a rule.
          const box = boxOf(el);
          const isRule = el.classList.contains('rule');
          const at = isRule ? {x: box.x, y: box.y - 20} : {x: box.x + box.w + (el.classList.contains('entry') ? 12 : 6),
            y: box.y + box.h / 2 - 8};
          const note = svg('g', {class: ['tree-note', m.className], transform: `translate(${at.x},${at.y})`});
          const text = svg('text', {x: 6, y: 12}, truncate(m.title, 44));
          const noteWidth = Math.min(44, m.title.length) * 6.3 + 12;
          noteRight = Math.max(noteRight, at.x + noteWidth);
          note.appendChild(svg('rect', {width: noteWidth, height: 17, rx: 3}));
          note.appendChild(text);
          note.appendChild(svg('title', {}, m.title));
          note.dataset.noteFor = nodeId;
          note.addEventListener('click', ev => {
            ev.stopPropagation();
            select(nodeId, true);
          });
          noteLayer.appendChild(note);
        }
      }
    });
  }

  /** The box of a drawn element in world coordinates. */
  function boxOf(el) {
    const own = parseTranslate(el.getAttribute('transform'));
    let x = own.x;
    let y = own.y;
    const parent = el.parentNode;
    if (parent && parent.classList && parent.classList.contains('tree-node')) {
      const p = parseTranslate(parent.getAttribute('transform'));
      x += p.x;
      y += p.y;
    }
    const rect = el.querySelector('rect');
    return {x, y, w: Number(rect.getAttribute('width')), h: Number(rect.getAttribute('height'))};
  }

  function parseTranslate(t) {
    const m = /translate\(([-\d.e]+),([-\d.e]+)\)/.exec(t || '');
    return m ? {x: Number(m[1]), y: Number(m[2])} : {x: 0, y: 0};
  }

  // Pan and zoom: drag the background, wheel to zoom around the pointer.
  function applyView() {
    world.setAttribute('transform', `translate(${view.x},${view.y}) scale(${view.k})`);
  }

  function zoomAt(px, py, factor) {
    const k = Math.min(3, Math.max(0.08, view.k * factor));
    view.x = px - (px - view.x) * (k / view.k);
    view.y = py - (py - view.y) * (k / view.k);
    view.k = k;
    applyView();
  }

  function zoomBy(factor) {
    const r = stage.getBoundingClientRect();
    zoomAt(r.width / 2, r.height / 2, factor);
  }

  function fit() {
    if (!model) {
      return;
    }
    const r = stage.getBoundingClientRect();
    if (!r.width || !r.height || !model.width) {
      return;
    }
    const pad = 24;
    const width = Math.max(model.width, noteRight);
    const k = Math.min(1.2, (r.width - 2 * pad) / width, (r.height - 2 * pad) / Math.max(1, model.height));
    view.k = Math.max(0.08, k);
    view.x = pad;
    view.y = Math.max(pad, (r.height - model.height * view.k) / 2);
    applyView();
    fitted = true;
  }

  function centerOn(nodeId) {
    const els = elements.get(nodeId);
    if (!els || !els.length) {
      return;
    }
    const b = boxOf(els[0]);
    const r = stage.getBoundingClientRect();
    if (view.k < 0.6) {
      view.k = 0.9;
    }
    // A little left of the middle: what a node leads to, and its note, are on its right.
    view.x = r.width * 0.4 - (b.x + b.w / 2) * view.k;
    view.y = r.height / 2 - (b.y + b.h / 2) * view.k;
    applyView();
  }

  let drag = null;
  stage.addEventListener('pointerdown', ev => {
    if (ev.button !== 0) {
      return;
    }
    drag = {x: ev.clientX, y: ev.clientY, vx: view.x, vy: view.y, moved: false};
  });
  stage.addEventListener('pointermove', ev => {
    if (!drag) {
      return;
    }
    const dx = ev.clientX - drag.x;
    const dy = ev.clientY - drag.y;
    if (!drag.moved && Math.abs(dx) + Math.abs(dy) > 3) {
      drag.moved = true;
      stage.setPointerCapture(ev.pointerId);
      stage.classList.add('panning');
    }
    if (drag.moved) {
      view.x = drag.vx + dx;
      view.y = drag.vy + dy;
      applyView();
    }
  });
  const endDrag = ev => {
    if (drag && drag.moved) {
      stage.releasePointerCapture(ev.pointerId);
      stage.classList.remove('panning');
      // A drag is not a click: swallow the click that follows.
      stage.addEventListener('click', e => e.stopPropagation(), {capture: true, once: true});
    }
    drag = null;
  };
  stage.addEventListener('pointerup', endDrag);
  stage.addEventListener('pointercancel', endDrag);
  stage.addEventListener('wheel', ev => {
    ev.preventDefault();
    const r = stage.getBoundingClientRect();
    zoomAt(ev.clientX - r.left, ev.clientY - r.top, Math.exp(-ev.deltaY * 0.0015));
  }, {passive: false});
  stage.addEventListener('click', () => select(null, true));
  stage.addEventListener('keydown', ev => {
    if (ev.target !== stage) {
      return;
    }
    if (ev.key === 'f' || ev.key === 'F') {
      fit();
    } else if (ev.key === '+' || ev.key === '=') {
      zoomBy(1.25);
    } else if (ev.key === '-') {
      zoomBy(0.8);
    } else if (ev.key.startsWith('Arrow')) {
      const step = 60;
      view.x += ev.key === 'ArrowLeft' ? step : ev.key === 'ArrowRight' ? -step : 0;
      view.y += ev.key === 'ArrowUp' ? step : ev.key === 'ArrowDown' ? -step : 0;
      applyView();
    } else {
      return;
    }
    ev.preventDefault();
  });
  const resize = new ResizeObserver(() => {
    if (!fitted) {
      initialView();
    }
  });

  /** Fits when that stays readable; else shows the start at a readable scale (Fit shows everything). */
  function initialView() {
    fit();
    if (view.k < 0.55 && model && model.roots.length) {
      view.k = 0.85;
      view.x = 24;
      view.y = 24 - model.roots[0].y * view.k;
      applyView();
    }
  }
  resize.observe(stage);

  /** Expands every collapsed rule on the way to nodeId (drawn at its first reference). */
  function reveal(nodeId) {
    let changed = false;
    const full = build(doc, new Set());
    let cur = full.parentOf.get(nodeId);
    while (cur) {
      const ruleId = cur.replace(/\/.*$/, '');
      if (collapsed.delete(ruleId)) {
        changed = true;
      }
      cur = full.parentOf.get(ruleId);
    }
    if (changed) {
      draw();
    }
    centerOn(nodeId);
  }

  function select(nodeId, fromUser) {
    if (selectedId) {
      (elements.get(selectedId) || []).forEach(el => el.classList.remove('selected'));
    }
    selectedId = nodeId || null;
    if (selectedId) {
      if (!elements.has(selectedId)) {
        reveal(selectedId);
      }
      (elements.get(selectedId) || []).forEach(el => el.classList.add('selected'));
      if (!fromUser) {
        centerOnIfHidden(selectedId);
      }
    }
    root.dataset.selected = selectedId || '';
    for (const fn of listeners) {
      fn(selectedId);
    }
  }

  function centerOnIfHidden(nodeId) {
    const els = elements.get(nodeId);
    if (!els || !els.length) {
      return;
    }
    const r = stage.getBoundingClientRect();
    const b = els[0].getBoundingClientRect();
    if (b.right < r.left || b.left > r.right || b.bottom < r.top || b.top > r.bottom) {
      centerOn(nodeId);
    }
  }

  let lastFind = {text: '', index: -1};
  function find(text, direction = 1) {
    const q = String(text || '').trim().toLowerCase();
    if (!q) {
      searchInfo.textContent = '';
      return null;
    }
    const hits = [];
    const rules = doc.Rules || {};
    for (const [id, rule] of Object.entries(rules)) {
      if (id.toLowerCase().includes(q) || String(rule.RuleType || '').toLowerCase() === q) {
        hits.push('rule:' + id);
      }
      for (const en of ruleEntries(id, rule)) {
        const e = en.entry;
        const words = [entryLabel(rule.RuleType, en.member, e), e.HealthCheck, e.Region, e.Country, e.Continent]
            .filter(Boolean).map(w => String(w).toLowerCase());
        if (words.some(w => w.includes(q))) {
          hits.push(en.id);
        }
      }
    }
    for (const [id, ep] of Object.entries(doc.Endpoints || {})) {
      if (id.toLowerCase().includes(q) || String(ep && ep.Value || '').toLowerCase().includes(q)) {
        hits.push('endpoint:' + id);
      }
    }
    if (!hits.length) {
      searchInfo.textContent = 'no match';
      return null;
    }
    const index = lastFind.text === q ? (lastFind.index + direction + hits.length) % hits.length : 0;
    lastFind = {text: q, index};
    searchInfo.textContent = (index + 1) + ' of ' + hits.length + ' (Enter: next)';
    reveal(hits[index]);
    select(hits[index], true);
    centerOn(hits[index]);
    return hits[index];
  }

  function expandAll() {
    collapsed = new Set();
    draw();
    fit();
  }

  function collapseAll() {
    const m = build(doc, new Set());
    collapsed = new Set();
    const walk = n => {
      if (n.kind === 'rule') {
        if (n.depth >= 1 && n.children.some(c => c.kind === 'rule')) {
          collapsed.add(n.id);
        }
        n.children.forEach(walk);
      }
    };
    m.roots.forEach(walk);
    draw();
    fit();
  }

  autoCollapse();
  draw();
  requestAnimationFrame(() => initialView());

  const api = {
    /** Adds className to the nodes (and the edges into entries) listed; replaces an earlier set of that class. */
    highlight(nodeIds, className = 'path') {
      for (const id of highlights.get(className) || []) {
        (elements.get(id) || []).forEach(el => el.classList.remove(className));
      }
      edgeLayer.querySelectorAll('.' + CSS.escape(className)).forEach(p => p.classList.remove(className));
      const set = new Set(nodeIds || []);
      highlights.set(className, set);
      for (const id of set) {
        if (!elements.has(id)) {
          reveal(id);
        }
      }
      reapply();
    },
    /** Marks one node with a class and an optional message drawn under it (problems, diff marks). */
    mark(nodeId, className, title) {
      if (!marks.has(nodeId)) {
        marks.set(nodeId, []);
      }
      const m = {className, title};
      marks.get(nodeId).push(m);
      decorate(nodeId, m);
    },
    /** Removes every mark of className (or every mark). */
    clearMarks(className) {
      for (const [id, list] of marks) {
        const keep = className ? list.filter(m => m.className !== className) : [];
        for (const m of list.filter(x => !keep.includes(x))) {
          (elements.get(id) || []).forEach(el => el.classList.remove(m.className));
          noteLayer.querySelectorAll('.tree-note').forEach(n => {
            if (n.dataset.noteFor === id && n.classList.contains(m.className)) {
              n.remove();
            }
          });
        }
        if (keep.length) {
          marks.set(id, keep);
        } else {
          marks.delete(id);
        }
      }
    },
    select: nodeId => select(nodeId, false),
    selected: () => selectedId,
    onSelect(fn) {
      listeners.push(fn);
    },
    /** Draws another version of the document, keeping zoom, collapsed branches, selection and marks. */
    update(next) {
      doc = next;
      draw();
      if (selectedId && !elements.has(selectedId) && !build(doc, new Set()).parentOf.has(selectedId)) {
        select(null, false);
      }
    },
    fit,
    find,
    expandAll,
    collapseAll,
    reveal,
    has: nodeId => elements.has(nodeId),
    element: () => root,
    destroy() {
      resize.disconnect();
      root.remove();
      listeners.length = 0;
    },
  };
  return api;
}

/** The same as renderTree (an earlier name). */
export const drawTree = (...args) => renderTree(...args);

/** Route 53's names for rule types. */
export function typeName(type) {
  return {failover: 'Failover', geo: 'Geolocation', geoproximity: 'Geoproximity', latency: 'Latency',
    weighted: 'Weighted', multivalue: 'Multivalue answer'}[type] || String(type);
}
