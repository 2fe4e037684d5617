// The editor: draw a policy by clicking (start with an endpoint or a rule, select a node, edit its properties
// beside the drawing, add entries, connect an entry to a new or an existing rule or endpoint, delete a branch),
// with the JSON document beside it in step both ways, live validation (POST /validate) with every problem on the
// node its JSON pointer names, undo/redo, import, and save as a new policy or a new version.
//
// Keys (outside text fields): Delete/Backspace deletes the selected branch (after confirming), Esc deselects,
// Ctrl+Z / Ctrl+Shift+Z (or Ctrl+Y) undo and redo.

import {api, currentSession, seg} from './api.js';
import {append, clear, h, notify} from './dom.js';
import {CONTINENTS, US_SUBDIVISIONS, allCountries, countryName} from './countries.js';
import {confirmAction, errorBox, loading} from './ops.js';
import {link, navigate, register} from './router.js';
import {entryLabel, nodeIdForPointer, renderTree, ruleEntries, typeName} from './tree.js';
import {
  ENDPOINT_TYPES, RECORD_TYPES, REGIONS, RULE_TYPES, addEndpoint, addEntry, addRule, changeRuleType, connect,
  deleteBranch, emptyDocument, endpoints, entryOf, ordered, parseNodeId, reaches, referencesTo, rename, rules,
  setMember,
} from './model.js';

/** Appends children, skipping null (Element.append would write "null"). */
const add = (el, ...kids) => append(el, kids);

register('editor', {title: 'Editor', nav: 'Editor', order: 20, render});
register('editor/:id/:version', {title: 'New version', render});

const VALIDATE_DELAY = 350;
const JSON_DELAY = 300;

async function render(container, params, query) {
  let base = null;
  let doc;
  if (params.id) {
    container.appendChild(loading('version ' + params.version));
    try {
      base = await api.get('policies/' + seg(params.id) + '/versions/' + seg(params.version));
    } catch (e) {
      clear(container).appendChild(errorBox(e, 'Loading version ' + params.version + ' of ' + params.id));
      return;
    }
    clear(container);
    doc = JSON.parse(JSON.stringify(base.document));
  } else {
    doc = emptyDocument();
  }
  const ed = new Editor(container, doc, base);
  if (query.import) {
    ed.openImport();
  }
  return {cleanup: () => ed.destroy(), leaveGuard: () => ed.leaveGuard()};
}

class Editor {
  constructor(container, doc, base) {
    this.doc = doc;
    this.base = base;
    this.selected = null;
    this.problems = [];
    this.undoStack = [];
    this.redoStack = [];
    this.dirty = false;
    this.validation = 0;
    this.timers = {};
    this.readOnly = !!(currentSession() && currentSession().readOnly);

    const title = base ? 'New version of ' + (base.name || base.id) : 'New policy';
    this.undoButton = h('button', {type: 'button', id: 'undo', title: 'Undo (Ctrl+Z)', onclick: () => this.undo()}, 'Undo');
    this.redoButton = h('button', {type: 'button', id: 'redo', title: 'Redo (Ctrl+Shift+Z)', onclick: () => this.redo()}, 'Redo');
    this.status = h('span', {class: 'validation-status', id: 'validation-status', role: 'status'});
    this.nameInput = base ? null : h('input', {id: 'policy-name', placeholder: 'Policy name (e.g. www)',
      'aria-label': 'Policy name', required: true});
    this.commentInput = h('input', {id: 'version-comment', class: 'comment-input',
      placeholder: base ? 'What changed (comment of the new version)' : 'Comment of version 1',
      'aria-label': 'Comment'});
    this.saveButton = h('button', {type: 'button', class: 'primary', id: 'save-version', onclick: () => this.save(),
      disabled: this.readOnly, title: this.readOnly ? 'Read-only key: cannot save' : null},
    base ? 'Save as new version' : 'Save policy');
    container.appendChild(h('div', {class: 'page-head'},
        h('h1', {}, title, base ? h('span', {class: 'muted'}, ' from version ' + base.version) : null),
        h('div', {class: 'toolbar'},
            h('button', {type: 'button', id: 'open-import', onclick: () => this.openImport()}, 'Import JSON'),
            this.undoButton, this.redoButton, this.status, h('span', {class: 'spacer'}),
            this.nameInput, this.commentInput, this.saveButton)));
    this.saveError = h('div', {id: 'save-error'});
    container.appendChild(this.saveError);

    this.treeBox = h('div', {class: 'tree-box editor-tree', id: 'editor-tree'});
    this.startBox = h('div', {class: 'start-chooser', id: 'start-chooser'});
    this.props = h('div', {class: 'props', id: 'props'});
    this.problemBox = h('div', {class: 'problem-box', id: 'problems'});
    this.jsonText = h('textarea', {class: 'code json-text', id: 'json-text', spellcheck: 'false',
      'aria-label': 'Policy document (JSON)', wrap: 'off'});
    this.jsonError = h('div', {class: 'json-error error', id: 'json-error', role: 'alert'});
    const treeWrap = h('div', {class: 'editor-drawing'}, this.treeBox, this.startBox);
    container.appendChild(h('div', {class: 'editor-grid'},
        treeWrap,
        h('aside', {class: 'panel side editor-side'}, this.props, this.problemBox),
        h('section', {class: 'panel json-panel'}, h('h2', {}, 'Document (JSON)'), this.jsonText, this.jsonError)));

    this.tree = renderTree(this.treeBox, this.doc, {emptyText: ''});
    this.tree.onSelect(id => {
      this.selected = id;
      this.renderProps();
    });
    this.jsonText.addEventListener('input', () => this.later('json', JSON_DELAY, () => this.fromJson()));
    this.keys = ev => this.onKey(ev);
    document.addEventListener('keydown', this.keys);
    this.beforeUnload = ev => {
      if (this.dirty) {
        ev.preventDefault();
        ev.returnValue = '';
      }
    };
    window.addEventListener('beforeunload', this.beforeUnload);
    this.refresh({json: true, props: true});
  }

