/** Rendering of the Users list and of one user's page (summary, keys, usage). Pure: rows in, HTML out. */
import type { UsageReport } from '../../multi-user/usage-report.ts';
import type { KeyRow, UserRow } from '../../multi-user/users-repository.ts';
import { badge, chart, num, quotaBar, time } from './format.ts';
import { html, type SafeHtml } from './html.ts';

export type Notice = { tone: 'ok' | 'bad'; text: string } | undefined;

const notice = (value: Notice): SafeHtml =>
  value ? html`<div class="notice ${value.tone}" role="status">${value.text}</div>` : html``;

const statusBadge = (user: UserRow) =>
  user.status === 'active' ? badge('ok', 'active', 'user-status') : badge('warn', 'paused', 'user-status');

function pauseButton(user: UserRow, target: string): SafeHtml {
  const paused = user.status === 'paused';
  return html`<button class="small" hx-post="/admin/users/${user.id}/${paused ? 'resume' : 'pause'}"
    hx-target="${target}" hx-swap="outerHTML" data-testid="${paused ? 'resume' : 'pause'}">${paused ? 'Resume' : 'Pause'}</button>`;
}

function usedOfQuota(user: UserRow): SafeHtml {
  const used = Number(user.used_tokens);
  const quota = user.token_quota === null ? null : Number(user.token_quota);
  return html`<div>${quotaBar(used, quota)}<div class="muted" style="font-size:0.8rem">${num(used)}${quota === null ? ' · no quota' : html` of ${num(quota)}`}</div></div>`;
}

export function usersList(users: UserRow[], message?: Notice): SafeHtml {
  const rows = users.map(
    (user) => html`<tr data-testid="user-row" data-user="${user.id}">
  <td data-label="Name"><a href="/admin/users/${user.id}" data-testid="user-link">${user.name}</a></td>
  <td data-label="Status">${statusBadge(user)}</td>
  <td data-label="Tokens" style="min-width:180px">${usedOfQuota(user)}</td>
  <td data-label="Last active">${time(user.last_active_at)}</td>
  <td class="actions">${pauseButton(user, '#users-list')}
    <button class="small danger" hx-post="/admin/users/${user.id}/delete" hx-target="#users-list" hx-swap="outerHTML"
      hx-confirm="Delete this user? Its keys stop working at once.">Delete</button></td>
</tr>`,
  );
  return html`<section class="panel" id="users-list">
  ${notice(message)}
  <div class="table-wrap"><table class="stack">
    <thead><tr><th>Name</th><th>Status</th><th>Tokens used of quota</th><th>Last active</th><th></th></tr></thead>
    <tbody>${rows.length > 0 ? rows : html`<tr><td colspan="5" class="muted">No users yet.</td></tr>`}</tbody>
  </table></div>
</section>`;
}

export function usersPage(users: UserRow[]): SafeHtml {
  return html`<h1>Users</h1>
<section class="panel">
  <h2>New user</h2>
  <form class="fields" hx-post="/admin/users" hx-target="#users-list" hx-swap="outerHTML" data-reset data-testid="create-user">
    <div><label for="new-name">Name</label><input id="new-name" name="name" required maxlength="100"></div>
    <div><label for="new-quota">Token quota (empty: unlimited)</label><input id="new-quota" name="token_quota" inputmode="numeric" pattern="[0-9]*"></div>
    <div><button class="primary" type="submit">Create user</button></div>
  </form>
</section>
${usersList(users)}`;
}

export function userSummary(user: UserRow, message?: Notice): SafeHtml {
  const quota = user.token_quota === null ? null : Number(user.token_quota);
  return html`<section class="panel" id="user-summary">
  ${notice(message)}
  <div class="row spread">
    <div class="row"><h1 style="margin:0" data-testid="user-name">${user.name}</h1> ${statusBadge(user)}</div>
    <div>${pauseButton(user, '#user-summary')}</div>
  </div>
  <div class="cards" style="margin:1rem 0 0.5rem">
    <div class="card"><div class="label">Used tokens</div><div class="value" data-testid="used-tokens">${num(Number(user.used_tokens))}</div></div>
    <div class="card"><div class="label">Reserved now</div><div class="value">${num(Number(user.reserved_tokens))}</div></div>
    <div class="card"><div class="label">Quota</div><div class="value">${quota === null ? 'unlimited' : num(quota)}</div></div>
    <div class="card"><div class="label">Last active</div><div>${time(user.last_active_at)}</div></div>
  </div>
  ${quotaBar(Number(user.used_tokens), quota)}
  <form class="fields" style="margin-top:1rem" hx-post="/admin/users/${user.id}/quota" hx-target="#user-summary" hx-swap="outerHTML" data-testid="edit-quota">
    <div><label for="quota">Token quota (empty: unlimited)</label>
      <input id="quota" name="token_quota" inputmode="numeric" pattern="[0-9]*" value="${quota ?? ''}"></div>
    <div><button type="submit">Save quota</button></div>
  </form>
</section>`;
}

