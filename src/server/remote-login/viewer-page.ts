const PAGE_HEAD = `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>Remote login</title>`;

/** JSON safe to inline in a <script>. */
function scriptJson(value: object): string {
  return JSON.stringify(value).replace(/</g, '\\u003c');
}

/**
 * The page a person opens to log an account in: the account's browser page drawn on a canvas,
 * with mouse, wheel, keyboard and paste sent back. Plain HTML and JS, no build step.
 */
export function viewerPageHtml(options: { accountId: string; socketPath: string }): string {
  const config = scriptJson(options);
  return `${PAGE_HEAD}
<style>
  body { margin: 0; font: 14px/1.4 system-ui, sans-serif; background: #1f2328; color: #e6edf3; }
  header { display: flex; gap: 12px; align-items: center; padding: 8px 12px; background: #2d333b; }
  header .url { flex: 1; opacity: .8; overflow: hidden; text-overflow: ellipsis; white-space: nowrap; }
  button { font: inherit; padding: 6px 12px; border-radius: 6px; border: 0; background: #2f81f7; color: #fff; cursor: pointer; }
  canvas { display: block; max-width: 100%; margin: 0 auto; outline: none; cursor: default; background: #fff; }
  #status { min-width: 12ch; }
</style>
</head>
<body>
<header>
  <strong id="account"></strong>
  <span class="url" id="url"></span>
  <span id="status" data-testid="viewer-status">connecting…</span>
  <button type="button" id="done" data-testid="viewer-done">I'm logged in — save the session</button>
</header>
<canvas id="screen" data-testid="viewer-screen" tabindex="0" data-frames="0" width="1280" height="800"></canvas>
<script>
(() => {
  const config = ${config};
  const canvas = document.getElementById('screen');
  const context = canvas.getContext('2d');
  const status = document.getElementById('status');
  document.getElementById('account').textContent = config.accountId;
  let page = { width: 1280, height: 800 };
  let socket;
  let frames = 0;
  const send = (message) => { if (socket && socket.readyState === 1) socket.send(JSON.stringify(message)); };

  function connect() {
    const scheme = location.protocol === 'https:' ? 'wss:' : 'ws:';
    socket = new WebSocket(scheme + '//' + location.host + config.socketPath);
    socket.onopen = () => { status.textContent = 'live'; };
    socket.onclose = () => { status.textContent = 'disconnected, retrying…'; setTimeout(connect, 1000); };
    socket.onmessage = (event) => {
      const message = JSON.parse(event.data);
      if (message.type === 'frame') {
        const image = new Image();
        image.onload = () => {
          if (canvas.width !== image.width || canvas.height !== image.height) {
            canvas.width = image.width;
            canvas.height = image.height;
          }
          context.drawImage(image, 0, 0);
          page = { width: message.width, height: message.height };
          canvas.dataset.frames = String(++frames);
          canvas.dataset.pageWidth = String(page.width);
          canvas.dataset.pageHeight = String(page.height);
        };
        image.src = 'data:image/jpeg;base64,' + message.data;
        document.getElementById('url').textContent = message.url;
      } else if (message.type === 'saved') {
        status.textContent = 'session saved';
      } else if (message.type === 'error') {
        status.textContent = message.message;
      }
    };
  }

  const modifiers = (e) => (e.altKey ? 1 : 0) | (e.ctrlKey ? 2 : 0) | (e.metaKey ? 4 : 0) | (e.shiftKey ? 8 : 0);
  const point = (e) => {
    const box = canvas.getBoundingClientRect();
    return { x: ((e.clientX - box.left) / box.width) * page.width, y: ((e.clientY - box.top) / box.height) * page.height };
  };
  const buttons = ['left', 'middle', 'right'];
  canvas.addEventListener('mousedown', (e) => {
    canvas.focus();
    send({ type: 'mouse', action: 'down', ...point(e), button: buttons[e.button] || 'left', clickCount: e.detail || 1, modifiers: modifiers(e) });
    e.preventDefault();
  });
  canvas.addEventListener('mouseup', (e) => {
    send({ type: 'mouse', action: 'up', ...point(e), button: buttons[e.button] || 'left', clickCount: e.detail || 1, modifiers: modifiers(e) });
  });
  let lastMove = 0;
  canvas.addEventListener('mousemove', (e) => {
    const now = performance.now();
    if (now - lastMove < 30) return;
    lastMove = now;
    send({ type: 'mouse', action: 'move', ...point(e), modifiers: modifiers(e) });
  });
  canvas.addEventListener('wheel', (e) => {
    send({ type: 'mouse', action: 'wheel', ...point(e), deltaX: e.deltaX, deltaY: e.deltaY, modifiers: modifiers(e) });
    e.preventDefault();
  }, { passive: false });
  canvas.addEventListener('contextmenu', (e) => e.preventDefault());
  canvas.addEventListener('keydown', (e) => {
    if ((e.ctrlKey || e.metaKey) && e.key === 'v') return; // let the paste event carry the text
    send({ type: 'key', action: 'down', key: e.key, code: e.code, modifiers: modifiers(e) });
    e.preventDefault();
  });
  canvas.addEventListener('keyup', (e) => {
    send({ type: 'key', action: 'up', key: e.key, code: e.code, modifiers: modifiers(e) });
    e.preventDefault();
  });
  canvas.addEventListener('paste', (e) => {
    send({ type: 'text', text: e.clipboardData.getData('text') });
    e.preventDefault();
  });
  document.getElementById('done').addEventListener('click', () => send({ type: 'done' }));
  connect();
})();
</script>
</body>
</html>`;
}

/**
 * What the viewer address shows without a ticket: a form that sends the admin key in a header
 * (`POST …/ticket`) and opens the one-time page address it gets back. The key stays out of URLs,
 * history and logs.
 */
export function keyFormHtml(options: { ticketPath: string }): string {
  const config = scriptJson(options);
  return `${PAGE_HEAD}
<style>
  body { font: 14px/1.4 system-ui, sans-serif; background: #1f2328; color: #e6edf3; display: grid; place-items: center; min-height: 90vh; }
  form { display: flex; gap: 8px; } input { font: inherit; padding: 6px; min-width: 28ch; }
  button { font: inherit; padding: 6px 12px; border-radius: 6px; border: 0; background: #2f81f7; color: #fff; }
</style>
</head>
<body>
<form id="form">
  <input id="key" data-testid="admin-key" type="password" autocomplete="off" placeholder="Admin API key" required>
  <button type="submit">Open viewer</button>
  <output id="status"></output>
</form>
<script>
(() => {
  const config = ${config};
  document.getElementById('form').addEventListener('submit', async (event) => {
    event.preventDefault();
    const response = await fetch(config.ticketPath, {
      method: 'POST',
      headers: { authorization: 'Bearer ' + document.getElementById('key').value },
    });
    if (!response.ok) { document.getElementById('status').textContent = 'refused (' + response.status + ')'; return; }
    location.replace((await response.json()).url);
  });
})();
</script>
</body>
</html>`;
}