  /** What the router asks before leaving: null when nothing is unsaved, else the user's answer (a promise). */
  leaveGuard() {
    return this.dirty ? confirmAction({title: 'Leave the editor?',
      message: 'The changes are not saved as a version yet: leaving the editor discards them.',
      confirm: 'Discard and leave', danger: true}) : null;
  }

  destroy() {
    document.removeEventListener('keydown', this.keys);
    window.removeEventListener('beforeunload', this.beforeUnload);
    Object.values(this.timers).forEach(clearTimeout);
    this.tree.destroy();
  }

  later(key, ms, fn) {
    clearTimeout(this.timers[key]);
    this.timers[key] = setTimeout(fn, ms);
  }

  // --- changes -------------------------------------------------------------------------------------------------

  /** Applies a change to the document (undoable), then redraws; select: the node to select afterwards. */
  change(fn, {select, props = true} = {}) {
    const before = JSON.stringify(this.doc);
    fn(this.doc);
    if (JSON.stringify(this.doc) === before) {
      return;
    }
    // Typing in a field (props: false) is one undo step per pause, not one per key.
    const now = Date.now();
    const typing = !props && this.lastTyping && now - this.lastTyping < 1500;
    this.lastTyping = props ? 0 : now;
    if (!typing) {
      this.undoStack.push(before);
    }
    if (this.undoStack.length > 200) {
      this.undoStack.shift();
    }
    this.redoStack = [];
    this.dirty = true;
    this.refresh({json: true, props, select});
  }

  refresh({json = false, props = false, select} = {}) {
    this.tree.update(this.doc);
    if (select !== undefined) {
      this.tree.select(select);
    } else if (this.selected && !this.exists(this.selected)) {
      this.tree.select(null);
    } else if (props) {
      this.renderProps();
    }
    if (json) {
      this.jsonText.value = JSON.stringify(ordered(this.doc), null, 2);
      this.jsonError.textContent = '';
    }
    this.renderStart();
    this.undoButton.disabled = !this.undoStack.length;
    this.redoButton.disabled = !this.redoStack.length;
    this.status.textContent = 'Checking…';
    this.status.className = 'validation-status pending';
    this.later('validate', VALIDATE_DELAY, () => this.validate());
  }

  exists(nodeId) {
    const p = parseNodeId(nodeId);
    if (!p) {
      return false;
    }
    if (p.kind === 'rule') {
      return !!rules(this.doc)[p.id];
    }
    if (p.kind === 'endpoint') {
      return !!endpoints(this.doc)[p.id];
    }
    return !!entryOf(this.doc, nodeId);
  }

  undo() {
    if (!this.undoStack.length) {
      return;
    }
    this.redoStack.push(JSON.stringify(this.doc));
    this.doc = JSON.parse(this.undoStack.pop());
    this.dirty = true;
    this.refresh({json: true, props: true});
  }

  redo() {
    if (!this.redoStack.length) {
      return;
    }
    this.undoStack.push(JSON.stringify(this.doc));
    this.doc = JSON.parse(this.redoStack.pop());
    this.refresh({json: true, props: true});
  }

  fromJson() {
    let parsed;
    try {
      parsed = JSON.parse(this.jsonText.value);
    } catch (e) {
      this.jsonError.textContent = 'Not JSON yet (the drawing shows the last document that parsed): ' + e.message;
      return;
    }
    if (!parsed || typeof parsed !== 'object' || Array.isArray(parsed)) {
      this.jsonError.textContent = 'A policy document is a JSON object.';
      return;
    }
    this.jsonError.textContent = '';
    const before = JSON.stringify(this.doc);
    if (JSON.stringify(parsed) === before) {
      return;
    }
    this.undoStack.push(before);
    this.redoStack = [];
    this.doc = parsed;
    this.dirty = true;
    this.refresh({props: true});
  }

  onKey(ev) {
    const inField = ev.target.closest && ev.target.closest('input, textarea, select, [contenteditable]');
    if (document.querySelector('dialog[open]')) {
      return;
    }
    if ((ev.ctrlKey || ev.metaKey) && !inField && (ev.key === 'z' || ev.key === 'Z' || ev.key === 'y')) {
      ev.preventDefault();
      if (ev.key === 'y' || ev.shiftKey) {
        this.redo();
      } else {
        this.undo();
      }
      return;
    }
    if (inField) {
      if (ev.key === 'Escape') {
        ev.target.blur();
      }
      return;
    }
    if (ev.key === 'Escape') {
      this.tree.select(null);
    } else if ((ev.key === 'Delete' || ev.key === 'Backspace') && this.selected) {
      ev.preventDefault();
      this.deleteSelected();
    }
  }

