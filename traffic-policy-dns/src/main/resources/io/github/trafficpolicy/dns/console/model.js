// Edits of a Route 53 traffic policy document held as plain JSON (the editor's model): new rules, entries and
// endpoints, connecting an entry, renaming, changing a rule's type, deleting a branch. Every function changes the
// document in place and keeps it a Route 53 document (AWSPolicyFormatVersion, RecordType, StartRule or
// StartEndpoint, Endpoints, Rules); problems the user must still fix (an entry not connected, an empty value) are
// left for the server's validation to name.

import {RULE_MEMBERS, entryNodeId, parseNodeId, reachable, ruleEntries} from './tree.js';

// The node id format is tree.js's; the editor reads it through this module.
export {entryNodeId, parseNodeId};

export const RULE_TYPES = ['failover', 'geo', 'geoproximity', 'latency', 'weighted', 'multivalue'];
export const ENDPOINT_TYPES = ['value', 'cloudfront', 'application-load-balancer', 'elastic-load-balancer',
  'network-load-balancer', 'elastic-beanstalk', 's3-website'];
export const RECORD_TYPES = ['A', 'AAAA', 'CNAME', 'MX', 'TXT', 'SRV', 'PTR', 'NAPTR', 'SPF', 'CAA', 'DS', 'NS'];
export const REGIONS = ['us-east-1', 'us-east-2', 'us-west-1', 'us-west-2', 'ca-central-1', 'ca-west-1', 'mx-central-1',
  'sa-east-1', 'eu-west-1', 'eu-west-2', 'eu-west-3', 'eu-central-1', 'eu-central-2', 'eu-north-1', 'eu-south-1',
  'eu-south-2', 'il-central-1', 'me-south-1', 'me-central-1', 'af-south-1', 'ap-east-1', 'ap-east-2', 'ap-south-1',
  'ap-south-2', 'ap-southeast-1', 'ap-southeast-2', 'ap-southeast-3', 'ap-southeast-4', 'ap-southeast-5',
  'ap-southeast-6', 'ap-southeast-7', 'ap-northeast-1', 'ap-northeast-2', 'ap-northeast-3', 'cn-north-1',
  'cn-northwest-1', 'us-gov-east-1', 'us-gov-west-1'];

/** A document with nothing in it yet (no start: the editor asks what to start with). */
export function emptyDocument(recordType = 'A') {
  return {AWSPolicyFormatVersion: '2015-10-01', RecordType: recordType, Endpoints: {}, Rules: {}};
}

/** The entry object a node id names, or null. */
export function entryOf(doc, nodeId) {
  const p = parseNodeId(nodeId);
  if (!p || p.kind !== 'entry') {
    return null;
  }
  const rule = rules(doc)[p.id];
  if (!rule) {
    return null;
  }
  const entry = p.index === null ? rule[p.member] : (rule[p.member] || [])[p.index];
  return entry && typeof entry === 'object' ? {rule, ruleId: p.id, member: p.member, index: p.index, entry} : null;
}

export function rules(doc) {
  if (!doc.Rules || typeof doc.Rules !== 'object' || Array.isArray(doc.Rules)) {
    doc.Rules = {};
  }
  return doc.Rules;
}

export function endpoints(doc) {
  if (!doc.Endpoints || typeof doc.Endpoints !== 'object' || Array.isArray(doc.Endpoints)) {
    doc.Endpoints = {};
  }
  return doc.Endpoints;
}

/** An id not used by any rule or endpoint: prefix-1, prefix-2, … */
export function freshId(doc, prefix) {
  const used = new Set([...Object.keys(rules(doc)), ...Object.keys(endpoints(doc))]);
  for (let i = 1; ; i++) {
    if (!used.has(prefix + '-' + i)) {
      return prefix + '-' + i;
    }
  }
}

/** A new entry for a rule of this type, at position index among existing entries. */
export function defaultEntry(ruleType, index = 0) {
  switch (ruleType) {
    case 'geo':
      return index === 0 ? {IsDefault: true} : {Country: 'US'};
    case 'geoproximity':
      return {Region: 'aws:route53:' + REGIONS[index % REGIONS.length], Bias: 0};
    case 'latency':
      return {Region: REGIONS[index % REGIONS.length]};
    case 'weighted':
      return {Weight: '50'};
    default:
      return {};
  }
}

