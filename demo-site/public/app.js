import { renderMarkdown } from './markdown.js';

// Demo Chat web UI: plain ES module, no build step. Streams replies over SSE-over-fetch (`/api/chat`),
// or over the WebSocket transport when the page URL has `?transport=ws`.

const csrfToken = document.querySelector('meta[name="csrf-token"]').content;
const transport = new URLSearchParams(location.search).get('transport') === 'ws' ? 'ws' : 'sse';

const $ = (id) => document.getElementById(id);
const els = {
  sidebar: $('sidebar'),
  threadList: $('thread-list'),
  newChat: $('new-chat'),
  logout: $('logout'),
  modelPicker: $('model-picker'),
  title: $('thread-title'),
  banner: $('banner'),
  conversation: $('conversation'),
  emptyState: $('empty-state'),
  systemPrompt: $('system-prompt'),
  systemPromptBox: $('system-prompt-box'),
  messages: $('message-list'),
  composer: $('composer'),
  input: $('composer-input'),
  attachments: $('attachments'),
  attach: $('attach-button'),
  fileInput: $('file-input'),
  send: $('send-button'),
  stop: $('stop-button'),
  transportBadge: $('transport-badge'),
};

const state = {
  models: [],
  threads: [],
  threadId: null,
  /** { view, messageId, abort } while a reply streams */
  generating: null,
  /** [{ key, name, size, status, file? }] */
  attachments: [],
};

class ApiError extends Error {
  constructor(status, code, message) {
    super(message);
    this.status = status;
    this.code = code;
  }
}

async function readError(res) {
  const body = await res.json().catch(() => null);
  const code = body?.error?.code ?? 'http_error';
  const message = body?.error?.message ?? `Request failed (${res.status}).`;
  if (res.status === 401) location.href = '/login';
  if (code === 'challenge') location.reload();
  return new ApiError(res.status, code, message);
}

async function api(path, { method = 'GET', body, form } = {}) {
  const headers = {};
  if (method !== 'GET') headers['x-csrf-token'] = csrfToken;
  if (body !== undefined) headers['content-type'] = 'application/json';
  const res = await fetch(path, {
    method,
    headers,
    body: form ?? (body === undefined ? undefined : JSON.stringify(body)),
    credentials: 'same-origin',
  });
  if (!res.ok) throw await readError(res);
  return res.status === 204 ? null : res.json();
}

// ---------- small UI helpers ----------

let bannerTimer;
function showBanner(message) {
  els.banner.textContent = message;
  els.banner.hidden = false;
  clearTimeout(bannerTimer);
  bannerTimer = setTimeout(() => {
    els.banner.hidden = true;
  }, 8000);
}

function el(tag, attrs = {}, children = []) {
  const node = document.createElement(tag);
  for (const [key, value] of Object.entries(attrs)) {
    if (value === undefined || value === null || value === false) continue;
    if (key === 'class') node.className = value;
    else if (key === 'text') node.textContent = value;
    else node.setAttribute(key, value === true ? '' : String(value));
  }
  for (const child of children) if (child) node.append(child);
  return node;
}

function formatSize(bytes) {
  if (bytes < 1024) return `${bytes} B`;
  if (bytes < 1024 * 1024) return `${(bytes / 1024).toFixed(1)} KB`;
  return `${(bytes / 1024 / 1024).toFixed(1)} MB`;
}

function nearBottom() {
  const c = els.conversation;
  return c.scrollHeight - c.scrollTop - c.clientHeight < 120;
}

function scrollToBottom() {
  els.conversation.scrollTop = els.conversation.scrollHeight;
}

function currentModel() {
  return state.models.find((m) => m.id === els.modelPicker.value);
}

function autoGrow() {
  els.input.style.height = 'auto';
  els.input.style.height = `${Math.min(els.input.scrollHeight, 240)}px`;
}

// ---------- messages ----------

function fileChip(fileId, name) {
  const chip = el('a', { class: 'file-chip', href: `/api/files/${fileId}/content`, target: '_blank' });
  chip.append(el('img', { src: `/api/files/${fileId}/content`, alt: '', loading: 'lazy' }));
  chip.append(el('span', { class: 'file-chip-name', text: name ?? 'attachment' }));
  chip.querySelector('img').addEventListener('error', (event) => event.target.remove());
  return chip;
}

