// Onboarding: suggest the device's time zone instead of UTC.
const input = document.querySelector('[data-detect-timezone]');
if (input && (input.value === '' || input.value === 'UTC')) {
  const tz = Intl.DateTimeFormat().resolvedOptions().timeZone;
  if (tz && tz !== 'UTC') {
    input.value = tz;
    const hint = document.getElementById('timezone-hint');
    if (hint) hint.textContent += ' We filled in your device’s time zone.';
  }
}