  async deleteSelected() {
    const id = this.selected;
    if (!id) {
      return;
    }
    const p = parseNodeId(id);
    const what = p.kind === 'entry' ? 'this entry' : p.kind + ' ' + p.id;
    const refs = p.kind === 'entry' ? [] : referencesTo(this.doc, p.kind, p.id);
    const ok = await confirmAction({title: 'Delete ' + what + '?', danger: true, confirm: 'Delete',
      message: h('div', {},
          h('p', {}, 'Deletes ' + what + ' and every rule and endpoint only it leads to.'),
          refs.length ? h('p', {}, 'Also removes the ' + refs.length + ' entr' + (refs.length === 1 ? 'y' : 'ies')
              + ' that lead to it.') : null,
          h('p', {class: 'muted'}, 'Undo (Ctrl+Z) brings it back.'))});
    if (ok) {
      let removed = [];
      this.change(d => {
        removed = deleteBranch(d, id);
      }, {select: null});
      notify('Deleted ' + removed.filter(n => !n.includes('/')).length + ' node(s).', 'ok');
    }
  }

  // --- the start chooser ---------------------------------------------------------------------------------------

  renderStart() {
    const d = this.doc;
    const hasStart = typeof d.StartRule === 'string' || typeof d.StartEndpoint === 'string';
    clear(this.startBox);
    this.startBox.hidden = hasStart;
    if (hasStart) {
      return;
    }
    const typeSelect = h('select', {id: 'start-record-type', 'aria-label': 'Record type',
      onchange: () => this.change(x => {
        x.RecordType = typeSelect.value;
      })}, recordTypeOptions(d.RecordType));
    const startWith = (kind, type) => this.change(x => {
      if (kind === 'endpoint') {
        x.StartEndpoint = addEndpoint(x);
        delete x.StartRule;
      } else {
        x.StartRule = addRule(x, type);
        delete x.StartEndpoint;
      }
    });
    const existing = [...Object.keys(rules(d)).map(id => ['rule', id]), ...Object.keys(endpoints(d)).map(id => ['endpoint', id])];
    add(this.startBox, 
        h('h2', {}, existing.length ? 'Choose where evaluation starts' : 'Start a policy'),
        h('p', {class: 'muted'}, 'Every answer starts at one rule or one endpoint. Pick the record type, then what comes first; '
            + 'or ', h('button', {type: 'button', class: 'link', onclick: () => this.openImport()}, 'import a document'), '.'),
        h('label', {class: 'inline'}, 'Record type ', typeSelect),
        h('div', {class: 'start-buttons'},
            h('button', {type: 'button', id: 'start-endpoint', onclick: () => {
              startWith('endpoint');
              this.tree.select('endpoint:' + this.doc.StartEndpoint);
            }}, h('strong', {}, 'Endpoint'), h('span', {}, 'one answer, no rules')),
            RULE_TYPES.map(t => h('button', {type: 'button', id: 'start-' + t, dataset: {ruleType: t}, onclick: () => {
              startWith('rule', t);
              this.tree.select('rule:' + this.doc.StartRule);
            }}, h('strong', {}, typeName(t) + ' rule'), h('span', {}, RULE_HELP[t])))),
        existing.length ? h('div', {class: 'start-existing'}, h('span', {class: 'muted'}, 'or start at an existing node: '),
            existing.map(([kind, id]) => h('button', {type: 'button', class: 'link', onclick: () => this.change(x => {
              delete x.StartRule;
              delete x.StartEndpoint;
              x[kind === 'rule' ? 'StartRule' : 'StartEndpoint'] = id;
            })}, kind + ' ' + id))) : null);
  }

  // --- the properties panel ------------------------------------------------------------------------------------

  renderProps() {
    const box = clear(this.props);
    const p = parseNodeId(this.selected);
    if (!p) {
      this.documentProps(box);
    } else if (p.kind === 'rule' && rules(this.doc)[p.id]) {
      this.ruleProps(box, p.id);
    } else if (p.kind === 'endpoint' && endpoints(this.doc)[p.id]) {
      this.endpointProps(box, p.id);
    } else if (p.kind === 'entry' && entryOf(this.doc, this.selected)) {
      this.entryProps(box, this.selected);
    } else {
      this.documentProps(box);
    }
    this.nodeProblems = h('div', {});
    box.insertBefore(this.nodeProblems, box.children[1] || null);
    this.renderNodeProblems();
  }

  /** The selected node's problems, under its heading (updated without rebuilding the fields being typed in). */
  renderNodeProblems() {
    const here = this.problems.filter(pr => this.selected && pr.nodeId === this.selected);
    clear(this.nodeProblems);
    if (here.length) {
      this.nodeProblems.appendChild(h('ul', {class: 'problems here', id: 'node-problems'},
          here.map(pr => h('li', {class: (pr.severity || 'ERROR').toLowerCase()}, pr.message))));
    }
  }

