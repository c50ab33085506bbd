/**
 * The Accounts page: every pooled site account as the admin API sees it (`accountView`), with its
 * state in words, in-flight turns, the site's queue, the last probe and cooldowns per model, and the
 * buttons to check now, disable or enable, and log in.
 */
import type { AdmissionSnapshot } from '../../admission/admission.ts';
import type { AccountView } from '../account-admin-routes.ts';
import { badge, num, type Tone, time } from './format.ts';
import { html, type SafeHtml } from './html.ts';
import type { Notice } from './users-pages.ts';

/** The account's state as a person reads it, and its tone. */
export function accountState(view: AccountView): { tone: Tone; label: string } {
  switch (view.status) {
    case 'ok':
      return { tone: 'ok', label: 'healthy' };
    case 'disabled':
      return { tone: 'off', label: 'disabled' };
    case 'needs-login':
      return { tone: 'bad', label: 'needs login' };
    case 'banned':
      return { tone: 'bad', label: 'banned' };
    case 'cooling':
      return { tone: 'warn', label: 'cooling down' };
    case 'failing':
      return { tone: 'warn', label: 'failing' };
    default:
      return { tone: 'warn', label: view.status };
  }
}

/** Turns waiting for a slot of the account's site (admission queues are per site account). */
export function queuedFor(snapshot: AdmissionSnapshot | undefined, site: string): number {
  if (!snapshot) return 0;
  let queued = 0;
  for (const [account, state] of Object.entries(snapshot.accounts)) {
    if (account.startsWith(`${site}:`)) queued += state.queued;
  }
  return queued;
}

function probe(view: AccountView): SafeHtml {
  if (!view.session) return html`<span class="muted">no session probe</span>`;
  if (view.session.state === 'unknown') return html`<span class="muted">not probed yet</span>`;
  return html`<div>${view.session.state}<div class="muted">${time(view.session.checked_at)}</div></div>`;
}

function cooldowns(view: AccountView): SafeHtml {
  const now = Date.now();
  const entries = Object.entries(view.model_health).filter(([, state]) => state.status !== 'ok');
  if (entries.length === 0) return html`<span class="muted">none</span>`;
  return html`${entries.map(([model, state]) => {
    const cooling = state.status === 'cooling' && state.until !== null && Date.parse(state.until) > now;
    return html`<div><code>${model}</code> ${badge('warn', cooling ? `cooling until ${time(state.until)}` : state.status)}
  <div class="muted" style="font-size:0.8rem">${state.reason}</div></div>`;
  })}`;
}

function actions(view: AccountView): SafeHtml {
  const post = (action: string, label: string, extra: SafeHtml | string = '') =>
    html`<button class="small" hx-post="/admin/accounts/${encodeURIComponent(view.id)}/${action}" hx-target="#accounts" hx-swap="outerHTML"
  data-testid="${action}"${extra}>${label}</button>`;
  const login = view.remote_login_path
    ? html`<a class="button small${view.login_url ? ' primary' : ''}" href="/admin/accounts/${encodeURIComponent(view.id)}/log-in"
  data-testid="log-in">Log in</a>`
    : post('log-in', 'Log in');
  return html`${post('check', 'Check now')}
${view.enabled ? post('disable', 'Disable', html` hx-confirm="Take this account out of rotation?"`) : post('enable', 'Enable')}
${login}`;
}

export function accountsSection(
  views: AccountView[],
  snapshot: AdmissionSnapshot | undefined,
  message?: Notice,
): SafeHtml {
  const rows = views.map((view) => {
    const state = accountState(view);
    return html`<tr data-testid="account-row" data-account="${view.id}">
  <td data-label="Account"><div><strong>${view.id}</strong><div class="muted">${view.site}${view.proxy ? html` · via <code>${view.proxy}</code>` : ''}</div></div></td>
  <td data-label="State"><div>${badge(state.tone, state.label, 'account-state')}${view.reason ? html`<div class="muted" style="font-size:0.8rem">${view.reason}</div>` : ''}</div></td>
  <td class="num" data-label="In flight">${num(view.in_flight)}${view.max_concurrent === null ? '' : html` / ${num(view.max_concurrent)}`}</td>
  <td class="num" data-label="Queued (site)">${num(queuedFor(snapshot, view.site))}</td>
  <td data-label="Last probe">${probe(view)}</td>
  <td data-label="Cooldowns"><div>${cooldowns(view)}</div></td>
  <td class="actions">${actions(view)}</td>
</tr>`;
  });
  return html`<section class="panel" id="accounts" hx-get="/admin/accounts/table" hx-trigger="every 5s" hx-swap="outerHTML">
  ${message ? html`<div class="notice ${message.tone}" role="status">${message.text}</div>` : ''}
  <div class="table-wrap"><table class="stack">
    <thead><tr><th>Account</th><th>State</th><th class="num">In flight</th><th class="num">Queued (site)</th><th>Last probe</th><th>Cooldowns</th><th></th></tr></thead>
    <tbody>${rows.length > 0 ? rows : html`<tr><td colspan="7" class="muted">No site has an account pool: give a site an <code>accounts</code> list in the config.</td></tr>`}</tbody>
  </table></div>
</section>`;
}
