// A first cut: the online count and the feed, from /sessions and /events.
(function () {
  const count = document.getElementById('online-count');
  const feed = document.getElementById('event-feed');
  fetch('/sessions?limit=1').then(r => r.json()).then(page => { count.textContent = page.online; });
  const events = new EventSource('/events');
  function add(kind, e) {
    const event = JSON.parse(e.data);
    const item = document.createElement('li');
    item.textContent = kind + ' ' + event.clientId + (event.reason ? ' ' + event.reason : '');
    feed.prepend(item);
    fetch('/sessions?limit=1').then(r => r.json()).then(page => { count.textContent = page.online; });
  }
  events.addEventListener('online', e => add('ONLINE', e));
  events.addEventListener('offline', e => add('OFFLINE', e));
})();
