// "Copy" button next to the invite link (#invite-url, #copy-invite).
export function setupInvite() {
  const input = document.getElementById('invite-url');
  const button = document.getElementById('copy-invite');
  const status = document.getElementById('copy-status');
  if (!input || !button) return;
  const original = button.textContent;
  let timer;

  button.addEventListener('click', async () => {
    let copied = false;
    try {
      await navigator.clipboard.writeText(input.value);
      copied = true;
    } catch {
      input.select();
      try {
        copied = document.execCommand('copy');
      } catch {
        copied = false;
      }
    }
    const message = copied ? 'Copied' : 'Press Ctrl+C to copy';
    button.textContent = copied ? 'Copied' : original;
    if (status) status.textContent = message;
    if (!copied) input.select();
    clearTimeout(timer);
    timer = setTimeout(() => {
      button.textContent = original;
      if (status) status.textContent = '';
    }, 2000);
  });
}