/** One message in the list; assistant views are updated as frames arrive. */
function createMessageView({
  role,
  status = 'complete',
  text = '',
  thinking,
  toolCalls,
  fileIds,
  fileNames,
  model,
}) {
  const root = el('div', {
    class: `message ${role}`,
    'data-testid': 'message',
    'data-role': role,
    'data-status': status,
  });
  const body = el('div', { class: 'message-body' });
  const textEl = el('div', { class: 'message-text', 'data-testid': 'message-text' });
  let thinkingEl = null;
  let thinkingText = '';
  let toolsEl = null;
  let fullText = text;
  const footer = el('div', { class: 'message-footer' });

  if (role === 'assistant') {
    root.append(el('div', { class: 'avatar bot-avatar', 'aria-hidden': 'true' }));
  }
  if (fileIds?.length) {
    const files = el('div', { class: 'message-files' });
    fileIds.forEach((id, i) => {
      files.append(fileChip(id, fileNames?.[i]));
    });
    body.append(files);
  }
  body.append(textEl);
  if (role === 'assistant') body.append(footer);
  root.append(body);

  const ensureThinking = () => {
    if (thinkingEl) return;
    thinkingEl = el('details', { class: 'thinking', 'data-testid': 'thinking', open: true });
    const summary = el('summary', { 'data-testid': 'thinking-summary' }, [el('span', { text: 'Thinking…' })]);
    thinkingEl.append(summary, el('div', { class: 'thinking-text', 'data-testid': 'thinking-text' }));
    body.insertBefore(thinkingEl, textEl);
  };
  const renderText = () => {
    textEl.innerHTML = renderMarkdown(fullText);
  };
  const addToolCall = (call) => {
    if (!toolsEl) {
      toolsEl = el('div', { class: 'tool-calls' });
      body.insertBefore(toolsEl, footer);
    }
    let args = call.arguments;
    try {
      args = JSON.stringify(JSON.parse(call.arguments), null, 2);
    } catch {}
    toolsEl.append(
      el('div', { class: 'tool-call', 'data-testid': 'tool-call', 'data-tool-name': call.name }, [
        el('div', { class: 'tool-call-head', text: `Tool call · ${call.name}` }),
        el('pre', { text: args }),
      ]),
    );
  };
  const setFooter = (note) => {
    footer.replaceChildren();
    if (model) footer.append(el('span', { class: 'model-tag', text: model }));
    if (note) footer.append(el('span', { class: 'note', text: note }));
    if (fullText) {
      const copy = el('button', { type: 'button', class: 'link-btn', text: 'Copy' });
      copy.addEventListener('click', () => {
        navigator.clipboard?.writeText(fullText).then(() => {
          copy.textContent = 'Copied';
          setTimeout(() => {
            copy.textContent = 'Copy';
          }, 1200);
        });
      });
      footer.append(copy);
    }
  };

  if (thinking) {
    ensureThinking();
    thinkingText = thinking;
    thinkingEl.querySelector('.thinking-text').textContent = thinking;
    thinkingEl.querySelector('summary span').textContent = 'Thoughts';
  }
  for (const call of toolCalls ?? []) addToolCall(call);
  renderText();
  if (role === 'assistant' && status !== 'streaming') {
    setFooter(status === 'stopped' ? 'Stopped' : status === 'error' ? 'Failed' : '');
  }

  return {
    root,
    messageId: null,
    appendThinking(delta) {
      ensureThinking();
      thinkingText += delta;
      thinkingEl.querySelector('.thinking-text').textContent = thinkingText;
    },
    appendText(delta) {
      if (thinkingEl) thinkingEl.querySelector('summary span').textContent = 'Thoughts';
      fullText += delta;
      renderText();
    },
    addToolCall,
    /** Forget streamed content before a full replay. */
    reset() {
      fullText = '';
      thinkingText = '';
      thinkingEl?.remove();
      thinkingEl = null;
      toolsEl?.remove();
      toolsEl = null;
      renderText();
    },
    finish(status, note) {
      if (thinkingEl) thinkingEl.querySelector('summary span').textContent = 'Thoughts';
      renderText();
      setFooter(note);
      root.dataset.status = status;
    },
    fail(message) {
      if (!fullText) textEl.append(el('div', { class: 'error-text', text: message }));
      else footer.append(el('span', { class: 'error-text', text: message }));
      setFooter(message);
      root.dataset.status = 'error';
    },
  };
}

