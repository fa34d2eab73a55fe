// Live updates for every signed-in page, over the event stream
// (GET /api/v1/events, docs/realtime.md), with no library:
//
// - one EventSource, reopened with backoff and jitter after an error, from
//   the last event processed (?lastEventId=; the page's first id comes from
//   <meta name="resonant-last-event-id">, read by the server before the
//   page's data, so nothing between the render and the connection is lost);
// - the connection indicator (live / reconnecting / offline) in the header,
//   a polite status region;
// - status badges (.badge[data-entry-id]) follow analysis.status events in
//   place, without a fetch;
// - live regions ([data-live-src]) are fetched again from the server when
//   one of their events (data-live-on, narrowed by data-live-rel and
//   data-live-entity) arrives, or on event: reset, and replaced whole;
// - forms marked data-optimistic are sent with fetch: the change shows at
//   once and is undone, with a message, when the server refuses it.
//
// The contract with the server's templates is in INTERFACES.md (issue 14)
// and internal/web/live.go.

const TYPES = ['entry.created', 'entry.updated', 'entry.deleted', 'analysis.status', 'healthScore.updated',
  'insight.created', 'insight.updated', 'relationship.changed'];
const STATUS_TEXT = { queued: 'Queued', processing: 'Analyzing…', completed: 'Complete', fallback: 'Fallback', failed: 'Failed' };
const STATE_TEXT = { connecting: 'Connecting…', live: 'Live', reconnecting: 'Reconnecting…', offline: 'Offline' };
const DEBOUNCE_MS = 150;
const BACKOFF_MIN_MS = 500;
const BACKOFF_MAX_MS = 30000;

const meta = document.querySelector('meta[name="resonant-last-event-id"]');
if (meta) start(meta.content);