/** Adds a rule of this type with its first entries (failover: Primary and Secondary); returns its id. */
export function addRule(doc, type) {
  const id = freshId(doc, type);
  const rule = {RuleType: type};
  if (type === 'failover') {
    rule.Primary = {};
    rule.Secondary = {};
  } else {
    rule[RULE_MEMBERS[type]] = type === 'weighted' || type === 'latency'
        ? [defaultEntry(type, 0), defaultEntry(type, 1)] : [defaultEntry(type, 0)];
  }
  rules(doc)[id] = rule;
  return id;
}

/** Adds an endpoint (type value, empty value: the validation asks for one); returns its id. */
export function addEndpoint(doc, type = 'value', value = '') {
  const id = freshId(doc, 'endpoint');
  endpoints(doc)[id] = {Type: type, Value: value};
  return id;
}

/** Adds an entry to a rule (not failover); returns the entry's node id. */
export function addEntry(doc, ruleId) {
  const rule = rules(doc)[ruleId];
  if (rule.RuleType === 'failover') {
    const free = ['Primary', 'Secondary'].find(m => !rule[m]);
    if (!free) {
      return null;
    }
    rule[free] = {};
    return entryNodeId(ruleId, free, null);
  }
  const member = RULE_MEMBERS[rule.RuleType];
  if (!Array.isArray(rule[member])) {
    rule[member] = [];
  }
  rule[member].push(defaultEntry(rule.RuleType, rule[member].length));
  return entryNodeId(ruleId, member, rule[member].length - 1);
}

/** Points an entry at a rule or an endpoint (kind 'rule' | 'endpoint'); a rule reference gets EvaluateTargetHealth. */
export function connect(doc, entryId, kind, targetId) {
  const e = entryOf(doc, entryId);
  delete e.entry.RuleReference;
  delete e.entry.EndpointReference;
  e.entry[kind === 'rule' ? 'RuleReference' : 'EndpointReference'] = targetId;
  if (kind === 'rule' && e.entry.EvaluateTargetHealth === undefined) {
    // Route 53's default here is undocumented; its console writes it explicitly, and so do we.
    e.entry.EvaluateTargetHealth = true;
  }
}

/** True when ruleId can reach targetRuleId (so pointing targetRuleId's subtree at ruleId would make a cycle). */
export function reaches(doc, fromRuleId, targetRuleId) {
  const seen = new Set();
  const walk = id => {
    if (id === targetRuleId) {
      return true;
    }
    if (seen.has(id) || !rules(doc)[id]) {
      return false;
    }
    seen.add(id);
    return ruleEntries(id, rules(doc)[id]).some(en => typeof en.entry.RuleReference === 'string'
        && walk(en.entry.RuleReference));
  };
  return walk(fromRuleId);
}

/** The entries (node ids) that reference a rule or an endpoint. */
export function referencesTo(doc, kind, id) {
  const key = kind === 'rule' ? 'RuleReference' : 'EndpointReference';
  const out = [];
  for (const [rid, rule] of Object.entries(rules(doc))) {
    for (const en of ruleEntries(rid, rule)) {
      if (en.entry[key] === id) {
        out.push(en.id);
      }
    }
  }
  return out;
}

/**
 * Deletes a branch: an entry (and what only it led to), or a rule or endpoint (with the entries that referenced it
 * and what only it led to). Rules and endpoints that were reachable before and are not after are removed; ones
 * that were already not connected stay (the user may be building them). Returns the node ids removed.
 */
export function deleteBranch(doc, nodeId) {
  const before = reachable(doc);
  const p = parseNodeId(nodeId);
  const removed = [nodeId];
  if (p.kind === 'entry') {
    removeEntry(doc, nodeId);
  } else {
    const kind = p.kind;
    for (const ref of referencesTo(doc, kind, p.id).reverse()) {
      removeEntry(doc, ref);
      removed.push(ref);
    }
    if (kind === 'rule') {
      delete rules(doc)[p.id];
      if (doc.StartRule === p.id) {
        delete doc.StartRule;
      }
    } else {
      delete endpoints(doc)[p.id];
      if (doc.StartEndpoint === p.id) {
        delete doc.StartEndpoint;
      }
    }
  }
  // Collect what the deletion cut off, until nothing more falls.
  for (;;) {
    const after = reachable(doc);
    const lost = [...before].filter(n => !after.has(n) && !n.includes('/'));
    const present = lost.filter(n => n.startsWith('rule:') ? rules(doc)[n.slice(5)] : endpoints(doc)[n.slice(9)]);
    if (!present.length) {
      break;
    }
    for (const n of present) {
      if (n.startsWith('rule:')) {
        delete rules(doc)[n.slice(5)];
      } else {
        delete endpoints(doc)[n.slice(9)];
      }
      removed.push(n);
    }
  }
  return removed;
}

