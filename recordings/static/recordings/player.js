// The lecture page's recording player follows the transcript: clicking a transcript line or a
// summary point seeks the recording there, the line being spoken is highlighted as it plays, and
// the summary's topics become chapters. Times on the page are seconds from the lecture's start
// (shown as M:SS or H:MM:SS); data-offset is where the recording began in that clock.
const media = document.getElementById('recording-media');
if (media) {
  const offset = parseFloat(media.dataset.offset || '0') || 0;
  const seconds = (text) => text.trim().split(':').reduce((total, part) => total * 60 + Number(part), 0);
  const lines = [...document.querySelectorAll('#transcript ol.segments > li')]
    .map((li) => ({ li, start: seconds(li.querySelector('a.at')?.textContent || '') }))
    .filter((line) => Number.isFinite(line.start))
    .sort((a, b) => a.start - b.start);

  function seek(lectureSeconds) {
    media.currentTime = Math.max(lectureSeconds - offset, 0);
    media.play().catch(() => {});
    media.scrollIntoView({ block: 'nearest', behavior: 'smooth' });
  }

  document.addEventListener('click', (event) => {
    const link = event.target.closest('#transcript a.at, #summary a.at, #recording-chapters button');
    if (!link) return;
    const at = seconds(link.dataset.at || link.textContent || '');
    if (!Number.isFinite(at)) return;
    event.preventDefault();
    seek(at);
  });

  let current = null;
  media.addEventListener('timeupdate', () => {
    const now = media.currentTime + offset;
    let found = null;
    for (const line of lines) {
      if (line.start <= now + 0.25) found = line;
      else break;
    }
    if (found === current) return;
    current?.li.classList.remove('playing');
    current = found;
    current?.li.classList.add('playing');
    current?.li.setAttribute('aria-current', 'true');
  });

  const chapters = document.getElementById('recording-chapters');
  const topics = [...document.querySelectorAll('#summary ol.topics > li')];
  if (chapters && topics.length) {
    for (const topic of topics) {
      const at = topic.querySelector('a.at')?.textContent || '0:00';
      const item = document.createElement('li');
      const button = document.createElement('button');
      button.type = 'button';
      button.className = 'link';
      button.dataset.at = at;
      button.textContent = `${at} ${topic.textContent.replace(at, '').trim()}`;
      item.appendChild(button);
      chapters.appendChild(item);
    }
    chapters.hidden = false;
  }
}