  documentProps(box) {
    const d = this.doc;
    const startOptions = [h('option', {value: ''}, '— none —'),
      h('optgroup', {label: 'Rules'}, Object.keys(rules(d)).map(id => h('option', {value: 'rule:' + id,
        selected: d.StartRule === id}, id))),
      h('optgroup', {label: 'Endpoints'}, Object.keys(endpoints(d)).map(id => h('option', {value: 'endpoint:' + id,
        selected: d.StartEndpoint === id}, id)))];
    const start = h('select', {id: 'doc-start', onchange: () => this.change(x => {
      delete x.StartRule;
      delete x.StartEndpoint;
      const sp = parseNodeId(start.value);
      if (sp) {
        x[sp.kind === 'rule' ? 'StartRule' : 'StartEndpoint'] = sp.id;
      }
    })}, startOptions);
    const type = h('select', {id: 'doc-record-type', onchange: () => this.change(x => {
      x.RecordType = type.value;
    })}, recordTypeOptions(d.RecordType));
    const format = h('select', {id: 'doc-format', onchange: () => this.change(x => {
      x.AWSPolicyFormatVersion = format.value;
    })}, ['2015-10-01', '2023-05-09'].map(v => h('option', {value: v, selected: d.AWSPolicyFormatVersion === v}, v)));
    add(box, h('h2', {}, 'Document'),
        h('label', {}, 'Record type', type),
        h('label', {}, 'Format version', format),
        h('label', {}, 'Start', start),
        h('div', {class: 'button-row'},
            h('button', {type: 'button', id: 'add-free-rule', onclick: () => {
              let id;
              this.change(x => {
                id = addRule(x, 'weighted');
              });
              this.tree.select('rule:' + id);
            }}, 'Add a rule'),
            h('button', {type: 'button', id: 'add-free-endpoint', onclick: () => {
              let id;
              this.change(x => {
                id = addEndpoint(x);
              });
              this.tree.select('endpoint:' + id);
            }}, 'Add an endpoint')),
        h('p', {class: 'muted hint'}, 'Select a rule, an entry or an endpoint in the drawing to edit it. '
            + 'Del deletes the selected branch, Esc deselects, Ctrl+Z undoes. Drag to pan, wheel to zoom, F fits.'));
  }

  ruleProps(box, ruleId) {
    const rule = rules(this.doc)[ruleId];
    const idInput = this.idField('rule', ruleId);
    const typeSelect = h('select', {id: 'prop-rule-type', onchange: () => this.change(x => changeRuleType(x, ruleId, typeSelect.value))},
        RULE_TYPES.map(t => h('option', {value: t, selected: rule.RuleType === t}, typeName(t))),
        RULE_TYPES.includes(rule.RuleType) ? null : h('option', {value: rule.RuleType, selected: true}, String(rule.RuleType)));
    const entries = ruleEntries(ruleId, rule);
    const canAdd = rule.RuleType !== 'failover' || entries.length < 2;
    add(box, h('h2', {}, typeName(rule.RuleType) + ' rule'),
        idInput,
        h('label', {}, 'Rule type', typeSelect),
        h('h3', {}, 'Entries'),
        entries.length ? h('ol', {class: 'entry-list', id: 'rule-entries'}, entries.map(en => {
          const target = en.entry.RuleReference ? 'rule ' + en.entry.RuleReference
              : en.entry.EndpointReference ? 'endpoint ' + en.entry.EndpointReference : 'not connected';
          return h('li', {}, h('button', {type: 'button', class: 'link', dataset: {select: en.id},
            onclick: () => this.tree.select(en.id)}, entryLabel(rule.RuleType, en.member, en.entry)),
          ' → ', h('span', {class: target === 'not connected' ? 'error' : 'muted'}, target));
        })) : h('p', {class: 'muted'}, 'No entries.'),
        h('div', {class: 'button-row'},
            canAdd ? h('button', {type: 'button', id: 'add-entry', onclick: () => {
              let id;
              this.change(x => {
                id = addEntry(x, ruleId);
              });
              this.tree.select(id);
            }}, rule.RuleType === 'failover' ? 'Add ' + (rule.Primary ? 'Secondary' : 'Primary') : 'Add entry') : null,
            this.doc.StartRule !== ruleId ? h('button', {type: 'button', id: 'make-start', onclick: () => this.change(x => {
              delete x.StartEndpoint;
              x.StartRule = ruleId;
            })}, 'Make start') : h('span', {class: 'badge'}, 'start'),
            h('button', {type: 'button', class: 'danger', id: 'delete-node', onclick: () => this.deleteSelected()},
                'Delete branch')));
  }

  endpointProps(box, endpointId) {
    const ep = endpoints(this.doc)[endpointId];
    const type = h('select', {id: 'prop-endpoint-type', onchange: () => this.change(x => {
      const e = endpoints(x)[endpointId];
      e.Type = type.value;
      if (type.value === 's3-website' && !e.Region) {
        e.Region = 'us-east-1';
      } else if (type.value !== 's3-website') {
        delete e.Region;
      }
    })}, ENDPOINT_TYPES.map(t => h('option', {value: t, selected: ep.Type === t}, t)),
    ENDPOINT_TYPES.includes(ep.Type) ? null : h('option', {value: ep.Type || '', selected: true}, String(ep.Type || '(none)')));
    const value = h('input', {id: 'prop-endpoint-value', value: ep.Value === undefined ? '' : String(ep.Value),
      placeholder: VALUE_HINT[ep.Type] || 'record data', spellcheck: 'false',
      oninput: () => this.change(x => {
        endpoints(x)[endpointId].Value = value.value;
      }, {props: false})});
    const refs = referencesTo(this.doc, 'endpoint', endpointId);
    add(box, h('h2', {}, 'Endpoint'),
        this.idField('endpoint', endpointId),
        h('label', {}, 'Type', type),
        h('label', {}, 'Value', value),
        ep.Type === 's3-website' ? h('label', {}, 'Region (of the bucket)', regionSelect('prop-endpoint-region',
            ep.Region, v => this.change(x => setMember(endpoints(x)[endpointId], 'Region', v)))) : null,
        h('h3', {}, 'Used by'),
        refs.length ? h('ul', {class: 'plain'}, refs.map(r => h('li', {}, h('button', {type: 'button', class: 'link',
          onclick: () => this.tree.select(r)}, r.replace(/^rule:/, ''))))) : h('p', {class: 'muted'},
            this.doc.StartEndpoint === endpointId ? 'The start of the policy.' : 'Nothing: not connected.'),
        h('div', {class: 'button-row'},
            h('button', {type: 'button', class: 'danger', id: 'delete-node', onclick: () => this.deleteSelected()}, 'Delete')));
  }

