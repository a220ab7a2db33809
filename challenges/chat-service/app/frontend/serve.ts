import { createServer } from 'node:http';
import { attachToParent, log, readConfig, ready } from '../lib/runtime.js';

interface Config {
  port: number;
  release: string;
}

export interface FrontendTraits {
  showTimes: boolean;
  rememberName: boolean;
}

/**
 * The chat page. Every URL in it is relative, so it works at the team's own port and under the
 * spectators' proxy prefix (/t/<team>/) alike. Text from people is only ever set with textContent.
 */
function page(release: string, t: FrontendTraits): string {
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>Chat</title>
<style>
  body { font: 16px/1.4 system-ui, sans-serif; margin: 0; display: flex; flex-direction: column; height: 100vh; }
  header { background: #234; color: #fff; padding: .5rem 1rem; display: flex; justify-content: space-between; }
  #messages { flex: 1; overflow-y: auto; list-style: none; margin: 0; padding: .5rem 1rem; }
  #messages li { margin: .25rem 0; }
  .name { font-weight: 600; margin-right: .5rem; }
  .time { color: #777; font-size: .8em; margin-left: .5rem; }
  form { display: flex; gap: .5rem; padding: .5rem 1rem; border-top: 1px solid #ccc; }
  #text { flex: 1; }
  #status { padding: 0 1rem; min-height: 1.4em; color: #a00; }
  footer { color: #777; font-size: .75em; padding: 0 1rem .5rem; }
</style>
</head>
<body>
<header><strong>Chat</strong><span id="room"></span></header>
<ul id="messages" aria-live="polite"></ul>
<div id="status" role="status"></div>
<form id="form">
  <input id="name" placeholder="Your name" maxlength="40" required size="10">
  <input id="text" placeholder="Say something" maxlength="1000" required autocomplete="off">
  <button id="send">Send</button>
</form>
<footer>chat frontend ${release}</footer>
<script>
(function () {
  var SHOW_TIMES = ${t.showTimes}, REMEMBER = ${t.rememberName};
  var room = new URLSearchParams(location.search).get('room') || 'lobby';
  var list = document.getElementById('messages');
  var status = document.getElementById('status');
  var nameInput = document.getElementById('name');
  var textInput = document.getElementById('text');
  var seen = {};
  var lastId = 0;
  document.getElementById('room').textContent = '#' + room;
  if (REMEMBER) nameInput.value = localStorage.getItem('chat.name') || '';

  function show(m) {
    if (seen[m.id]) return;
    seen[m.id] = true;
    if (m.id > lastId) lastId = m.id;
    var li = document.createElement('li');
    var n = document.createElement('span');
    n.className = 'name';
    n.textContent = m.name;
    var tx = document.createElement('span');
    tx.className = 'text';
    tx.textContent = m.text;
    li.appendChild(n);
    li.appendChild(tx);
    if (SHOW_TIMES) {
      var tm = document.createElement('span');
      tm.className = 'time';
      tm.textContent = new Date(m.at).toLocaleTimeString();
      li.appendChild(tm);
    }
    list.appendChild(li);
    list.scrollTop = list.scrollHeight;
  }
  function problem(text) { status.textContent = text; }

  function load() {
    return fetch('api/messages?room=' + encodeURIComponent(room) + '&after=' + lastId + '&limit=100')
      .then(function (r) { if (!r.ok) throw new Error('HTTP ' + r.status); return r.json(); })
      .then(function (b) { b.messages.forEach(show); problem(''); })
      .catch(function (e) { problem('Could not load messages: ' + e.message); });
  }
  load().then(function () {
    var es = new EventSource('api/stream?room=' + encodeURIComponent(room));
    es.onmessage = function (ev) { show(JSON.parse(ev.data)); problem(''); };
    es.onerror = function () { problem('Live updates interrupted; retrying...'); };
  });

  document.getElementById('form').addEventListener('submit', function (ev) {
    ev.preventDefault();
    var name = nameInput.value.trim(), text = textInput.value;
    if (!name || !text.trim()) return;
    if (REMEMBER) localStorage.setItem('chat.name', name);
    var clientId = Date.now().toString(36) + '-' + Math.random().toString(36).slice(2);
    var button = document.getElementById('send');
    button.disabled = true;
    fetch('api/messages', { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ room: room, name: name, text: text, clientId: clientId }) })
      .then(function (r) {
        return r.text().then(function (body) {
          if (!r.ok) { var msg = 'HTTP ' + r.status; try { msg += ': ' + JSON.parse(body).error.message; } catch (e) {} throw new Error(msg); }
          show(JSON.parse(body).message);
          textInput.value = '';
          problem('');
        });
      })
      .catch(function (e) { problem('Could not send: ' + e.message); })
      .then(function () { button.disabled = false; });
  });
})();
</script>
</body>
</html>
`;
}

export function startFrontend(traits: FrontendTraits): void {
  const config = readConfig<Config>();
  attachToParent();
  const html = page(config.release, traits);
  const server = createServer((req, res) => {
    const path = new URL(req.url ?? '/', 'http://frontend').pathname;
    if (req.method !== 'GET' && req.method !== 'HEAD') {
      res.writeHead(405, { 'content-type': 'text/plain; charset=utf-8' });
      return res.end('method not allowed\n');
    }
    if (path === '/' || path === '/index.html') {
      res.writeHead(200, { 'content-type': 'text/html; charset=utf-8', 'cache-control': 'no-store', 'x-content-type-options': 'nosniff' });
      return res.end(req.method === 'HEAD' ? undefined : html);
    }
    res.writeHead(404, { 'content-type': 'text/plain; charset=utf-8' });
    res.end('not found\n');
  });
  server.listen(config.port, '127.0.0.1', () => {
    log('INFO', `frontend ${config.release} listening on 127.0.0.1:${config.port}`);
    ready(config.port);
  });
  server.on('error', (err) => {
    log('ERROR', `cannot listen: ${err.message}`);
    process.exit(1);
  });
}