function appendMessage(view) {
  const stick = nearBottom();
  els.messages.append(view.root);
  els.emptyState.hidden = true;
  if (stick || view.root.dataset.role === 'user') scrollToBottom();
}

// ---------- threads ----------

function renderThreads() {
  els.threadList.replaceChildren();
  if (state.threads.length === 0) {
    els.threadList.append(el('p', { class: 'thread-empty', text: 'No chats yet' }));
  }
  for (const thread of state.threads) {
    const item = el('div', {
      class: `thread-item${thread.id === state.threadId ? ' active' : ''}`,
      'data-testid': 'thread-item',
      'data-thread-id': thread.id,
    });
    const open = el('button', {
      type: 'button',
      class: 'thread-open',
      title: thread.title,
      text: thread.title,
    });
    open.addEventListener('click', () => openThread(thread.id));
    const del = el('button', {
      type: 'button',
      class: 'thread-delete',
      'data-testid': 'delete-thread',
      title: 'Delete chat',
      'aria-label': `Delete ${thread.title}`,
    });
    del.innerHTML =
      '<svg viewBox="0 0 24 24" aria-hidden="true"><path d="M5 7h14M10 11v6M14 11v6M6 7l1 12a2 2 0 0 0 2 2h6a2 2 0 0 0 2-2l1-12M9 7V4h6v3"/></svg>';
    del.addEventListener('click', (event) => {
      event.stopPropagation();
      deleteThread(thread.id);
    });
    item.append(open, del);
    els.threadList.append(item);
  }
}

async function refreshThreads() {
  try {
    state.threads = (await api('/api/threads')).threads;
    renderThreads();
    const current = state.threads.find((t) => t.id === state.threadId);
    if (current) els.title.textContent = current.title;
  } catch (error) {
    showBanner(error.message);
  }
}

function setTitle(text) {
  els.title.textContent = text;
  document.title = text === 'New chat' ? 'Demo Chat' : `${text} · Demo Chat`;
}

// With the site's storageThreadId option the open chat's id lives only in sessionStorage (like apps
// that keep it in page state), never in the URL.
const THREAD_STORAGE_KEY = 'demo.chatId';
const threadInStorage = document.querySelector('meta[name="thread-storage"]')?.content === 'session';

function showThreadId(id) {
  if (threadInStorage) {
    if (id) sessionStorage.setItem(THREAD_STORAGE_KEY, id);
    else sessionStorage.removeItem(THREAD_STORAGE_KEY);
    return;
  }
  history.replaceState(
    null,
    '',
    id ? `${location.pathname}${location.search}#${id}` : location.pathname + location.search,
  );
}

function newChat() {
  state.threadId = null;
  showThreadId(null);
  els.messages.replaceChildren();
  els.emptyState.hidden = false;
  els.systemPrompt.value = '';
  setTitle('New chat');
  renderThreads();
  els.input.focus();
}

async function openThread(id) {
  try {
    const { thread, messages } = await api(`/api/threads/${encodeURIComponent(id)}`);
    state.threadId = thread.id;
    showThreadId(thread.id);
    setTitle(thread.title);
    if (state.models.some((m) => m.id === thread.model)) els.modelPicker.value = thread.model;
    updateCapabilities();
    els.messages.replaceChildren();
    els.emptyState.hidden = messages.length > 0;
    for (const message of messages) {
      const view = createMessageView({
        ...message,
        model: message.role === 'assistant' ? thread.model : undefined,
      });
      els.messages.append(view.root);
      if (message.status === 'streaming' && transport === 'ws') resume(view, message.id);
    }
    renderThreads();
    scrollToBottom();
  } catch (error) {
    if (error.code === 'thread_not_found') newChat();
    else showBanner(error.message);
  }
}

async function deleteThread(id) {
  try {
    await api(`/api/threads/${encodeURIComponent(id)}`, { method: 'DELETE' });
    if (state.threadId === id) newChat();
    await refreshThreads();
  } catch (error) {
    showBanner(error.message);
  }
}

