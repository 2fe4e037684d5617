// Hash routes: #/policies/www-example/2?node=rule:geo. A view is {title, nav?, order?, render(container,
// params, query)}; render may be async and may return a cleanup function, called before the next view, or
// {cleanup, leaveGuard}: leaveGuard() keeps the user from leaving the view by accident (a link, the nav, the back
// button). Before another route is shown it is called; null lets it go, a promise is awaited and false keeps the view
// and its hash. Both belong to the render that returned them: a render overtaken by another route has its cleanup
// called at once, and its guard never applies.

import {clear, h} from './dom.js';

const routes = [];
let container = null;
let navBox = null;
let cleanup = null;
let generation = 0;
// The hash of the view shown, the shown view's leave guard, and whether the next hashchange is the guard's own
// step back to that hash.
let shownHash = null;
let leaveGuard = null;
let steppingBack = false;

/** Registers a view for a pattern such as "policies/:id/:version". */
export function register(pattern, view) {
  routes.push({parts: pattern.split('/').filter(Boolean), pattern, view});
}

/** The hash for a route from raw segments, each encoded: link('policies', id, 2) → "#/policies/a%2Fb/2". */
export function link(...segments) {
  return '#/' + segments.map(s => encodeURIComponent(String(s))).join('/');
}

/** Goes to a route (a link() result, or segments as for link). */
export function navigate(...segments) {
  const target = segments.length === 1 && String(segments[0]).startsWith('#') ? segments[0] : link(...segments);
  if (location.hash === target) {
    show();
  } else {
    location.hash = target;
  }
}

/** Shows the current route again (after a change that affects it). */
export async function refresh() {
  // A redraw of the same route discards the view's state too: the leave guard is asked first.
  const asking = leaveGuard ? leaveGuard() : null;
  if (asking && !(await asking)) {
    return;
  }
  show();
}

/** Starts routing into container, with the nav links in navEl. */
export function start(containerEl, navEl) {
  container = containerEl;
  navBox = navEl;
  buildNav();
  window.addEventListener('hashchange', show);
  show();
}

function buildNav() {
  clear(navBox);
  routes.filter(r => r.view.nav)
      .sort((a, b) => (a.view.order ?? 100) - (b.view.order ?? 100))
      .forEach(r => navBox.appendChild(h('a', {href: '#/' + r.pattern, dataset: {route: r.parts[0]}}, r.view.nav)));
}

function parse() {
  const raw = location.hash.replace(/^#\/?/, '');
  const q = raw.indexOf('?');
  const path = (q < 0 ? raw : raw.slice(0, q)).split('/').filter(Boolean).map(decodeURIComponent);
  const query = Object.fromEntries(new URLSearchParams(q < 0 ? '' : raw.slice(q + 1)));
  return {path, query};
}

function match(path) {
  for (const r of routes) {
    if (r.parts.length !== path.length) {
      continue;
    }
    const params = {};
    if (r.parts.every((p, i) => p.startsWith(':') ? (params[p.slice(1)] = path[i], true) : p === path[i])) {
      return {route: r, params};
    }
  }
  return null;
}

async function show() {
  if (steppingBack) {
    steppingBack = false;
    return;
  }
  const target = location.hash;
  const asking = leaveGuard && shownHash !== null && target !== shownHash ? leaveGuard() : null;
  if (asking) {
    // Back to the view's own hash while it asks; on to the target only if the user agrees.
    steppingBack = true;
    location.hash = shownHash;
    if (!(await asking)) {
      return;
    }
    leaveGuard = null;
    location.hash = target;
    return;
  }
  leaveGuard = null;
  shownHash = target;
  const {path, query} = parse();
  let m = match(path);
  if (!m) {
    const first = routes.filter(r => r.view.nav).sort((a, b) => (a.view.order ?? 100) - (b.view.order ?? 100))[0];
    if (!first) {
      return;
    }
    m = {route: first, params: {}};
  }
  const mine = ++generation;
  if (typeof cleanup === 'function') {
    try {
      cleanup();
    } catch (e) {
      console.error(e);
    }
  }
  cleanup = null;
  clear(container);
  document.title = m.route.view.title + ' — traffic-policy';
  for (const a of navBox.querySelectorAll('a')) {
    a.classList.toggle('active', a.dataset.route === m.route.parts[0]);
  }
  try {
    const result = await m.route.view.render(container, m.params, query);
    const done = typeof result === 'function' ? result
        : result && typeof result.cleanup === 'function' ? result.cleanup : null;
    if (mine === generation) {
      cleanup = done;
      leaveGuard = result && typeof result.leaveGuard === 'function' ? result.leaveGuard : null;
    } else if (done) {
      done();
    }
  } catch (e) {
    if (mine === generation) {
      container.appendChild(h('div', {class: 'error-box', role: 'alert'},
          h('strong', {}, e.code || 'Error'), ': ', e.message || String(e)));
    }
  }
}
