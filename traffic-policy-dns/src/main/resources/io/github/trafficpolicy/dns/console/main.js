// Starts the console: loads the views, signs in (the session cookie, else the sign-in dialog), then routes.

import {api, currentSession, onSignInNeeded, setSession} from './api.js';
import {clear, h, notify} from './dom.js';
import * as router from './router.js';

const VIEWS = ['policies.js', 'editor.js', 'compare.js', 'records.js', 'find.js', 'try.js', 'health.js', 'map.js'];

async function loadViews() {
  const results = await Promise.allSettled(VIEWS.map(m => import('./' + m)));
  results.forEach((r, i) => {
    if (r.status === 'rejected') {
      console.error('view ' + VIEWS[i] + ' failed to load', r.reason);
      notify('The ' + VIEWS[i] + ' screen failed to load: ' + r.reason, 'error');
    }
  });
}

function showWho() {
  const who = clear(document.getElementById('who'));
  const s = currentSession();
  if (!s) {
    return;
  }
  who.appendChild(h('span', {class: 'key', title: 'profile ' + s.profile}, s.accessKeyId,
      s.readOnly ? h('span', {class: 'badge'}, 'read-only') : null));
  who.appendChild(h('button', {id: 'signout', class: 'link', onclick: signOut}, 'Sign out'));
}

async function signOut() {
  try {
    await api.del('session');
  } finally {
    setSession(null);
    showWho();
    await signIn();
  }
}

/** Resolves when signed in: with the cookie's session, else through the dialog. */
function signIn() {
  const dialog = document.getElementById('signin');
  const form = document.getElementById('signin-form');
  const error = document.getElementById('signin-error');
  return new Promise(resolve => {
    form.onsubmit = async ev => {
      ev.preventDefault();
      error.textContent = '';
      try {
        const s = await api.post('session', {
          accessKeyId: form.elements.accessKeyId.value.trim(),
          secretAccessKey: form.elements.secretAccessKey.value,
        });
        setSession(s);
        form.elements.secretAccessKey.value = '';
        dialog.close();
        showWho();
        resolve(s);
      } catch (e) {
        error.textContent = e.message;
      }
    };
    dialog.addEventListener('cancel', ev => ev.preventDefault());
    if (!dialog.open) {
      dialog.showModal();
    }
    form.elements.accessKeyId.focus();
  });
}

async function main() {
  await loadViews();
  onSignInNeeded(() => {
    showWho();
    signIn().then(() => router.refresh());
  });
  try {
    setSession(await api.get('session'));
  } catch (e) {
    await signIn();
  }
  showWho();
  router.start(document.getElementById('view'), document.getElementById('nav'));
}

main();