function startRename() {
  if (!state.threadId) return;
  const input = el('input', {
    class: 'title-input',
    value: els.title.textContent.trim(),
    'aria-label': 'Chat title',
  });
  els.title.replaceChildren(input);
  input.focus();
  input.select();
  const done = async (save) => {
    input.remove();
    const title = input.value.trim();
    if (save && title) {
      try {
        await api(`/api/threads/${encodeURIComponent(state.threadId)}`, { method: 'PATCH', body: { title } });
      } catch (error) {
        showBanner(error.message);
      }
    }
    await refreshThreads();
    setTitle(state.threads.find((t) => t.id === state.threadId)?.title ?? 'New chat');
  };
  input.addEventListener('keydown', (event) => {
    if (event.key === 'Enter') done(true);
    if (event.key === 'Escape') done(false);
  });
  input.addEventListener('blur', () => done(true), { once: true });
}

// ---------- models ----------

async function loadModels() {
  state.models = (await api('/api/models')).models;
  els.modelPicker.replaceChildren(
    ...state.models.map((model) => el('option', { value: model.id, text: `${model.name} (${model.id})` })),
  );
  const saved = localStorage.getItem('demo-chat-model');
  if (saved && state.models.some((m) => m.id === saved)) els.modelPicker.value = saved;
  updateCapabilities();
}

function updateCapabilities() {
  const model = currentModel();
  const files = Boolean(model?.capabilities.files);
  els.attach.disabled = !files;
  els.attach.title = files ? 'Attach files' : `${model?.name ?? 'This model'} does not take attachments`;
}

// ---------- attachments ----------

function renderAttachments() {
  els.attachments.replaceChildren(
    ...state.attachments.map((item) => {
      const chip = el('div', {
        class: `attachment-chip ${item.status}`,
        'data-testid': 'attachment-chip',
        'data-status': item.status,
        title: item.error ?? item.name,
      });
      if (item.preview) chip.append(el('img', { src: item.preview, alt: '' }));
      else
        chip.append(
          el('span', { class: 'file-icon', text: item.name.split('.').pop()?.slice(0, 4) ?? 'file' }),
        );
      const label = el('div', { class: 'chip-label' }, [
        el('span', { class: 'chip-name', text: item.name }),
        el('span', {
          class: 'chip-meta',
          text:
            item.status === 'uploading'
              ? 'Uploading…'
              : item.status === 'error'
                ? item.error
                : formatSize(item.size),
        }),
      ]);
      const remove = el('button', {
        type: 'button',
        class: 'chip-remove',
        'aria-label': `Remove ${item.name}`,
        text: '×',
      });
      remove.addEventListener('click', () => {
        state.attachments = state.attachments.filter((a) => a !== item);
        renderAttachments();
      });
      chip.append(label, remove);
      return chip;
    }),
  );
  els.attachments.hidden = state.attachments.length === 0;
  updateSendState();
}

async function uploadFiles(files) {
  for (const file of files) {
    const item = {
      key: crypto.randomUUID(),
      name: file.name,
      size: file.size,
      status: 'uploading',
      preview: file.type.startsWith('image/') ? URL.createObjectURL(file) : null,
    };
    state.attachments.push(item);
    renderAttachments();
    const form = new FormData();
    form.append('file', file, file.name);
    try {
      item.file = await api('/api/files', { method: 'POST', form });
      item.status = 'ready';
    } catch (error) {
      item.status = 'error';
      item.error = error.message;
    }
    renderAttachments();
  }
}

// ---------- sending and streaming ----------

function setGenerating(generating) {
  els.stop.hidden = !generating;
  els.send.hidden = generating;
  updateSendState();
}

function updateSendState() {
  const uploading = state.attachments.some((a) => a.status === 'uploading');
  const hasContent = els.input.value.trim() !== '' || state.attachments.some((a) => a.status === 'ready');
  els.send.disabled = Boolean(state.generating) || uploading || !hasContent;
}

