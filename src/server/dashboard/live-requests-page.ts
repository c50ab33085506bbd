/**
 * The requests in flight (Requests page, refreshed every 2 s): who, which model, which account,
 * how long, output so far, and a cancel button.
 */
import type { LiveRequestView } from '../operations/live-requests.ts';
import { ms, num } from './format.ts';
import { html, type SafeHtml } from './html.ts';
import type { Notice } from './users-pages.ts';

export interface LiveRequestSource {
  list(): LiveRequestView[];
  cancel(requestId: string): boolean;
}

/** Output so far as tokens, estimated from characters (about four per token) like the meter's. */
const tokensSoFar = (chars: number) => Math.ceil(chars / 4);

export function liveRequestsTable(
  live: LiveRequestView[],
  userNames: Map<string, string>,
  message?: Notice,
): SafeHtml {
  const rows = live.map(
    (request) => html`<tr data-testid="live-row" data-request="${request.request_id}">
  <td data-label="User">${userNames.get(request.user_id) ?? request.user_id}</td>
  <td data-label="Model"><code>${request.model}</code></td>
  <td data-label="Account">${request.account_id ?? request.site_id ?? '—'}</td>
  <td class="num" data-label="Elapsed">${ms(request.elapsed_ms)}</td>
  <td class="num" data-label="Tokens so far">~${num(tokensSoFar(request.output_chars))}</td>
  <td class="actions"><button class="small danger" hx-post="/admin/requests/${encodeURIComponent(request.request_id)}/cancel"
    hx-target="#live" hx-swap="outerHTML" data-testid="cancel">Cancel</button></td>
</tr>`,
  );
  return html`<div id="live" hx-get="/admin/requests/live" hx-trigger="every 2s" hx-swap="outerHTML">
  ${message ? html`<div class="notice ${message.tone}" role="status">${message.text}</div>` : ''}
  <div class="table-wrap"><table class="stack">
    <thead><tr><th>User</th><th>Model</th><th>Account</th><th class="num">Elapsed</th><th class="num">Tokens so far (est.)</th><th></th></tr></thead>
    <tbody>${rows.length > 0 ? rows : html`<tr><td colspan="6" class="muted" data-testid="live-empty">Nothing in flight.</td></tr>`}</tbody>
  </table></div>
</div>`;
}
