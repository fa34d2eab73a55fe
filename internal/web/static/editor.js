// The journal editor's auto-save and offline drafts.
//
// While you type, a draft is saved every 2 seconds (POST to the form's
// data-autosave URL) and the state is shown next to the buttons. Every
// keystroke is also kept in localStorage until the server has it, so a
// failed save, a lost connection or a closed tab loses nothing: the kept
// copy is sent when the connection returns, and restored when the editor
// is opened again. Published entries are not auto-saved (saving them
// queues a new analysis); their unsaved edits are kept locally only.
const form = document.getElementById('editor');
if (form) init(form);

function init(form) {
  const url = form.dataset.autosave || '';
  const state = document.getElementById('save-state');
  const idInput = form.elements.namedItem('id');
  const fields = ['relationshipId', 'content', 'mood', 'tags', 'isPrivate'];
  let key = 'resonant:draft:' + (form.dataset.draftKey || 'new');
  let base = form.dataset.updated || ''; // the server's version the edits start from
  let timer = null;
  let inflight = null;
  let dirty = false;
  let savedAt = 0;
  let lastFailure = ''; // why the last save failed: network, server, auth or invalid

  const snapshot = () => {
    const o = {};
    for (const f of fields) {
      const el = form.elements.namedItem(f);
      if (el) o[f] = el.type === 'checkbox' ? el.checked : el.value;
    }
    return o;
  };
  const apply = (o) => {
    for (const f of fields) {
      const el = form.elements.namedItem(f);
      if (!el || !(f in o)) continue;
      if (el.type === 'checkbox') el.checked = !!o[f]; else el.value = o[f];
    }
  };
  const same = (a, b) => fields.every((f) => a[f] === b[f]);
  const show = (text, kind) => {
    if (!state) return;
    state.textContent = text;
    state.className = 'save-state' + (kind ? ' ' + kind : '');
  };
  const keep = () => {
    try { localStorage.setItem(key, JSON.stringify({ fields: snapshot(), base, id: idInput.value })); } catch { /* storage full or off */ }
  };
  const forget = () => { try { localStorage.removeItem(key); } catch { /* ignore */ } };
  const read = (k) => { try { return JSON.parse(localStorage.getItem(k) || 'null'); } catch { return null; } };

  // The server created the draft: from now on this page edits it.
  const adopt = (id) => {
    if (!id || idInput.value === id) return;
    const old = key;
    idInput.value = id;
    form.action = '/entries/' + id;
    key = 'resonant:draft:' + id;
    try { localStorage.removeItem(old); } catch { /* ignore */ }
    history.replaceState(null, '', '/entries/' + id + '/edit');
  };

  const schedule = (ms) => {
    if (url && !timer) timer = setTimeout(save, ms);
  };

  async function save() {
    timer = null;
    if (!url || !dirty) return;
    if (inflight) { await inflight; if (!dirty) return; }
    if (!form.elements.namedItem('content').value.trim()) { show(''); return; }
    dirty = false;
    const body = new URLSearchParams(new FormData(form));
    body.delete('action');
    inflight = (async () => {
      try {
        const res = await fetch(url, { method: 'POST', body, headers: { Accept: 'application/json' }, redirect: 'manual', credentials: 'same-origin' });
        if (res.type === 'opaqueredirect' || res.status === 401) {
          dirty = true;
          lastFailure = 'auth';
          show('Not saved: you are signed out. What you typed is kept on this device; sign in again in another tab.', 'error');
          return;
        }
        const data = await res.json().catch(() => ({}));
        if (res.ok) {
          adopt(data.id);
          base = data.savedAt || base;
          savedAt = Date.now();
          if (dirty) { // typed on while it was saving: that part is not saved yet
            keep();
            show('Unsaved changes · kept on this device');
            schedule(2000);
          } else {
            forget();
            show('Saved · just now');
          }
          return;
        }
        dirty = true;
        lastFailure = res.status >= 500 ? 'server' : 'invalid';
        show((data.message || 'Not saved yet.') + ' What you typed is kept on this device.', 'error');
        if (res.status >= 500) schedule(10000);
      } catch {
        dirty = true;
        lastFailure = 'network';
        show('Offline · kept on this device; it is saved when you reconnect.', 'warn');
      } finally {
        inflight = null;
      }
    })();
    return inflight;
  }

  form.addEventListener('input', () => {
    dirty = true;
    keep();
    if (url) schedule(2000); else show('Unsaved changes · kept on this device');
  });

  // Publishing or saving with the buttons: with JavaScript the text is
  // first saved as a draft in the background, so the server has it (and
  // the copy in this browser can go) before the page is left. If that save
  // cannot reach the server, the page stays and the text stays here.
  let resubmitting = false;
  form.addEventListener('submit', async (ev) => {
    if (resubmitting) return;
    if (!navigator.onLine) {
      ev.preventDefault();
      keep();
      show('You are offline. Your entry is kept on this device; send it again when you are back online.', 'warn');
      return;
    }
    clearTimeout(timer);
    timer = null;
    if (!url || !form.elements.namedItem('content').value.trim()) return; // nothing a draft save could keep
    ev.preventDefault();
    const submitter = ev.submitter;
    if (inflight) await inflight;
    dirty = true;
    lastFailure = '';
    await save();
    if (lastFailure === 'network' || lastFailure === 'server' || lastFailure === 'auth') return;
    resubmitting = true;
    form.requestSubmit(submitter);
  });

  window.addEventListener('online', () => {
    if (dirty) { show('Back online · saving…'); save(); }
  });

  setInterval(() => {
    if (!savedAt || dirty) return;
    const min = Math.floor((Date.now() - savedAt) / 60000);
    show(min < 1 ? 'Saved · just now' : 'Saved · ' + min + (min === 1 ? ' minute ago' : ' minutes ago'));
  }, 15000);

  // Bring back what was typed here and never reached the server.
  const kept = read(key);
  if (kept && kept.fields) {
    if (same(kept.fields, snapshot()) || (kept.base || '') !== base) {
      forget(); // already saved, or the server's copy changed since (edited elsewhere)
    } else {
      apply(kept.fields);
      dirty = true;
      if (url) {
        show('Restored what you typed on this device · saving…');
        schedule(0);
      } else {
        show('Restored unsaved changes from this device: use “Save changes” to keep them.', 'warn');
      }
    }
  }
}