/** Applies one stream frame (same names and payloads on both transports) to the assistant view. */
function applyFrame(gen, type, data) {
  const stick = nearBottom();
  switch (type) {
    case 'meta':
      gen.messageId = data.messageId ?? gen.messageId;
      if (!state.threadId && gen.view.root.isConnected) {
        state.threadId = data.threadId;
        showThreadId(data.threadId);
        refreshThreads();
      }
      break;
    case 'thinking':
      gen.view.appendThinking(data.delta);
      break;
    case 'text':
      gen.view.appendText(data.delta);
      break;
    case 'tool_call':
      gen.view.addToolCall(data);
      break;
    case 'done': {
      const note = data.stopped ? 'Stopped' : data.finishReason === 'length' ? 'Cut off at max tokens' : '';
      gen.view.finish(data.stopped ? 'stopped' : 'complete', note);
      endGeneration(gen);
      break;
    }
    case 'error':
      gen.view.fail(data.message ?? 'The reply failed.');
      endGeneration(gen);
      break;
  }
  if (stick) scrollToBottom();
}

function endGeneration(gen) {
  if (state.generating !== gen) return;
  state.generating = null;
  setGenerating(false);
  refreshThreads();
}

function parseSseEvent(raw) {
  let type = 'message';
  const data = [];
  for (const line of raw.split('\n')) {
    if (line.startsWith('event:')) type = line.slice(6).trim();
    else if (line.startsWith('data:')) data.push(line.slice(5).replace(/^ /, ''));
  }
  return { type, data: data.length ? JSON.parse(data.join('\n')) : {} };
}

async function streamSse(gen, body) {
  const controller = new AbortController();
  gen.abort = () => controller.abort();
  const res = await fetch('/api/chat', {
    method: 'POST',
    headers: { 'content-type': 'application/json', 'x-csrf-token': csrfToken },
    body: JSON.stringify(body),
    signal: controller.signal,
  });
  if (!res.ok) throw await readError(res);
  const reader = res.body.getReader();
  const decoder = new TextDecoder();
  let buffer = '';
  for (;;) {
    const { value, done } = await reader.read();
    if (done) break;
    buffer += decoder.decode(value, { stream: true }).replace(/\r\n/g, '\n');
    for (let cut = buffer.indexOf('\n\n'); cut !== -1; cut = buffer.indexOf('\n\n')) {
      const { type, data } = parseSseEvent(buffer.slice(0, cut));
      buffer = buffer.slice(cut + 2);
      applyFrame(gen, type, data);
    }
  }
  if (state.generating === gen) throw new Error('The connection closed before the reply finished.');
}

let socketPromise = null;
const wsHandlers = new Map();

function openSocket() {
  if (socketPromise) return socketPromise;
  socketPromise = new Promise((resolve, reject) => {
    const socket = new WebSocket(
      `${location.protocol === 'https:' ? 'wss' : 'ws'}://${location.host}/api/ws`,
    );
    socket.addEventListener('open', () => resolve(socket));
    socket.addEventListener('message', (event) => {
      const frame = JSON.parse(event.data);
      wsHandlers.get(frame.messageId)?.(frame);
    });
    socket.addEventListener('close', () => {
      socketPromise = null;
      for (const handler of wsHandlers.values())
        handler({ type: 'error', message: 'The connection was lost.' });
      wsHandlers.clear();
      reject(new Error('Could not connect.'));
    });
  });
  return socketPromise;
}

function subscribe(gen, messageId) {
  gen.messageId = messageId;
  wsHandlers.set(messageId, (frame) => {
    const { type, messageId: _id, ...data } = frame;
    if (type === 'done' || type === 'error') wsHandlers.delete(messageId);
    applyFrame(gen, type, data);
  });
  return openSocket().then((socket) => socket.send(JSON.stringify({ type: 'subscribe', messageId })));
}

async function streamWs(gen, body) {
  await openSocket();
  const accepted = await api('/api/messages', { method: 'POST', body });
  if (!state.threadId && gen.view.root.isConnected) {
    state.threadId = accepted.threadId;
    showThreadId(accepted.threadId);
    refreshThreads();
  }
  await subscribe(gen, accepted.messageId);
}

/** Re-attaches to a reply still streaming (WebSocket transport replays what was already sent). */
function resume(view, messageId) {
  const gen = { view, messageId, abort: null };
  state.generating = gen;
  setGenerating(true);
  view.reset();
  subscribe(gen, messageId).catch((error) => view.fail(error.message));
}