  entryProps(box, entryId) {
    const {rule, ruleId, member, entry} = entryOf(this.doc, entryId);
    const type = rule.RuleType;
    const upd = fn => this.change(x => fn(entryOf(x, entryId).entry));
    const updQuiet = fn => this.change(x => fn(entryOf(x, entryId).entry), {props: false});
    add(box, h('h2', {}, entryLabel(type, member, entry)),
        h('p', {class: 'muted'}, 'Entry of ', h('button', {type: 'button', class: 'link',
          onclick: () => this.tree.select('rule:' + ruleId)}, typeName(type) + ' rule ' + ruleId)));

    // Where it leads.
    const current = entry.RuleReference ? 'rule:' + entry.RuleReference
        : entry.EndpointReference ? 'endpoint:' + entry.EndpointReference : '';
    const ruleChoices = Object.keys(rules(this.doc)).filter(id => id !== ruleId && !reaches(this.doc, id, ruleId));
    const target = h('select', {id: 'prop-target', onchange: () => {
      const tp = parseNodeId(target.value);
      this.change(x => {
        if (tp) {
          connect(x, entryId, tp.kind, tp.id);
        } else {
          const e = entryOf(x, entryId).entry;
          delete e.RuleReference;
          delete e.EndpointReference;
        }
      });
    }},
    h('option', {value: ''}, '— not connected —'),
    h('optgroup', {label: 'Endpoints'}, Object.entries(endpoints(this.doc)).map(([id, ep]) =>
      h('option', {value: 'endpoint:' + id, selected: current === 'endpoint:' + id},
          id + (ep && ep.Value ? ' (' + String(ep.Value).slice(0, 40) + ')' : '')))),
    type === 'multivalue' ? null : h('optgroup', {label: 'Rules'}, ruleChoices.map(id =>
      h('option', {value: 'rule:' + id, selected: current === 'rule:' + id},
          id + ' (' + typeName(rules(this.doc)[id].RuleType) + ')'))));
    const newType = h('select', {id: 'connect-new-rule-type', 'aria-label': 'Type of the new rule'},
        RULE_TYPES.map(t => h('option', {value: t}, typeName(t))));
    add(box, h('h3', {}, 'Leads to'),
        h('label', {}, 'Existing rule or endpoint', target),
        current ? h('p', {class: 'muted'}, h('button', {type: 'button', class: 'link', id: 'go-target',
          onclick: () => this.tree.select(current)}, 'Go to ' + current.replace(':', ' '))) : null,
        h('div', {class: 'button-row'},
            h('button', {type: 'button', id: 'connect-new-endpoint', onclick: () => {
              let id;
              this.change(x => {
                id = addEndpoint(x);
                connect(x, entryId, 'endpoint', id);
              });
              this.tree.select('endpoint:' + id);
            }}, 'New endpoint')),
        type === 'multivalue' ? h('p', {class: 'muted'}, 'Multivalue entries lead to endpoints only.')
          : h('div', {class: 'button-row'}, newType,
              h('button', {type: 'button', id: 'connect-new-rule', onclick: () => {
                let id;
                this.change(x => {
                  id = addRule(x, newType.value);
                  connect(x, entryId, 'rule', id);
                });
                this.tree.select('rule:' + id);
              }}, 'New rule')));

    // What chooses it.
    box.appendChild(h('h3', {}, 'Routing'));
    if (type === 'geo') {
      this.geoFields(box, entry, upd);
    } else if (type === 'geoproximity') {
      this.geoproximityFields(box, entry, upd, updQuiet);
    } else if (type === 'latency') {
      box.appendChild(h('label', {}, 'Region', regionSelect('prop-region', entry.Region,
          v => upd(e => setMember(e, 'Region', v)))));
    } else if (type === 'weighted') {
      const w = h('input', {id: 'prop-weight', type: 'number', min: 0, max: 255, step: 1,
        value: entry.Weight === undefined ? '' : String(entry.Weight),
        oninput: () => updQuiet(e => setMember(e, 'Weight', w.value === '' ? '' : String(w.value)))});
      box.appendChild(h('label', {}, 'Weight (0–255; 0 = only when all others are unhealthy or 0)', w));
    } else if (type === 'failover') {
      box.appendChild(h('p', {class: 'muted'}, member === 'Primary'
        ? 'Answers while healthy.' : 'Answers when the primary is unhealthy.'));
    }

    // Health.
    const hc = h('input', {id: 'prop-health-check', value: entry.HealthCheck || '', placeholder: 'health check id',
      spellcheck: 'false', oninput: () => updQuiet(e => setMember(e, 'HealthCheck', hc.value.trim()))});
    add(box, h('h3', {}, 'Health'), h('label', {}, 'Health check', hc));
    if (type !== 'multivalue') {
      const eth = h('select', {id: 'prop-eth', onchange: () => upd(e => setMember(e, 'EvaluateTargetHealth',
        eth.value === '' ? '' : eth.value === 'true'))},
      h('option', {value: '', selected: entry.EvaluateTargetHealth === undefined}, '(not set)'),
      h('option', {value: 'true', selected: String(entry.EvaluateTargetHealth) === 'true'}, 'Yes'),
      h('option', {value: 'false', selected: String(entry.EvaluateTargetHealth) === 'false'}, 'No'));
      box.appendChild(h('label', {}, 'Evaluate target health', eth));
    }
    box.appendChild(h('div', {class: 'button-row'},
        h('button', {type: 'button', class: 'danger', id: 'delete-node', onclick: () => this.deleteSelected()},
            'Delete branch')));
  }

