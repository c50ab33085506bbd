/**
 * Scripts the recorder runs inside the site's page, kept as plain JavaScript text: the page gets
 * exactly this code (no build helpers), and it never sees a password (password fields record no value).
 */

/** Shared helpers: the selectors that find an element, best first (test ids, ids, labels, roles). */
const HELPERS = String.raw`
  const esc = (value) => String(value).replace(/["\\]/g, '\\$&');
  const looksGenerated = (value) => /\d{3,}|[a-f0-9]{6,}|^[a-z]{1,3}-[A-Za-z0-9_-]{4,}$|__/.test(value);
  const TEST_IDS = ['data-testid', 'data-test-id', 'data-test', 'data-qa'];
  const describe = (element) => {
    const tag = element.tagName.toLowerCase();
    const selectors = [];
    for (const name of TEST_IDS) {
      const value = element.getAttribute(name);
      if (value) selectors.push('[' + name + '="' + esc(value) + '"]');
    }
    if (element.id && !looksGenerated(element.id)) selectors.push('#' + CSS.escape(element.id));
    const label = element.getAttribute('aria-label');
    if (label) selectors.push(tag + '[aria-label="' + esc(label) + '"]');
    const name = element.getAttribute('name');
    if (name) selectors.push(tag + '[name="' + esc(name) + '"]');
    const placeholder = element.getAttribute('placeholder');
    if (placeholder) selectors.push(tag + '[placeholder="' + esc(placeholder) + '"]');
    const type = element.getAttribute('type');
    if (tag === 'input' && type) selectors.push('input[type="' + esc(type) + '"]');
    const role = element.getAttribute('role') || (tag === 'button' ? 'button' : '');
    const text = (element.innerText || '').trim();
    if (role && text && text.length <= 40) selectors.push('role=' + role + '[name="' + esc(text) + '"]');
    if (tag === 'button' && type === 'submit') selectors.push('button[type="submit"]');
    selectors.push(tag);
    return { tag, ...(type ? { type } : {}), selectors };
  };
`;

/** Installed before every document: records clicks, typing, choices and file picks in sessionStorage. */
export const RECORD_EVENTS_SCRIPT = `(() => {
  if (window.__wcgRecorder) return;
  Object.defineProperty(window, '__wcgRecorder', { value: true });
  ${HELPERS}
  const KEY = '__wcg_recording';
  const push = (event) => {
    try {
      const list = JSON.parse(sessionStorage.getItem(KEY) || '[]');
      list.push({ ...event, url: location.href });
      sessionStorage.setItem(KEY, JSON.stringify(list));
    } catch {}
  };
  const ACTIONABLE = 'button, a, [role=button], [role=option], [role=menuitem], input, select, textarea, summary, label';
  document.addEventListener('click', (event) => {
    const target = event.target instanceof Element ? event.target.closest(ACTIONABLE) : null;
    if (target) push({ kind: 'click', target: describe(target) });
  }, true);
  document.addEventListener('change', (event) => {
    const target = event.target;
    if (!(target instanceof Element)) return;
    if (target instanceof HTMLInputElement && target.type === 'file') {
      push({ kind: 'file', target: describe(target), value: String(target.files ? target.files.length : 0) });
    } else if (target instanceof HTMLSelectElement) {
      push({ kind: 'change', target: describe(target), value: target.value });
    }
  }, true);
  document.addEventListener('input', (event) => {
    const target = event.target;
    if (!(target instanceof HTMLElement)) return;
    const secret = target instanceof HTMLInputElement && target.type === 'password';
    const value = secret ? '' : ('value' in target ? String(target.value) : target.innerText);
    push({ kind: 'input', target: describe(target), value });
  }, true);
  document.addEventListener('keydown', (event) => {
    if (event.key !== 'Enter' || event.shiftKey || !(event.target instanceof HTMLElement)) return;
    push({ kind: 'enter', target: describe(event.target) });
  }, true);
})();`;

/** Reads the events recorded in this tab. */
export const READ_EVENTS_EXPRESSION = `JSON.parse(sessionStorage.getItem('__wcg_recording') || '[]')`;

/**
 * An expression that finds, in the final page: the element holding the reply (the deepest one
 * containing the whole reply text), a selector that matches it and earlier replies but never the
 * person's own message, and the model picker's options.
 */
export function analysePageExpression(args: {
  prompt: string;
  replyText: string;
  model?: string;
  threadId?: string;
}): string {
  return String.raw`(() => {
    ${HELPERS}
    const args = ${JSON.stringify(args)};
    const norm = (text) => String(text || '').replace(/\s+/g, ' ').trim();
    const reply = norm(args.replyText);
    const head = reply.slice(0, 24);
    const tail = reply.slice(-24);
    const found = {};
    const all = [...document.querySelectorAll('body *')].filter((el) => !['SCRIPT', 'STYLE'].includes(el.tagName));
    const holds = all.filter((el) => { const t = norm(el.innerText); return t.includes(head) && t.includes(tail) && !t.includes(args.prompt); });
    const deepest = holds.filter((el) => !holds.some((other) => other !== el && el.contains(other)));
    const target = deepest[deepest.length - 1];
    if (target) {
      const own = describe(target).selectors.filter((s) => !s.startsWith('role=') && s !== target.tagName.toLowerCase());
      const ownOptions = own.length > 0 ? own : [target.tagName.toLowerCase()];
      const works = (selector) => {
        let matches;
        try { matches = [...document.querySelectorAll(selector)]; } catch { return false; }
        return matches.includes(target) && !matches.some((m) => norm(m.innerText).includes(args.prompt));
      };
      outer: for (const base of ownOptions) {
        if (works(base)) { found.reply = base; break; }
        for (let ancestor = target.parentElement; ancestor && ancestor !== document.body; ancestor = ancestor.parentElement) {
          const qualifiers = [];
          for (const attr of ancestor.attributes) {
            if (attr.name === 'class') {
              for (const token of attr.value.split(/\s+/)) if (token && !looksGenerated(token)) qualifiers.push('.' + CSS.escape(token));
            } else if ((attr.name.startsWith('data-') || attr.name === 'role') && attr.value && !looksGenerated(attr.value)) {
              qualifiers.push('[' + attr.name + '="' + esc(attr.value) + '"]');
            }
          }
          for (const qualifier of qualifiers) {
            const selector = qualifier + ' ' + base;
            if (works(selector)) { found.reply = selector; break outer; }
          }
        }
      }
    }
    if (args.model) {
      for (const select of document.querySelectorAll('select')) {
        const values = [...select.options].map((o) => o.value);
        if (values.includes(args.model)) {
          const selector = describe(select).selectors[0];
          found.modelOption = { selector: selector + ' option', idAttribute: 'value' };
          break;
        }
      }
    }
    if (args.threadId) {
      // A list entry that carries the thread id, with a delete control inside it.
      for (const holder of all) {
        const attr = [...holder.attributes].find((a) => a.value === args.threadId && a.name !== 'href');
        if (!attr) continue;
        const control = [...holder.querySelectorAll('button, [role=button], a')].find((el) =>
          /delete|remove|trash/i.test([el.getAttribute('aria-label'), el.getAttribute('title'), el.getAttribute('data-testid'), el.innerText].join(' ')));
        if (!control) continue;
        const inner = describe(control).selectors.find((s) => !s.startsWith('role=')) || 'button';
        found.deleteThread = { holder: '[' + attr.name + '="{{threadId}}"]', control: inner };
        break;
      }
    }
    return found;
  })()`;
}