function keyState(key: Omit<KeyRow, 'key_hash'>, now: number): SafeHtml {
  if (key.revoked_at !== null && Number(key.revoked_at) <= now) return badge('off', 'revoked', 'key-status');
  if (key.expires_at !== null && Number(key.expires_at) <= now) return badge('off', 'expired', 'key-status');
  return badge('ok', 'active', 'key-status');
}

/** The keys section; `created` is the new key's secret, shown in this one answer only. */
export function keysSection(
  userId: string,
  keys: Omit<KeyRow, 'key_hash'>[],
  lastUsed: Map<string, number>,
  created?: { key: string; prefix: string },
): SafeHtml {
  const now = Date.now();
  const rows = keys.map((key) => {
    const live = key.revoked_at === null || Number(key.revoked_at) > now;
    return html`<tr data-testid="key-row" data-key="${key.id}">
  <td data-label="Name">${key.name}</td><td data-label="Prefix"><code>${key.prefix}</code></td>
  <td data-label="Status">${keyState(key, now)}</td>
  <td data-label="Created">${time(key.created_at)}</td><td data-label="Last used">${time(lastUsed.get(key.id) ?? key.last_used_at)}</td>
  <td class="actions">${
    live
      ? html`<button class="small danger" hx-post="/admin/keys/${key.id}/revoke" hx-target="#keys" hx-swap="outerHTML"
      hx-confirm="Revoke this key? Clients using it stop working at once." data-testid="revoke">Revoke</button>`
      : ''
  }</td></tr>`;
  });
  return html`<section class="panel" id="keys">
  <h2>API keys</h2>
  ${
    created
      ? html`<div class="secret" data-testid="new-key">
    <strong>New key — copy it now, it is not shown again:</strong>
    <code id="new-key-secret" data-testid="new-key-secret">${created.key}</code>
    <button class="small" type="button" data-copy="new-key-secret">Copy</button></div>`
      : ''
  }
  <div class="table-wrap"><table class="stack">
    <thead><tr><th>Name</th><th>Prefix</th><th>Status</th><th>Created</th><th>Last used</th><th></th></tr></thead>
    <tbody>${rows.length > 0 ? rows : html`<tr><td colspan="6" class="muted">No keys yet.</td></tr>`}</tbody>
  </table></div>
  <form class="fields" style="margin-top:0.75rem" hx-post="/admin/users/${userId}/keys" hx-target="#keys" hx-swap="outerHTML" data-testid="create-key">
    <div><label for="key-name">Key name</label><input id="key-name" name="name" maxlength="100" placeholder="default"></div>
    <div><button class="primary" type="submit">Create key</button></div>
  </form>
</section>`;
}

/** Usage by day (chart and table) and by model (share bars and table). */
export function usageSection(byDay: UsageReport, byModel: UsageReport): SafeHtml {
  const days = byDay.rows;
  const dayChart = chart(
    'usage-by-day',
    {
      kind: 'bars',
      xKind: 'category',
      xLabel: 'Day',
      categories: days.map((row) => (row.day ?? '').slice(5)),
      x: days.map((_row, i) => i),
      // Stacked: the completion bar is drawn to the total, the prompt bar over its lower part.
      series: [
        { label: 'Completion tokens', values: days.map((row) => row.prompt_tokens + row.completion_tokens) },
        { label: 'Prompt tokens', values: days.map((row) => row.prompt_tokens) },
      ],
    },
    'Tokens per day',
  );
  const top = Math.max(1, ...byModel.rows.map((row) => row.charged_tokens));
  const totals = (row: UsageReport['rows'][number]) =>
    html`<td class="num">${num(row.requests)}</td><td class="num">${num(row.prompt_tokens)}</td>
<td class="num">${num(row.completion_tokens)}</td><td class="num">${num(row.errors)}</td>`;
  return html`<section class="grid-2" id="usage">
  <div class="panel">
    <h2>Usage by day</h2>
    ${dayChart}
    ${
      days.length === 0
        ? ''
        : html`<div class="table-wrap"><table data-testid="usage-by-day">
      <thead><tr><th>Day</th><th class="num">Requests</th><th class="num">Prompt</th><th class="num">Completion</th><th class="num">Errors</th></tr></thead>
      <tbody>${days.map((row) => html`<tr><td class="nowrap">${row.day}</td>${totals(row)}</tr>`)}</tbody>
    </table></div>`
    }
  </div>
  <div class="panel">
    <h2>Usage by model</h2>
    ${
      byModel.rows.length === 0
        ? html`<p class="muted">No requests yet.</p>`
        : html`<div class="table-wrap"><table data-testid="usage-by-model">
      <thead><tr><th>Model (token share)</th><th class="num">Requests</th><th class="num">Prompt</th><th class="num">Completion</th><th class="num">Errors</th></tr></thead>
      <tbody>${byModel.rows.map(
        (row) => html`<tr><td><code>${row.model}</code>
<div class="bar" style="margin-top:0.3rem"><span style="width:${Math.round((row.charged_tokens / top) * 100)}%"></span></div></td>${totals(row)}</tr>`,
      )}</tbody>
    </table></div>`
    }
  </div>
</section>`;
}