function removeEntry(doc, entryId) {
  const e = entryOf(doc, entryId);
  if (!e) {
    return;
  }
  if (e.index === null) {
    delete e.rule[e.member];
  } else {
    e.rule[e.member].splice(e.index, 1);
  }
}

/** Renames a rule or an endpoint, with every reference to it and the start. Returns the new node id. */
export function rename(doc, kind, oldId, newId) {
  if (kind === 'rule') {
    rules(doc)[newId] = rules(doc)[oldId];
    doc.Rules = reorder(rules(doc), oldId, newId);
    if (doc.StartRule === oldId) {
      doc.StartRule = newId;
    }
  } else {
    endpoints(doc)[newId] = endpoints(doc)[oldId];
    doc.Endpoints = reorder(endpoints(doc), oldId, newId);
    if (doc.StartEndpoint === oldId) {
      doc.StartEndpoint = newId;
    }
  }
  const key = kind === 'rule' ? 'RuleReference' : 'EndpointReference';
  for (const [rid, rule] of Object.entries(rules(doc))) {
    for (const en of ruleEntries(rid, rule)) {
      if (en.entry[key] === oldId) {
        en.entry[key] = newId;
      }
    }
  }
  return (kind === 'rule' ? 'rule:' : 'endpoint:') + newId;
}

/** The same members in the same order with oldKey replaced by newKey (already holding the value). */
function reorder(map, oldKey, newKey) {
  const out = {};
  for (const [k, v] of Object.entries(map)) {
    if (k === newKey) {
      continue;
    }
    out[k === oldKey ? newKey : k] = k === oldKey ? map[newKey] : v;
  }
  if (!(newKey in out)) {
    out[newKey] = map[newKey];
  }
  return out;
}

/**
 * Changes a rule's type, keeping its entries' targets, health checks and EvaluateTargetHealth (failover keeps the
 * first two; multivalue keeps endpoint references only, as Route 53 allows no rule under it).
 */
export function changeRuleType(doc, ruleId, type) {
  const rule = rules(doc)[ruleId];
  const old = ruleEntries(ruleId, rule).map(en => en.entry);
  const carried = old.map((e, i) => {
    const n = defaultEntry(type, i);
    for (const k of ['EndpointReference', 'RuleReference', 'HealthCheck', 'EvaluateTargetHealth']) {
      if (e[k] !== undefined) {
        n[k] = e[k];
      }
    }
    if (type === 'multivalue') {
      delete n.RuleReference;
      delete n.EvaluateTargetHealth;
    }
    return n;
  });
  for (const k of Object.keys(rule)) {
    delete rule[k];
  }
  rule.RuleType = type;
  if (type === 'failover') {
    rule.Primary = carried[0] || {};
    rule.Secondary = carried[1] || {};
  } else {
    rule[RULE_MEMBERS[type]] = carried.length ? carried : [defaultEntry(type, 0)];
  }
}

/** Sets or removes (value '' / undefined / null) one member of an object. */
export function setMember(obj, key, value) {
  if (value === undefined || value === null || value === '') {
    delete obj[key];
  } else {
    obj[key] = value;
  }
}

/** The document in Route 53's member order (format, type, start, endpoints, rules, then anything else). */
export function ordered(doc) {
  const out = {};
  for (const k of ['AWSPolicyFormatVersion', 'RecordType', 'StartRule', 'StartEndpoint', 'Endpoints', 'Rules']) {
    if (doc[k] !== undefined) {
      out[k] = doc[k];
    }
  }
  for (const [k, v] of Object.entries(doc)) {
    if (!(k in out)) {
      out[k] = v;
    }
  }
  return out;
}
