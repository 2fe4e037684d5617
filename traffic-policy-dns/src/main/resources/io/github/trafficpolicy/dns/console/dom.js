// DOM building without HTML: every string becomes a text node, so policy content (rule names, comments,
// endpoint values) can never become markup. Never use innerHTML, outerHTML, insertAdjacentHTML or
// document.write anywhere in the console.

const SVG_NS = 'http://www.w3.org/2000/svg';
const URL_ATTRIBUTES = new Set(['href', 'src', 'xlink:href', 'action', 'formaction']);

/** An HTML element: h('button', {class: 'primary', onclick: fn}, 'Save'). */
export function h(tag, attrs, ...children) {
  const el = document.createElement(tag);
  apply(el, attrs);
  append(el, children);
  return el;
}

/** An SVG element: svg('rect', {x: 0, y: 0, width: 10, height: 10}). */
export function svg(tag, attrs, ...children) {
  const el = document.createElementNS(SVG_NS, tag);
  apply(el, attrs);
  append(el, children);
  return el;
}

/** Removes every child of el; returns el. */
export function clear(el) {
  while (el.firstChild) {
    el.removeChild(el.firstChild);
  }
  return el;
}

/** Appends children (nodes, strings, numbers, arrays of them; null and false are skipped); returns el. */
export function append(el, children) {
  for (const c of children.flat(Infinity)) {
    if (c === null || c === undefined || c === false) {
      continue;
    }
    el.appendChild(c instanceof Node ? c : document.createTextNode(String(c)));
  }
  return el;
}

/** A safe link target: in-page (#...), same-origin relative, or http(s); anything else (javascript:...) is refused. */
export function safeUrl(value) {
  const v = String(value);
  if (v.startsWith('#') || v.startsWith('/') || /^https?:\/\//i.test(v) || !/^[a-z][a-z0-9+.-]*:/i.test(v)) {
    return v;
  }
  throw new Error('refused URL: ' + v);
}

function apply(el, attrs) {
  if (!attrs) {
    return;
  }
  for (const [k, v] of Object.entries(attrs)) {
    if (v === null || v === undefined || v === false) {
      continue;
    }
    if (k === 'class') {
      el.setAttribute('class', Array.isArray(v) ? v.filter(Boolean).join(' ') : String(v));
    } else if (k === 'dataset') {
      Object.assign(el.dataset, v);
    } else if (k === 'style') {
      if (typeof v !== 'object') {
        throw new Error('style must be an object (CSP forbids style attributes)');
      }
      Object.assign(el.style, v);
    } else if (k.startsWith('on')) {
      if (typeof v !== 'function') {
        throw new Error('event handler ' + k + ' must be a function');
      }
      el.addEventListener(k.slice(2).toLowerCase(), v);
    } else if (k === 'value' || k === 'checked' || k === 'disabled' || k === 'selected' || k === 'open') {
      el[k] = v;
    } else {
      el.setAttribute(k, v === true ? '' : URL_ATTRIBUTES.has(k) ? safeUrl(v) : String(v));
    }
  }
}

/** A short message in the corner: kind is 'info', 'ok' or 'error'. */
export function notify(message, kind = 'info') {
  const box = document.getElementById('toasts');
  const t = h('div', {class: ['toast', kind], role: kind === 'error' ? 'alert' : null}, message);
  box.appendChild(t);
  setTimeout(() => t.remove(), kind === 'error' ? 10000 : 4000);
  return t;
}

/** Formats a problem list (from an ApiError) as text lines. */
export function problemList(problems) {
  return h('ul', {class: 'problems'},
      (problems || []).map(p => h('li', {class: (p.severity || 'ERROR').toLowerCase()},
          h('code', {}, p.path || '/'), ' ', p.message)));
}
