/** The Requests page: the recent usage ledger with its filters, and the requests in flight. */
import type { RecentUsageRow } from '../../multi-user/recent-usage.ts';
import type { UserRow } from '../../multi-user/users-repository.ts';
import { badge, ms, num, time } from './format.ts';
import { html, type SafeHtml } from './html.ts';

export interface LedgerFilter {
  user: string;
  key: string;
  model: string;
  status: string;
}

const STATUSES = ['ok', 'error', 'aborted'];

function statusBadge(row: RecentUsageRow): SafeHtml {
  if (row.status === 'ok') return badge('ok', 'ok');
  if (row.status === 'aborted') return badge('off', 'aborted');
  return badge('bad', row.error_type ? `${row.status}: ${row.error_type}` : row.status);
}

export function ledgerSection(rows: RecentUsageRow[]): SafeHtml {
  const body = rows.map(
    (row) => html`<tr data-testid="ledger-row">
  <td data-label="Time" class="nowrap">${time(row.created_at)}</td>
  <td data-label="User">${row.user_name ?? row.user_id}</td>
  <td data-label="Key"><code>${row.key_prefix ?? '—'}</code></td>
  <td data-label="Model"><div><code>${row.model}</code><div class="muted" style="font-size:0.8rem">${row.dialect}${row.stream ? ' · stream' : ''}</div></div></td>
  <td data-label="Status">${statusBadge(row)}</td>
  <td class="num" data-label="Prompt">${num(row.prompt_tokens)}</td>
  <td class="num" data-label="Completion">${num(row.completion_tokens)}</td>
  <td class="num" data-label="TTFT">${ms(row.ttft_ms)}</td>
  <td class="num" data-label="Duration">${ms(row.duration_ms)}</td>
  <td data-label="Account">${row.account_id ?? row.site_id ?? '—'}</td>
</tr>`,
  );
  return html`<div id="ledger" class="table-wrap"><table class="stack">
  <thead><tr><th>Time</th><th>User</th><th>Key</th><th>Model</th><th>Status</th><th class="num">Prompt</th>
    <th class="num">Completion</th><th class="num">TTFT</th><th class="num">Duration</th><th>Account</th></tr></thead>
  <tbody>${body.length > 0 ? body : html`<tr><td colspan="10" class="muted">No requests match.</td></tr>`}</tbody>
</table></div>`;
}

export function requestsPage(options: {
  filter: LedgerFilter;
  users: UserRow[];
  models: string[];
  rows: RecentUsageRow[];
  live: SafeHtml | undefined;
}): SafeHtml {
  const { filter } = options;
  const option = (value: string, label: string, selected: string) =>
    html`<option value="${value}"${value === selected ? html` selected` : ''}>${label}</option>`;
  return html`<h1>Requests</h1>
${options.live ? html`<section class="panel"><h2>In flight</h2>${options.live}</section>` : ''}
<section class="panel">
  <h2>Recent requests</h2>
  <form class="fields" hx-get="/admin/requests/ledger" hx-target="#ledger" hx-swap="outerHTML"
    hx-trigger="submit, change" data-testid="ledger-filter">
    <div><label for="f-user">User</label><select id="f-user" name="user">${option('', 'Any', filter.user)}${options.users.map((user) => option(user.id, user.name, filter.user))}</select></div>
    <div><label for="f-key">Key prefix</label><input id="f-key" name="key" value="${filter.key}" placeholder="wcg-…" size="12"></div>
    <div><label for="f-model">Model</label><select id="f-model" name="model">${option('', 'Any', filter.model)}${options.models.map((model) => option(model, model, filter.model))}</select></div>
    <div><label for="f-status">Status</label><select id="f-status" name="status">${option('', 'Any', filter.status)}${STATUSES.map((status) => option(status, status, filter.status))}</select></div>
    <div><button type="submit">Filter</button></div>
  </form>
  <div style="margin-top:0.75rem">${ledgerSection(options.rows)}</div>
</section>`;
}