  geoFields(box, entry, upd) {
    const isDefault = entry.Country === '*' || entry.IsDefault === true || entry.IsDefault === 'true';
    const kind = isDefault ? 'default' : entry.Continent ? 'continent' : 'country';
    const kindSelect = h('select', {id: 'prop-geo-kind', onchange: () => upd(e => {
      ['Continent', 'Country', 'Subdivision', 'IsDefault'].forEach(k => delete e[k]);
      if (kindSelect.value === 'default') {
        e.IsDefault = true;
      } else if (kindSelect.value === 'continent') {
        e.Continent = 'EU';
      } else {
        e.Country = 'US';
      }
    })}, [['default', 'Default (any other location)'], ['continent', 'Continent'], ['country', 'Country']]
        .map(([v, l]) => h('option', {value: v, selected: kind === v}, l)));
    box.appendChild(h('label', {}, 'Location', kindSelect));
    if (kind === 'continent') {
      const c = h('select', {id: 'prop-continent', onchange: () => upd(e => setMember(e, 'Continent', c.value))},
          Object.entries(CONTINENTS).map(([code, name]) => h('option', {value: code, selected: entry.Continent === code},
              name + ' (' + code + ')')),
          entry.Continent in CONTINENTS ? null : h('option', {value: entry.Continent, selected: true}, String(entry.Continent)));
      box.appendChild(h('label', {}, 'Continent', c));
    } else if (kind === 'country') {
      const codes = allCountries();
      const c = h('select', {id: 'prop-country', onchange: () => upd(e => {
        e.Country = c.value;
        delete e.Subdivision;
      })}, codes.map(code => h('option', {value: code, selected: entry.Country === code}, countryName(code) + ' (' + code + ')')),
      codes.includes(entry.Country) ? null : h('option', {value: entry.Country || '', selected: true}, String(entry.Country || '')));
      box.appendChild(h('label', {}, 'Country', c));
      let sub;
      if (entry.Country === 'US') {
        sub = h('select', {id: 'prop-subdivision', onchange: () => upd(e => setMember(e, 'Subdivision', sub.value))},
            h('option', {value: ''}, '(whole country)'),
            US_SUBDIVISIONS.map(s => h('option', {value: s, selected: entry.Subdivision === s}, s)),
            !entry.Subdivision || US_SUBDIVISIONS.includes(entry.Subdivision) ? null
              : h('option', {value: entry.Subdivision, selected: true}, String(entry.Subdivision)));
      } else {
        sub = h('input', {id: 'prop-subdivision', value: entry.Subdivision || '', placeholder: '(whole country)',
          onchange: () => upd(e => setMember(e, 'Subdivision', sub.value.trim().toUpperCase()))});
      }
      box.appendChild(h('label', {}, 'Subdivision', sub));
    }
  }

  geoproximityFields(box, entry, upd, updQuiet) {
    const v2023 = this.doc.AWSPolicyFormatVersion === '2023-05-09' || (entry.Location && typeof entry.Location === 'object');
    const loc = v2023 ? (entry.Location || {}) : entry;
    const coordinates = v2023 ? loc.Type === 'Coordinate' : entry.Latitude !== undefined || entry.Longitude !== undefined;
    const mode = h('select', {id: 'prop-geoprox-kind', onchange: () => upd(e => {
      ['Region', 'Latitude', 'Longitude', 'Location'].forEach(k => delete e[k]);
      if (mode.value === 'coordinate') {
        if (v2023) {
          e.Location = {Type: 'Coordinate', Latitude: '0.00', Longitude: '0.00'};
        } else {
          e.Latitude = '0.00';
          e.Longitude = '0.00';
        }
      } else if (v2023) {
        e.Location = {Type: 'Region', LocationName: 'aws:route53:us-east-1'};
      } else {
        e.Region = 'aws:route53:us-east-1';
      }
    })}, h('option', {value: 'region', selected: !coordinates}, 'AWS Region'),
    h('option', {value: 'coordinate', selected: coordinates}, 'Coordinates'));
    box.appendChild(h('label', {}, 'Location', mode));
    if (coordinates) {
      for (const k of ['Latitude', 'Longitude']) {
        const input = h('input', {id: 'prop-' + k.toLowerCase(), value: loc[k] === undefined ? '' : String(loc[k]),
          inputmode: 'decimal', oninput: () => updQuiet(e => setMember(v2023 ? e.Location : e, k, input.value.trim()))});
        box.appendChild(h('label', {}, k + (k === 'Latitude' ? ' (−90…90, 2 decimals)' : ' (−180…180, 2 decimals)'), input));
      }
    } else {
      const current = String((v2023 ? loc.LocationName : entry.Region) || '').replace(/^aws:route53:/, '');
      box.appendChild(h('label', {}, 'Region', regionSelect('prop-geoprox-region', current, v => upd(e => {
        if (v2023) {
          e.Location = {Type: 'Region', LocationName: 'aws:route53:' + v};
        } else {
          e.Region = 'aws:route53:' + v;
        }
      }))));
    }
    const bias = h('input', {id: 'prop-bias', type: 'number', min: -99, max: 99, step: 1,
      value: entry.Bias === undefined ? '' : String(entry.Bias),
      oninput: () => updQuiet(e => setMember(e, 'Bias', bias.value === '' ? '' : Number(bias.value)))});
    box.appendChild(h('label', {}, 'Bias (−99…99: grows or shrinks the region)', bias));
  }

