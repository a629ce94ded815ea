// The Tether admin dashboard: reads this port's /stats, /sessions and /events (docs/DASHBOARD.md).
// Everything a client sent (ids, details, principals) reaches the page through textContent or a property,
// never through markup. With a bearer token the page asks for it once and keeps it in sessionStorage.
(function () {
  'use strict';

  const FEED_MAX = 500;           // feed items kept on the page; older ones are dropped from the bottom
  const HISTORY_SECONDS = 900;    // the online chart's window
  const PAGE_SIZE = 20;           // session table rows per page
  const RTT_SAMPLE = 1000;        // sessions read for the RTT histogram (the API's largest page)
  const STATS_EVERY_MS = 1000;
  const SESSIONS_EVERY_MS = 5000;
  const TOKEN_KEY = 'tether.admin.token';

  // Bucket upper bounds: RTT in microseconds, lateness in milliseconds (the server's SLO buckets).
  const RTT_BOUNDS = [100, 200, 500, 1000, 2000, 5000, 10000, 20000, 50000, 100000, Infinity];
  const LATE_BOUNDS = [1, 5, 10, 20, 50, 100, 250, 500, 1000, 2500, Infinity];

  const $ = (id) => document.getElementById(id);
  let token = sessionStorage.getItem(TOKEN_KEY);
  let signedOut = false;
  let started = false;

  // ---- talking to the admin port -------------------------------------------------------------------------

  class Unauthorized extends Error {}

  async function api(path, options) {
    const headers = token ? { Authorization: 'Bearer ' + token } : {};
    const response = await fetch(path, Object.assign({ headers: headers, cache: 'no-store' }, options || {}));
    if (response.status === 401) {
      signOut(token ? 'the token was refused' : '');
      throw new Unauthorized('unauthorized');
    }
    let body = null;
    try {
      body = await response.json();
    } catch (e) {
      throw new Error('HTTP ' + response.status + ' with no JSON body');
    }
    if (!response.ok) {
      const error = new Error(body && body.error ? body.error : 'HTTP ' + response.status);
      error.status = response.status;
      throw error;
    }
    return body;
  }

  function quietly(promise) {
    return promise.catch((e) => {
      if (!(e instanceof Unauthorized)) {
        console.warn('tether dashboard:', e.message);
      }
    });
  }

  // ---- formatting ------------------------------------------------------------------------------------------

  const number = new Intl.NumberFormat('en');

  function ms(value) {
    if (value >= 10000) return number.format(Math.round(value / 100) / 10) + ' s';
    return number.format(Math.round(value)) + ' ms';
  }

  function micros(value) {
    if (value === null || value === undefined) return '–';
    if (value < 1000) return value + ' µs';
    return (value / 1000).toFixed(value < 10000 ? 2 : 1) + ' ms';
  }

  function clock(epochMs) {
    const d = new Date(epochMs);
    const pad = (n, w) => String(n).padStart(w || 2, '0');
    return pad(d.getHours()) + ':' + pad(d.getMinutes()) + ':' + pad(d.getSeconds()) + '.' + pad(d.getMilliseconds(), 3);
  }

  function since(iso) {
    const seconds = Math.max(0, (Date.now() - Date.parse(iso)) / 1000);
    if (seconds < 1) return 'just now';
    if (seconds < 120) return Math.round(seconds) + ' s';
    if (seconds < 7200) return Math.round(seconds / 60) + ' min';
    if (seconds < 172800) return Math.round(seconds / 3600) + ' h';
    return Math.round(seconds / 86400) + ' d';
  }

  function boundLabel(bound, scale) {
    return bound === Infinity ? 'more' : '≤' + number.format(bound / scale);
  }

  function el(tag, className, text) {
    const node = document.createElement(tag);
    if (className) node.className = className;
    if (text !== undefined && text !== null) node.textContent = String(text);
    return node;
  }

  // Appends with a space between items, so that an item's text (what a test or a copy reads) has its words apart.
  function append(parent, ...children) {
    children.forEach((child) => {
      if (parent.hasChildNodes()) parent.appendChild(document.createTextNode(' '));
      parent.appendChild(child);
    });
    return parent;
  }

  // ---- charts (uPlot) --------------------------------------------------------------------------------------

  const charts = [];

  function chartWidth(container) {
    return Math.max(200, container.clientWidth);
  }

  function lineChart(container) {
    const chart = new uPlot({
      width: chartWidth(container),
      height: 260,
      legend: { show: false },
      scales: { x: { time: true }, y: { range: (u, min, max) => [0, Math.max(4, Math.ceil((max || 0) * 1.15))] } },
      series: [
        {},
        { label: 'online', stroke: '#2563eb', fill: 'rgba(37, 99, 235, 0.12)', width: 2,
          paths: uPlot.paths.stepped({ align: 1 }), points: { show: false } },
      ],
      axes: [
        { incrs: [1, 2, 5, 10, 15, 30, 60, 120, 300, 600, 900], values: (u, splits) => splits.map((s) => clock(s * 1000).slice(0, 8)) },
        { label: 'sessions online', size: 60 },
      ],
    }, [[], []], container);
    charts.push({ chart: chart, container: container });
    return chart;
  }

  function histogram(container, labels, unit, color) {
    const xs = labels.map((_, i) => i);
    const chart = new uPlot({
      width: chartWidth(container),
      height: 220,
      scales: {
        x: { time: false, range: [-0.6, labels.length - 0.4] },
        y: { range: (u, min, max) => [0, Math.max(1, Math.ceil((max || 0) * 1.15))] },
      },
      legend: { show: false },
      series: [
        {},
        { label: 'count', stroke: color, fill: color + 'bb', width: 1,
          paths: uPlot.paths.bars({ size: [0.8, 60] }), points: { show: false } },
      ],
      axes: [
        { splits: () => xs, values: (u, splits) => splits.map((i) => labels[i] || ''), label: unit, size: 62,
          rotate: -45, grid: { show: false } },
        { label: 'count', size: 50 },
      ],
      cursor: { show: false },
      hooks: { draw: [labelBars] },
    }, [xs, xs.map(() => 0)], container);
    charts.push({ chart: chart, container: container });
    return chart;
  }

  // Writes each non-empty bar's count above it.
  function labelBars(u) {
    const ctx = u.ctx;
    ctx.save();
    ctx.font = Math.round(11 * devicePixelRatio) + 'px system-ui, sans-serif';
    ctx.fillStyle = '#1d2433';
    ctx.textAlign = 'center';
    u.data[1].forEach((count, i) => {
      if (count > 0) {
        ctx.fillText(number.format(count), u.valToPos(i, 'x', true), u.valToPos(count, 'y', true) - 4 * devicePixelRatio);
      }
    });
    ctx.restore();
  }

  function bucketCounts(values, bounds) {
    const counts = bounds.map(() => 0);
    values.forEach((value) => {
      counts[bounds.findIndex((bound) => value <= bound)]++;
    });
    return counts;
  }

  window.addEventListener('resize', () => {
    charts.forEach((c) => c.chart.setSize({ width: chartWidth(c.container), height: c.chart.height }));
  });

  const onlineChart = lineChart($('online-chart'));
  const onlineHistory = [[], []];
  const rttChart = histogram($('rtt-chart'), RTT_BOUNDS.map((b) => boundLabel(b, 1000)), 'round trip, ms', '#2563eb');
  const latenessChart = histogram($('lateness-chart'), LATE_BOUNDS.map((b) => boundLabel(b, 1)), 'past the deadline, ms',
    '#b91c1c');
  const lateness = [];

  // ---- figures: the cards and the online chart -------------------------------------------------------------

  async function refreshStats() {
    const stats = await api('/stats');
    $('online-count').textContent = String(stats.online);
    $('stat-accepted').textContent = number.format(stats.accepted);
    $('stat-refused').textContent = number.format(stats.refused);
    $('stat-offline').textContent = number.format(stats.offlineEvents);
    $('stat-timeouts').textContent = number.format(stats.offlineByReason.TIMEOUT || 0);
    $('stat-handshakes').textContent = number.format(stats.handshakes);
    $('updated').textContent = 'updated ' + clock(Date.now());
    const now = Date.now() / 1000;
    onlineHistory[0].push(now);
    onlineHistory[1].push(stats.online);
    while (onlineHistory[0].length > 2 && onlineHistory[0][0] < now - HISTORY_SECONDS) {
      onlineHistory[0].shift();
      onlineHistory[1].shift();
    }
    onlineChart.setData(onlineHistory);
  }

  async function refreshRtt() {
    const page = await api('/sessions?limit=' + RTT_SAMPLE);
    const reported = page.sessions.map((s) => s.rttMicros).filter((r) => r !== null && r !== undefined);
    rttChart.setData([rttChart.data[0], bucketCounts(reported, RTT_BOUNDS)]);
    const sorted = reported.slice().sort((a, b) => a - b);
    const median = sorted.length ? micros(sorted[Math.ceil(sorted.length / 2) - 1]) : '–';
    $('rtt-note').textContent = sorted.length + ' of ' + page.online + ' sessions reported'
      + (page.nextCursor ? ' (first ' + RTT_SAMPLE + ' by id)' : '') + ' · median ' + median;
  }

  // A burst of verdicts (a partition, a restart) is drawn once per tick, not once per verdict.
  let latenessTimer = null;

  function recordLateness(lateMs) {
    lateness.push(lateMs);
    if (latenessTimer === null) {
      latenessTimer = setTimeout(drawLateness, 100);
    }
  }

  function drawLateness() {
    latenessTimer = null;
    latenessChart.setData([latenessChart.data[0], bucketCounts(lateness, LATE_BOUNDS)]);
    const sorted = lateness.slice().sort((a, b) => a - b);
    $('lateness-note').textContent = lateness.length + (lateness.length === 1 ? ' verdict' : ' verdicts')
      + ' in the feed · median ' + ms(sorted[Math.ceil(sorted.length / 2) - 1]) + ' · max ' + ms(sorted[sorted.length - 1]);
  }

  // ---- the verdict feed ------------------------------------------------------------------------------------

  const feed = $('event-feed');
  let shown = 0;

  function addToFeed(item) {
    feed.insertBefore(item, feed.firstChild);
    while (feed.childElementCount > FEED_MAX) {
      feed.removeChild(feed.lastChild);
    }
    shown++;
    $('feed-note').textContent = shown + ' received' + (shown > FEED_MAX ? ', newest ' + FEED_MAX + ' shown' : '');
  }

  function presenceItem(event) {
    const offline = event.event === 'OFFLINE';
    const item = el('li', offline ? 'offline reason-' + event.reason : 'online');
    item.dataset.event = event.event;
    item.dataset.clientId = event.clientId;
    if (offline) {
      item.dataset.reason = event.reason;
    }
    append(item, el('span', 'at', clock(event.at)), el('span', 'kind', event.event), el('span', 'client', event.clientId));
    if (offline) {
      const facts = el('span', 'facts');
      if (event.reason === 'TIMEOUT') {
        append(facts, el('span', 'late', 'late ' + ms(event.lateMs)),
          document.createTextNode('· silent ' + ms(event.silentMs) + ' of ' + ms(event.timeoutMs) + ' allowed'));
      } else {
        facts.textContent = 'silent ' + ms(event.silentMs);
      }
      append(item, el('span', 'reason', event.reason), facts);
      if (event.detail) {
        append(item, el('span', 'detail', event.detail));
      }
    } else {
      append(item, el('span', 'facts', 'from ' + event.remote + (event.legacy ? ' (classic header)' : '')));
    }
    return item;
  }

  function gapItem(gap) {
    const item = el('li', 'gap');
    item.dataset.event = 'GAP';
    append(item, el('span', 'at', clock(Date.now())), el('span', 'kind', 'GAP'),
      el('span', 'facts', gap.message + '; the figures and the table are read afresh'));
    return item;
  }

  // ---- the event stream ------------------------------------------------------------------------------------

  let stream = null;
  let lastId = 0;
  let reopenTimer = null;

  function status(state, text) {
    const pill = $('stream-status');
    pill.dataset.state = state;
    pill.textContent = text;
  }

  // A reconnect of the same EventSource sends Last-Event-ID and the server resumes exactly. A new EventSource
  // (after the stream was refused with an HTTP error) sends none, so the server replays all it keeps: the
  // events already shown are skipped by id.
  function openStream() {
    if (stream) {
      stream.close();
    }
    const skipUpTo = lastId;
    const source = new EventSource('/events' + (token ? '?access_token=' + encodeURIComponent(token) : ''));
    stream = source;
    source.onopen = () => status('live', 'live');
    source.onerror = () => {
      if (source !== stream) {
        return;
      }
      if (source.readyState === EventSource.CLOSED) {
        status('closed', 'stream refused; retrying');
        clearTimeout(reopenTimer);
        reopenTimer = setTimeout(() => quietly(api('/stats').then(() => openStream())), 3000);
      } else {
        status('reconnecting', 'reconnecting…');
      }
    };
    const onPresence = (message) => {
      const id = Number(message.lastEventId);
      if (skipUpTo && id && id <= skipUpTo) {
        return;
      }
      lastId = id || lastId;
      const event = JSON.parse(message.data);
      addToFeed(presenceItem(event));
      if (event.reason === 'TIMEOUT') {
        recordLateness(event.lateMs);
      }
      soon();
    };
    source.addEventListener('online', onPresence);
    source.addEventListener('offline', onPresence);
    source.addEventListener('gap', (message) => {
      addToFeed(gapItem(JSON.parse(message.data)));
      soon();
    });
  }

  // ---- the session table -----------------------------------------------------------------------------------

  const table = { prefix: '', cursors: [null], page: 0, next: null, asked: 0 };

  async function refreshSessions() {
    const query = new URLSearchParams({ prefix: table.prefix, limit: String(PAGE_SIZE) });
    const cursor = table.cursors[table.page];
    if (cursor) {
      query.set('cursor', cursor);
    }
    const asked = ++table.asked;
    const page = await api('/sessions?' + query.toString());
    if (asked !== table.asked) {
      return; // a newer search or page was asked for meanwhile
    }
    const rows = $('session-rows');
    showRows(rows, page.sessions);
    if (page.sessions.length === 0) {
      const empty = el('tr', 'empty');
      const cell = el('td', null, table.prefix ? 'no session online whose id starts with “' + table.prefix + '”'
        : 'no session online');
      cell.colSpan = 8;
      empty.appendChild(cell);
      rows.appendChild(empty);
    }
    table.next = page.nextCursor;
    $('page-prev').disabled = table.page === 0;
    $('page-next').disabled = !table.next;
    $('page-info').textContent = 'page ' + (table.page + 1) + ' · ' + page.sessions.length + ' shown · '
      + page.online + ' online in all';
  }

  // Rows are kept by client id and updated in place, so a refresh never swaps a button out from under a click.
  const rowsById = new Map();

  function showRows(rows, sessions) {
    const wanted = new Set(sessions.map((session) => session.clientId));
    rowsById.forEach((row, clientId) => {
      if (!wanted.has(clientId)) {
        row.element.remove();
        rowsById.delete(clientId);
      }
    });
    rows.querySelectorAll('tr.empty').forEach((row) => row.remove());
    sessions.forEach((session, i) => {
      let row = rowsById.get(session.clientId);
      if (!row) {
        row = sessionRow(session.clientId);
        rowsById.set(session.clientId, row);
      }
      fillRow(row, session);
      if (rows.children[i] !== row.element) {
        rows.insertBefore(row.element, rows.children[i] || null);
      }
    });
  }

  function sessionRow(clientId) {
    const row = { element: el('tr'), sessionId: null, cells: [] };
    row.element.dataset.clientId = clientId;
    for (let i = 0; i < 7; i++) {
      row.cells.push(el('td', ['id', 'mono', null, null, 'num', null, null][i]));
    }
    row.kick = el('button', 'kick', 'Kick');
    row.kick.type = 'button';
    row.kick.id = 'kick-' + clientId;
    row.kick.dataset.kick = clientId;
    row.kick.addEventListener('click', () => kickSession(clientId, row.kick));
    const action = el('td');
    action.appendChild(row.kick);
    row.element.append(...row.cells, action);
    return row;
  }

  function fillRow(row, session) {
    const [id, remote, online, heard, rtt, heartbeat, principal] = row.cells;
    if (row.sessionId !== session.sessionId) {
      row.sessionId = session.sessionId; // a new session under this id: it can be kicked again
      row.kick.disabled = false;
      id.textContent = session.clientId;
      if (session.legacy) {
        id.appendChild(el('span', 'tag', 'classic'));
      }
      id.title = session.clientId + ' · session ' + session.sessionId;
      remote.textContent = session.remote;
      online.title = 'since ' + session.connectedAt;
      heartbeat.textContent = 'every ' + ms(session.intervalMs) + ', offline after ' + ms(session.timeoutMs);
      principal.textContent = session.principal || '–';
    }
    online.textContent = since(session.connectedAt);
    const ago = since(session.lastSeenAt);
    heard.textContent = ago === 'just now' ? ago : ago + ' ago';
    heard.title = session.lastSeenAt;
    rtt.textContent = micros(session.rttMicros);
  }

  async function kickSession(clientId, button) {
    button.disabled = true;
    const reason = $('kick-reason').value.trim() || 'kicked from the dashboard';
    const kickStatus = $('kick-status');
    try {
      await api('/sessions/' + encodeURIComponent(clientId) + '/kick?reason=' + encodeURIComponent(reason),
        { method: 'POST' });
      kickStatus.textContent = 'kicked ' + clientId;
    } catch (e) {
      if (!(e instanceof Unauthorized)) {
        kickStatus.textContent = e.status === 404 ? clientId + ' is no longer online' : 'kick failed: ' + e.message;
      }
      button.disabled = false;
    }
    soon();
  }

  let searchTimer = null;
  $('session-search').addEventListener('input', () => {
    clearTimeout(searchTimer);
    searchTimer = setTimeout(() => {
      table.prefix = $('session-search').value;
      table.cursors = [null];
      table.page = 0;
      quietly(refreshSessions());
    }, 150);
  });
  $('page-next').addEventListener('click', () => {
    if (table.next) {
      table.cursors[table.page + 1] = table.next;
      table.page++;
      quietly(refreshSessions());
    }
  });
  $('page-prev').addEventListener('click', () => {
    if (table.page > 0) {
      table.page--;
      quietly(refreshSessions());
    }
  });

  // ---- refreshing: on a timer, and soon after each event ---------------------------------------------------

  // After an event the figures and the table are read again, at most twice a second however busy the stream.
  let soonTimer = null;

  function soon() {
    if (soonTimer === null) {
      soonTimer = setTimeout(() => {
        soonTimer = null;
        if (!signedOut) {
          quietly(refreshStats());
          quietly(refreshSessions());
        }
      }, 500);
    }
  }

  function everyTick(action, period) {
    setInterval(() => {
      if (!signedOut) {
        quietly(action());
      }
    }, period);
  }

  // ---- the token -------------------------------------------------------------------------------------------

  function signOut(problem) {
    signedOut = true;
    if (stream) {
      stream.close();
      stream = null;
    }
    if (token) {
      sessionStorage.removeItem(TOKEN_KEY);
      token = null;
    }
    status('signed-out', 'token needed');
    $('token-problem').textContent = problem;
    $('token-form').hidden = false;
    $('token-input').focus();
  }

  $('token-form').addEventListener('submit', (e) => {
    e.preventDefault();
    const given = $('token-input').value.trim();
    if (!given) {
      $('token-problem').textContent = 'enter the token';
      return;
    }
    token = given;
    sessionStorage.setItem(TOKEN_KEY, token);
    $('token-input').value = '';
    start();
  });

  async function start() {
    try {
      await refreshStats();
    } catch (e) {
      if (!(e instanceof Unauthorized)) {
        status('closed', 'admin port unreachable: ' + e.message);
        setTimeout(start, 3000);
      }
      return;
    }
    signedOut = false;
    $('token-form').hidden = true;
    $('token-problem').textContent = '';
    openStream();
    quietly(refreshSessions());
    quietly(refreshRtt());
    if (!started) {
      started = true;
      everyTick(refreshStats, STATS_EVERY_MS);
      everyTick(refreshSessions, SESSIONS_EVERY_MS);
      everyTick(refreshRtt, SESSIONS_EVERY_MS);
    }
  }

  start();
})();
