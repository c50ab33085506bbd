/**
 * The dashboard's one escaping helper. Pages are built with the `html` tagged template: every
 * interpolated value is HTML-escaped unless it is already `SafeHtml` (the result of another `html`
 * call); arrays are joined. A user named `<img src=x onerror=alert(1)>` can only ever render as text.
 */
const SAFE = Symbol('safe-html');

export interface SafeHtml {
  readonly [SAFE]: true;
  readonly text: string;
}

type Value = SafeHtml | string | number | boolean | null | undefined | readonly Value[];

const ESCAPES: Record<string, string> = {
  '&': '&amp;',
  '<': '&lt;',
  '>': '&gt;',
  '"': '&quot;',
  "'": '&#39;',
  '`': '&#96;',
};

export function escapeHtml(value: string): string {
  return value.replace(/[&<>"'`]/g, (c) => ESCAPES[c] ?? c);
}

const safe = (text: string): SafeHtml => ({ [SAFE]: true, text });

function render(value: Value): string {
  if (value === null || value === undefined || value === false) return '';
  if (Array.isArray(value)) return value.map(render).join('');
  if (typeof value === 'object' && SAFE in value) return (value as SafeHtml).text;
  return escapeHtml(String(value));
}

export function html(strings: TemplateStringsArray, ...values: Value[]): SafeHtml {
  let out = strings[0] ?? '';
  for (let i = 0; i < values.length; i++) out += render(values[i]) + (strings[i + 1] ?? '');
  return safe(out);
}

/**
 * Data for the page's scripts, in a `<script type="application/json">` element. JSON alone does not
 * keep `</script>` out; escaping `<`, `>` and `&` as unicode escapes does.
 */
export function jsonScript(id: string, data: unknown): SafeHtml {
  const json = JSON.stringify(data).replace(/[<>&\u2028\u2029]/g, (c) => {
    return `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`;
  });
  return safe(`<script type="application/json" id="${escapeHtml(id)}">${json}</script>`);
}