  /** The id field of a rule or endpoint: renames (with every reference) when changed. */
  idField(kind, id) {
    const input = h('input', {id: 'prop-' + kind + '-id', value: id, spellcheck: 'false'});
    const err = h('span', {class: 'error field-error'});
    input.addEventListener('change', () => {
      const next = input.value.trim();
      err.textContent = '';
      if (next === id) {
        return;
      }
      if (!next) {
        err.textContent = 'An id cannot be empty.';
        input.value = id;
        return;
      }
      if ((kind === 'rule' ? rules(this.doc) : endpoints(this.doc))[next] !== undefined) {
        err.textContent = 'Another ' + kind + ' is already called ' + next + '.';
        return;
      }
      let newNode;
      this.change(x => {
        newNode = rename(x, kind, id, next);
      }, {select: null});
      this.tree.select(newNode);
    });
    input.addEventListener('keydown', ev => {
      if (ev.key === 'Enter') {
        input.blur();
      }
    });
    return h('label', {}, 'ID', input, err);
  }

  // --- validation ----------------------------------------------------------------------------------------------

  async validate() {
    const mine = ++this.validation;
    let result;
    try {
      result = await api.post('validate', {document: ordered(this.doc)});
    } catch (e) {
      if (mine === this.validation) {
        this.status.textContent = 'Cannot check: ' + e.message;
        this.status.className = 'validation-status bad';
      }
      return;
    }
    if (mine !== this.validation) {
      return;
    }
    this.showProblems(result.problems || []);
  }

  showProblems(problems) {
    this.problems = problems.map(p => ({...p, nodeId: nodeIdForPointer(p.path)}))
        .map(p => ({...p, nodeId: p.nodeId && this.exists(p.nodeId) ? p.nodeId
          : p.nodeId && p.nodeId.includes('/') && this.exists(p.nodeId.replace(/\/[^/]+(\/\d+)?$/, ''))
            ? p.nodeId.replace(/\/[^/]+(\/\d+)?$/, '') : p.nodeId}));
    this.tree.clearMarks('problem');
    this.tree.clearMarks('warning');
    const errors = this.problems.filter(p => (p.severity || 'ERROR') === 'ERROR');
    for (const p of this.problems) {
      if (p.nodeId) {
        const error = (p.severity || 'ERROR') === 'ERROR';
        // Errors are written on the node; warnings only outline it (the list says them).
        this.tree.mark(p.nodeId, error ? 'problem' : 'warning', error ? p.message : undefined);
      }
    }
    this.status.textContent = errors.length ? errors.length + (errors.length === 1 ? ' problem' : ' problems')
        : this.problems.length ? 'Valid, ' + this.problems.length + ' warning(s)' : 'Valid';
    this.status.className = 'validation-status ' + (errors.length ? 'bad' : 'ok');
    this.saveButton.disabled = this.readOnly || errors.length > 0;
    this.saveButton.title = errors.length ? 'Fix the problems first' : this.readOnly ? 'Read-only key: cannot save' : '';
    clear(this.problemBox);
    const go = p => {
      this.tree.select(p.nodeId || null);
      if (p.nodeId) {
        this.tree.reveal(p.nodeId);
      }
    };
    const item = p => h('li', {class: (p.severity || 'ERROR').toLowerCase(), dataset: {node: p.nodeId || '', path: p.path || ''},
      tabindex: '0', role: 'button', title: p.nodeId ? 'Show this node' : null,
      onclick: () => go(p),
      onkeydown: ev => {
        if (ev.key === 'Enter') {
          go(p);
        }
      }}, h('code', {}, p.path || '/'), ' ', p.message);
    const warnings = this.problems.filter(p => (p.severity || 'ERROR') !== 'ERROR');
    if (errors.length) {
      add(this.problemBox, h('h3', {}, errors.length === 1 ? '1 problem' : errors.length + ' problems'),
          h('ul', {class: 'problems clickable', id: 'problem-list'}, errors.map(item)));
    }
    if (warnings.length) {
      this.problemBox.appendChild(h('details', {class: 'warnings', id: 'warning-list'},
          h('summary', {}, warnings.length === 1 ? '1 warning' : warnings.length + ' warnings'),
          h('ul', {class: 'problems clickable'}, warnings.map(item))));
    }
    this.renderNodeProblems();
  }

  // --- import and save -----------------------------------------------------------------------------------------

