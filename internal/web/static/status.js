// While an entry's analysis is queued or running, ask for its status and
// reload the page when the result is in. (Live updates over the event
// stream take this over later.)
const box = document.querySelector('[data-status-url]');
if (box) poll(box.dataset.statusUrl, 0);

async function poll(url, n) {
  if (n > 200) return; // about ten minutes; the page still has its reload link
  await new Promise((r) => setTimeout(r, n < 20 ? 1000 : 3000));
  try {
    const res = await fetch(url, { headers: { Accept: 'application/json' }, redirect: 'manual' });
    if (res.ok) {
      const { status } = await res.json();
      if (status !== 'queued' && status !== 'processing') {
        location.reload();
        return;
      }
      const badge = document.querySelector('.badge[data-status]');
      if (badge && status === 'processing' && badge.dataset.status !== status) {
        badge.dataset.status = status;
        badge.className = 'badge badge-processing';
        badge.textContent = 'Analyzing…';
      }
    }
  } catch { /* offline: try again */ }
  poll(url, n + 1);
}