function start(firstID) {
  let lastID = firstID || '';
  let source = null;
  let attempt = 0;
  let timer = 0;
  let state = 'connecting';
  let signedOut = false;
  const indicator = document.querySelector('[data-live-indicator]');
  const regions = new Map(); // data-live-src -> {timer, busy, again}

  // The indicator: the first "Live" of a page is shown, not announced;
  // every change after that is.
  const show = (next) => {
    if (next === state && indicator && !indicator.hidden) return;
    state = next;
    document.documentElement.dataset.live = next; // for tests and styles
    if (!indicator) return;
    const first = indicator.hidden;
    if (first) indicator.setAttribute('aria-live', 'off');
    indicator.dataset.state = next;
    const text = indicator.querySelector('.live-text') || indicator;
    text.textContent = next === 'offline' && signedOut ? 'Offline · signed out' : STATE_TEXT[next];
    indicator.title = next === 'live' ? 'Changes made elsewhere show here as they happen'
      : next === 'reconnecting' ? 'The connection was lost; trying again' : 'Not receiving changes; reload the page when you are back online';
    if (first) {
      indicator.hidden = false;
      requestAnimationFrame(() => indicator.setAttribute('aria-live', 'polite'));
    }
  };

  const connect = () => {
    clearTimeout(timer);
    timer = 0;
    if (source) source.close();
    source = null;
    if (!navigator.onLine) {
      show('offline');
      return;
    }
    const es = new EventSource('/api/v1/events' + (lastID ? '?lastEventId=' + encodeURIComponent(lastID) : ''));
    source = es;
    es.onopen = () => {
      attempt = 0;
      show('live');
    };
    // Any error: close, and open again ourselves (from the last id, after a
    // growing, jittered delay) rather than at the browser's fixed interval.
    es.onerror = () => {
      if (source !== es) return;
      es.close();
      source = null;
      retry();
    };
    for (const type of eventTypes()) es.addEventListener(type, (ev) => receive(type, ev));
    es.addEventListener('reset', (ev) => {
      if (ev.lastEventId) lastID = ev.lastEventId;
      refreshAll();
    });
  };

  const retry = async () => {
    if (timer) return;
    if (!navigator.onLine) {
      show('offline');
      return;
    }
    show('reconnecting');
    const base = Math.min(BACKOFF_MAX_MS, BACKOFF_MIN_MS * 2 ** attempt);
    attempt++;
    const delay = base / 2 + Math.random() * base / 2; // jitter: half to all of it
    timer = setTimeout(probeAndConnect, delay);
  };

  // A stream refused for want of a session says nothing to EventSource; a
  // cheap authenticated request tells a sign-out from a server away.
  const probeAndConnect = async () => {
    timer = 0;
    try {
      const res = await fetch('/api/v1/me', { headers: { Accept: 'application/json' }, cache: 'no-store' });
      if (res.status === 401) {
        signedOut = true;
        show('offline');
        return;
      }
    } catch { /* the server is away: try the stream anyway */ }
    connect();
  };

  addEventListener('online', () => { if (!source) connect(); });
  addEventListener('offline', () => {
    if (source) source.close();
    source = null;
    clearTimeout(timer);
    timer = 0;
    show('offline');
  });
  // Back to a tab that waits out a long backoff: try at once.
  document.addEventListener('visibilitychange', () => {
    if (document.visibilityState !== 'visible' || source || signedOut || !timer) return;
    clearTimeout(timer);
    attempt = 0;
    probeAndConnect();
  });
  // A page restored from the back/forward cache has a closed stream.
  addEventListener('pageshow', (ev) => { if (ev.persisted && !source) connect(); });
  addEventListener('pagehide', () => { if (source) source.close(); source = null; });

  function eventTypes() {
    const types = new Set(TYPES);
    for (const el of document.querySelectorAll('[data-live-on]')) {
      for (const t of el.dataset.liveOn.split(/\s+/)) if (t) types.add(t);
    }
    return types;
  }

  function receive(type, ev) {
    if (ev.lastEventId) lastID = ev.lastEventId;
    let data = {};
    try { data = JSON.parse(ev.data); } catch { /* announce without details */ }
    if (type === 'analysis.status' && data.status) setBadges(data.entityId, data.status);
    for (const el of document.querySelectorAll('[data-live-src]')) {
      if (matches(el, type, data)) refresh(el.dataset.liveSrc);
      else if (type === 'analysis.status' && regions.get(el.dataset.liveSrc)?.busy) {
        regions.get(el.dataset.liveSrc).again = true; // its answer may predate this badge
      }
    }
    document.dispatchEvent(new CustomEvent('resonant:event', { detail: { type, id: ev.lastEventId, data } }));
  }

  function matches(el, type, data) {
    if (!(el.dataset.liveOn || '').split(/\s+/).includes(type)) return false;
    if (el.dataset.liveRel && data.relationshipId && el.dataset.liveRel !== data.relationshipId) return false;
    if (el.dataset.liveEntity && el.dataset.liveEntity !== data.entityId) return false;
    return true;
  }

  function refreshAll() {
    for (const el of document.querySelectorAll('[data-live-src]')) refresh(el.dataset.liveSrc);
  }

  // refresh fetches a region again DEBOUNCE_MS after the first of a burst
  // of its events (later ones join it, without pushing it back), one fetch
  // in flight per region; events arriving meanwhile fetch it once more
  // afterwards.
  function refresh(src) {
    let r = regions.get(src);
    if (!r) regions.set(src, r = { timer: 0, busy: false, again: false });
    if (r.busy) {
      r.again = true;
      return;
    }
    if (!r.timer) r.timer = setTimeout(() => load(src, r), DEBOUNCE_MS);
  }

  async function load(src, r) {
    r.timer = 0;
    r.busy = true;
    r.again = false;
    try {
      const res = await fetch(src, { headers: { Accept: 'text/html', 'X-Resonant-Fragment': '1' }, cache: 'no-store' });
      if (res.redirected && new URL(res.url).pathname === '/signin') {
        signedOut = true;
        show('offline');
      } else if (res.ok) {
        swap(src, await res.text());
      }
    } catch { /* offline: the next event or reset tries again */ }
    r.busy = false;
    if (r.again) refresh(src);
  }

  function swap(src, html) {
    const old = findRegion(src);
    if (!old) return;
    const tpl = document.createElement('template');
    tpl.innerHTML = html;
    const next = tpl.content.firstElementChild;
    if (!next || next.dataset.liveSrc === undefined) return;
    // Keep the keyboard where it was, and what is open open.
    const focused = old.contains(document.activeElement) ? document.activeElement : null;
    const open = [...old.querySelectorAll('details[open][id]')].map((d) => d.id);
    // An optimistic change still waiting for its answer stays shown.
    for (const p of pending) p.reapply(next);
    old.replaceWith(next);
    for (const id of open) document.getElementById(id)?.setAttribute('open', '');
    if (focused) {
      const again = (focused.id && document.getElementById(focused.id)) || sameControl(next, focused);
      if (again) again.focus({ preventScroll: true });
    }
  }

  function findRegion(src) {
    for (const el of document.querySelectorAll('[data-live-src]')) if (el.dataset.liveSrc === src) return el;
    return null;
  }

  // sameControl finds in root the form control or link that matches el.
  function sameControl(root, el) {
    const form = el.form || el.closest('form');
    if (form && form.getAttribute('action')) {
      const f = root.querySelector(`form[action="${CSS.escape(form.getAttribute('action'))}"]`);
      return f && (f.querySelector(el.tagName.toLowerCase()) || f);
    }
    if (el.getAttribute('href')) return root.querySelector(`a[href="${CSS.escape(el.getAttribute('href'))}"]`);
    return null;
  }

  // ---- Optimistic actions ----

  const pending = new Set();
  const alertBox = document.querySelector('[data-live-alert]');

  document.addEventListener('submit', (ev) => {
    const form = ev.target;
    if (!(form instanceof HTMLFormElement) || !form.hasAttribute('data-optimistic') || ev.defaultPrevented) return;
    ev.preventDefault();
    if (form.dataset.busy) return;
    submitOptimistic(form, ev.submitter);
  });

  async function submitOptimistic(form, submitter) {
    form.dataset.busy = '1';
    const body = new URLSearchParams(new FormData(form, submitter)); // before the change swaps any value
    const change = optimistic(form);
    change.apply();
    pending.add(change);
    let refusal = '';
    try {
      const res = await fetch(form.action, {
        method: (form.getAttribute('method') || 'post').toUpperCase(), body,
        headers: { Accept: 'application/json' }, cache: 'no-store',
      });
      if (res.redirected && new URL(res.url).pathname === '/signin') {
        refusal = 'you are signed out. Sign in again, then retry.';
      } else if (!res.ok) {
        refusal = await reason(res);
      }
    } catch {
      refusal = 'there is no connection to the server. Nothing was changed; try again when you are back online.';
    }
    pending.delete(change);
    delete form.dataset.busy;
    if (!refusal) {
      change.settle();
      return;
    }
    change.undo();
    const label = form.dataset.optimisticLabel || (submitter?.textContent.trim() ? '“' + submitter.textContent.trim() + '”' : 'That change');
    say(label + ' did not work: ' + refusal + ' It is shown as it was.');
  }

  async function reason(res) {
    try {
      const body = await res.json();
      if (body?.error?.message) return body.error.message.replace(/\.?$/, '.');
    } catch { /* not JSON */ }
    if (res.status === 404) return 'it no longer exists: it was deleted, perhaps in another tab or on another device.';
    if (res.status === 409) return 'it was changed elsewhere in the meantime.';
    if (res.status === 429) return 'there were too many changes in a short time; wait a moment.';
    return 'the server could not do it (' + res.status + ').';
  }

  function say(text) {
    if (!alertBox) return;
    alertBox.replaceChildren();
    const p = document.createElement('p');
    p.textContent = text;
    const close = document.createElement('button');
    close.type = 'button';
    close.className = 'link';
    close.textContent = 'Dismiss message';
    close.addEventListener('click', () => alertBox.replaceChildren());
    alertBox.append(p, close);
  }

  // optimistic describes what a form changes at once, and how to undo it:
  //   data-optimistic="remove": the target is hidden;
  //   data-optimistic="toggle": in the target, [data-toggle-show] elements
  //     flip hidden and [data-toggle-swap] elements swap their text (or an
  //     input its value) with the attribute's;
  //   data-optimistic-status="queued" with data-entry-id: that entry's
  //     badges show the status.
  // The target is form.closest(data-optimistic-target), else the form.
  function optimistic(form) {
    const kind = form.dataset.optimistic;
    const sel = form.dataset.optimisticTarget;
    const target = (sel && form.closest(sel)) || form;
    const status = form.dataset.optimisticStatus;
    const entry = form.dataset.entryId;
    let badges = [];
    let hadFocus = false;
    const flip = (root) => {
      for (const el of root.querySelectorAll('[data-toggle-show]')) el.hidden = !el.hidden;
      for (const el of root.querySelectorAll('[data-toggle-swap]')) {
        const other = el.dataset.toggleSwap;
        if (el instanceof HTMLInputElement) {
          el.dataset.toggleSwap = el.value;
          el.value = other;
        } else {
          el.dataset.toggleSwap = el.textContent;
          el.textContent = other;
        }
      }
    };
    return {
      apply() {
        if (kind === 'remove') {
          hadFocus = target.contains(document.activeElement);
          target.hidden = true;
          if (hadFocus) focusNear(target);
        } else if (kind === 'toggle') {
          flip(target);
        }
        if (status && entry) badges = setBadges(entry, status);
      },
      // A region re-rendered by the server while the answer is awaited
      // shows the change too (the server may not have made it yet).
      reapply(root) {
        if (!target.isConnected) return;
        if (kind === 'remove' && target.id) root.querySelector('#' + CSS.escape(target.id))?.setAttribute('hidden', '');
      },
      settle() {},
      undo() {
        if (kind === 'remove') {
          target.hidden = false;
          if (hadFocus) form.querySelector('button, [type=submit]')?.focus();
        } else if (kind === 'toggle' && target.isConnected) {
          flip(target);
        }
        for (const [el, st] of badges) if (el.isConnected) paintBadge(el, st);
      },
    };
  }

  // focusNear moves the keyboard to what follows a removed element, else to
  // the main content, so focus is not lost with it.
  function focusNear(el) {
    let next = el.nextElementSibling;
    while (next && next.hidden) next = next.nextElementSibling;
    const f = next?.querySelector('a[href], button, input, select, textarea, [tabindex]');
    (f || document.getElementById('main'))?.focus({ preventScroll: true });
  }

  // ---- Badges ----

  // setBadges shows status on every badge of the entry and returns each
  // badge with the status it had.
  function setBadges(entryID, status) {
    const was = [];
    for (const el of document.querySelectorAll('.badge[data-entry-id]')) {
      if (el.dataset.entryId !== entryID) continue;
      was.push([el, el.dataset.status]);
      paintBadge(el, status);
    }
    return was;
  }

  function paintBadge(el, status) {
    if (el.dataset.status === status) return;
    el.dataset.status = status;
    el.className = 'badge badge-' + status;
    el.textContent = STATUS_TEXT[status] || status;
  }

  connect();
}