  openImport() {
    const text = h('textarea', {class: 'code', id: 'import-text', rows: 16, spellcheck: 'false',
      placeholder: 'Paste a Route 53 traffic policy document (or the output of aws route53 get-traffic-policy)'});
    const file = h('input', {type: 'file', id: 'import-file', accept: '.json,application/json,text/plain'});
    const err = h('div', {class: 'error', id: 'import-error', role: 'alert'});
    const dialog = h('dialog', {class: 'import-dialog', 'aria-labelledby': 'import-title'});
    const close = () => {
      dialog.close();
      dialog.remove();
    };
    file.addEventListener('change', async () => {
      if (file.files[0]) {
        text.value = await file.files[0].text();
      }
    });
    const apply = () => {
      const parsed = parseImport(text.value);
      if (parsed.error) {
        err.textContent = parsed.error;
        return;
      }
      close();
      this.change(x => {
        for (const k of Object.keys(x)) {
          delete x[k];
        }
        Object.assign(x, parsed.document);
      }, {select: null});
      requestAnimationFrame(() => this.tree.fit());
      notify('Imported: ' + Object.keys(rules(this.doc)).length + ' rules, '
          + Object.keys(endpoints(this.doc)).length + ' endpoints.', 'ok');
    };
    add(dialog, h('h1', {id: 'import-title'}, 'Import a document'),
        h('p', {class: 'muted'}, 'Replaces what is drawn (Undo brings it back).'),
        text, h('label', {}, 'or a file', file), err,
        h('div', {class: 'confirm-actions'},
            h('button', {type: 'button', onclick: close}, 'Cancel'),
            h('button', {type: 'button', class: 'primary', id: 'import-apply', onclick: apply}, 'Import')));
    dialog.addEventListener('cancel', ev => {
      ev.preventDefault();
      close();
    });
    document.body.appendChild(dialog);
    dialog.showModal();
    text.focus();
  }

  async save() {
    clear(this.saveError);
    const comment = this.commentInput.value.trim();
    const document = ordered(this.doc);
    this.saveButton.disabled = true;
    try {
      let result;
      if (this.base) {
        result = await api.post('policies/' + seg(this.base.id) + '/versions', {document, comment});
      } else {
        const name = this.nameInput.value.trim();
        if (!name) {
          this.saveError.appendChild(h('div', {class: 'error-box', role: 'alert'}, 'Give the policy a name first.'));
          this.nameInput.focus();
          return;
        }
        result = await api.post('policies', {name, document, comment});
      }
      this.dirty = false;
      notify('Saved ' + result.id + ' version ' + result.version + '.', 'ok');
      navigate(link('policies', result.id, result.version));
    } catch (e) {
      this.saveError.appendChild(errorBox(e, 'Saving'));
      if (e.problems && e.problems.length) {
        this.showProblems(e.problems);
      }
    } finally {
      this.saveButton.disabled = this.readOnly;
    }
  }
}

/** Reads pasted text: a document, a document as a JSON string, or get-traffic-policy's output. */
export function parseImport(text) {
  let value;
  try {
    value = JSON.parse(text);
  } catch (e) {
    return {error: 'Not JSON: ' + e.message};
  }
  for (let i = 0; i < 3; i++) {
    if (typeof value === 'string') {
      try {
        value = JSON.parse(value);
      } catch (e) {
        return {error: 'A string that is not a JSON document: ' + e.message};
      }
    } else if (value && typeof value === 'object' && !value.AWSPolicyFormatVersion) {
      const inner = value.TrafficPolicy ? value.TrafficPolicy.Document : value.Document || value.document;
      if (inner === undefined) {
        break;
      }
      value = inner;
    }
  }
  if (!value || typeof value !== 'object' || Array.isArray(value)) {
    return {error: 'A policy document is a JSON object (with AWSPolicyFormatVersion, RecordType, Endpoints, Rules).'};
  }
  return {document: value};
}

function recordTypeOptions(current) {
  return [...RECORD_TYPES.map(t => h('option', {value: t, selected: current === t}, t)),
    RECORD_TYPES.includes(current) ? null : h('option', {value: current || '', selected: true}, String(current || '(none)'))];
}

function regionSelect(id, current, onPick) {
  const select = h('select', {id, onchange: () => onPick(select.value)},
      REGIONS.map(r => h('option', {value: r, selected: current === r}, r)),
      !current || REGIONS.includes(current) ? null : h('option', {value: current, selected: true}, String(current)));
  if (!current) {
    select.insertBefore(h('option', {value: '', selected: true}, '(choose a region)'), select.firstChild);
  }
  return select;
}

const RULE_HELP = {
  failover: 'primary while healthy, else secondary',
  geo: 'by the client’s continent, country, state',
  geoproximity: 'nearest region, with bias',
  latency: 'the region with the lowest latency',
  weighted: 'shares by weight',
  multivalue: 'up to eight healthy values',
};

const VALUE_HINT = {
  value: 'record data (e.g. 192.0.2.10)',
  cloudfront: 'd111111abcdef8.cloudfront.net',
  'application-load-balancer': 'my-alb-123.us-east-1.elb.amazonaws.com',
  'elastic-load-balancer': 'dualstack.my-elb-123.us-east-1.elb.amazonaws.com',
  'network-load-balancer': 'my-nlb-123.elb.us-east-1.amazonaws.com',
  'elastic-beanstalk': 'my-env.us-east-1.elasticbeanstalk.com',
  's3-website': 'the bucket (= the record name)',
};
