// A deliberately small, safe markdown renderer. Everything is HTML-escaped first; then fenced code
// blocks, inline code and bold are recognised. Newlines stay literal characters (the container uses
// `white-space: pre-wrap`), so an element's textContent is the reply text minus the markup. An
// unterminated fence (mid-stream) still renders as code.

const ESCAPES = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' };

export function escapeHtml(text) {
  return text.replace(/[&<>"']/g, (ch) => ESCAPES[ch]);
}

function renderInline(text) {
  const parts = escapeHtml(text).split(/(`[^`\n]+`)/g);
  return parts
    .map((part, index) => {
      if (index % 2 === 1) return `<code>${part.slice(1, -1)}</code>`;
      return part.replace(/\*\*([^*\n]+)\*\*/g, '<strong>$1</strong>');
    })
    .join('');
}

function renderCode(language, code) {
  const lang = language ? ` data-lang="${escapeHtml(language)}"` : '';
  return `<div class="code-block"${lang}><pre><code>${escapeHtml(code)}</code></pre></div>`;
}

export function renderMarkdown(text) {
  const out = [];
  const fence = /```([^\n`]*)\n?/g;
  let position = 0;
  for (;;) {
    const open = fence.exec(text);
    if (!open) break;
    const prose = text.slice(position, open.index).replace(/\n$/, '');
    if (prose) out.push(renderInline(prose));
    const bodyStart = open.index + open[0].length;
    const close = text.indexOf('```', bodyStart);
    const end = close === -1 ? text.length : close;
    out.push(renderCode(open[1].trim(), text.slice(bodyStart, end).replace(/\n$/, '')));
    position = close === -1 ? text.length : close + 3;
    if (text[position] === '\n') position++;
    fence.lastIndex = position;
  }
  out.push(renderInline(text.slice(position)));
  return out.join('');
}