async function send() {
  const text = els.input.value;
  const ready = state.attachments.filter((a) => a.status === 'ready');
  if (state.generating || (!text.trim() && ready.length === 0)) return;
  if (state.attachments.some((a) => a.status === 'uploading')) return;
  const model = els.modelPicker.value;
  const body = { model, text };
  if (state.threadId) body.threadId = state.threadId;
  else if (els.systemPrompt.value.trim()) body.systemPrompt = els.systemPrompt.value;
  if (ready.length) body.fileIds = ready.map((a) => a.file.id);

  appendMessage(
    createMessageView({
      role: 'user',
      text,
      fileIds: body.fileIds,
      fileNames: ready.map((a) => a.name),
    }),
  );
  const view = createMessageView({ role: 'assistant', status: 'streaming', model });
  appendMessage(view);
  scrollToBottom();
  els.input.value = '';
  autoGrow();
  state.attachments = [];
  renderAttachments();

  const gen = { view, messageId: null, abort: null };
  state.generating = gen;
  setGenerating(true);
  try {
    await (transport === 'ws' ? streamWs(gen, body) : streamSse(gen, body));
  } catch (error) {
    if (state.generating === gen) {
      if (error.name === 'AbortError') gen.view.finish('stopped', 'Stopped');
      else {
        gen.view.fail(error.message);
        if (error.code && error.code !== 'http_error') showBanner(error.message);
      }
      endGeneration(gen);
    }
  }
}

async function stop() {
  const gen = state.generating;
  if (!gen) return;
  els.stop.disabled = true;
  try {
    if (gen.messageId)
      await api(`/api/messages/${encodeURIComponent(gen.messageId)}/stop`, { method: 'POST' });
    else gen.abort?.();
  } catch (error) {
    showBanner(error.message);
  } finally {
    els.stop.disabled = false;
  }
}

// ---------- wiring ----------

els.composer.addEventListener('submit', (event) => {
  event.preventDefault();
  send();
});
els.input.addEventListener('keydown', (event) => {
  if (event.key === 'Enter' && !event.shiftKey && !event.isComposing) {
    event.preventDefault();
    send();
  }
});
els.input.addEventListener('input', () => {
  autoGrow();
  updateSendState();
});
els.stop.addEventListener('click', stop);
els.newChat.addEventListener('click', newChat);
els.attach.addEventListener('click', () => els.fileInput.click());
els.fileInput.addEventListener('change', () => {
  const files = [...els.fileInput.files];
  els.fileInput.value = '';
  uploadFiles(files);
});
els.modelPicker.addEventListener('change', () => {
  localStorage.setItem('demo-chat-model', els.modelPicker.value);
  updateCapabilities();
});
els.title.addEventListener('dblclick', startRename);
els.logout.addEventListener('click', async () => {
  await api('/api/auth/logout', { method: 'POST' }).catch(() => {});
  location.href = '/login';
});
$('sidebar-toggle').addEventListener('click', () => document.body.classList.toggle('sidebar-open'));
for (const button of document.querySelectorAll('.suggestion')) {
  button.addEventListener('click', () => {
    els.input.value = button.dataset.prompt;
    autoGrow();
    updateSendState();
    els.input.focus();
  });
}
els.composer.addEventListener('dragover', (event) => {
  event.preventDefault();
  els.composer.classList.add('dragging');
});
els.composer.addEventListener('dragleave', () => els.composer.classList.remove('dragging'));
els.composer.addEventListener('drop', (event) => {
  event.preventDefault();
  els.composer.classList.remove('dragging');
  if (!els.attach.disabled && event.dataTransfer?.files.length) uploadFiles([...event.dataTransfer.files]);
});

for (const avatar of document.querySelectorAll('.user-avatar')) {
  avatar.textContent = avatar.textContent.trim().charAt(0).toUpperCase();
}
els.transportBadge.textContent = transport === 'ws' ? 'WebSocket' : 'SSE';
els.transportBadge.title = `Replies stream over ${transport === 'ws' ? 'a WebSocket' : 'server-sent events'}`;

async function init() {
  try {
    await loadModels();
    await refreshThreads();
    const fromHash = threadInStorage ? sessionStorage.getItem(THREAD_STORAGE_KEY) : location.hash.slice(1);
    if (fromHash) await openThread(fromHash);
    else newChat();
  } catch (error) {
    showBanner(error.message);
  }
  setGenerating(false);
  document.body.dataset.ready = 'true';
}

init();
