/** The page shell every dashboard page shares (head, navigation, sign-out) and the sign-in page. */
import type { DashboardAssets } from './assets.ts';
import { html, type SafeHtml } from './html.ts';
import { CSRF_HEADER } from './sessions.ts';

export type Section = 'overview' | 'users' | 'accounts' | 'requests' | 'audit';

const NAV: Array<[Section, string, string]> = [
  ['overview', 'Overview', '/admin'],
  ['users', 'Users', '/admin/users'],
  ['accounts', 'Accounts', '/admin/accounts'],
  ['requests', 'Requests', '/admin/requests'],
  ['audit', 'Audit log', '/admin/audit'],
];

// htmx without eval (no `hx-on`, no `js:` values) and without its injected indicator styles.
const HTMX_CONFIG = '{"allowEval":false,"includeIndicatorStyles":false,"allowScriptTags":false}';

function head(assets: DashboardAssets, title: string): SafeHtml {
  return html`<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="referrer" content="same-origin">
<meta name="htmx-config" content="${HTMX_CONFIG}">
<title>${title} · webchat-gateway</title>
<link rel="stylesheet" href="${assets.url('uPlot.min.css')}">
<link rel="stylesheet" href="${assets.url('dashboard.css')}">
<script src="${assets.url('htmx.min.js')}" defer></script>
<script src="${assets.url('uPlot.iife.min.js')}" defer></script>
<script src="${assets.url('dashboard.js')}" defer></script>`;
}

export interface PageOptions {
  assets: DashboardAssets;
  section: Section;
  title: string;
  csrfToken: string;
  body: SafeHtml;
}

/** A signed-in page: every htmx request from it carries the session's CSRF token and sends JSON. */
export function page(options: PageOptions): string {
  const headers = JSON.stringify({ [CSRF_HEADER]: options.csrfToken });
  return html`<!doctype html>
<html lang="en">
<head>${head(options.assets, options.title)}</head>
<body hx-ext="json-form" hx-headers="${headers}">
<header class="top">
  <a class="brand" href="/admin">webchat-gateway</a>
  <nav aria-label="Sections">
    ${NAV.map(
      ([section, label, href]) =>
        html`<a href="${href}"${section === options.section ? html` aria-current="page"` : ''}>${label}</a>`,
    )}
  </nav>
  <button class="small sign-out" hx-post="/admin/sign-out" data-testid="sign-out">Sign out</button>
</header>
<main>
${options.body}
</main>
</body>
</html>`.text;
}

/** The sign-in form; `error` says why the last attempt failed. */
export function signInPage(assets: DashboardAssets, error?: string): string {
  return html`<!doctype html>
<html lang="en">
<head>${head(assets, 'Sign in')}</head>
<body hx-ext="json-form">
<main>
  <div class="panel sign-in">
    <h1>webchat-gateway</h1>
    ${signInForm(error)}
  </div>
</main>
</body>
</html>`.text;
}

export function signInForm(error?: string): SafeHtml {
  // method/action: should the script not run, the browser posts the token (refused, 415) rather
  // than putting it in the address as a GET form would.
  return html`<form method="post" action="/admin/sign-in" hx-post="/admin/sign-in" hx-swap="outerHTML" data-testid="sign-in-form">
  <p class="muted">Sign in with the gateway's admin token.</p>
  ${error ? html`<div class="notice bad" role="alert" data-testid="sign-in-error">${error}</div>` : ''}
  <label for="token">Admin token</label>
  <input id="token" name="token" type="password" autocomplete="current-password" required autofocus>
  <button class="primary" type="submit">Sign in</button>
</form>`;
}
