/** The audit log: every admin change, newest first, with what the row was before and after. */
import type { AuditLogTable } from '../../store/schema.ts';
import { time } from './format.ts';
import { html, type SafeHtml } from './html.ts';

function pretty(json: string | null): string {
  if (json === null) return '';
  try {
    return JSON.stringify(JSON.parse(json), null, 2);
  } catch {
    return json;
  }
}

/** What the row's object is called: a user's name, a key's name and prefix, from the row itself. */
function objectName(row: AuditLogTable, userNames: Map<string, string>): string | undefined {
  const fields = (json: string | null): Record<string, unknown> => {
    try {
      return json === null ? {} : (JSON.parse(json) as Record<string, unknown>);
    } catch {
      return {};
    }
  };
  const stored = { ...fields(row.before_json), ...fields(row.after_json) };
  if (row.object_type === 'user') {
    return userNames.get(row.object_id) ?? (typeof stored.name === 'string' ? stored.name : undefined);
  }
  if (row.object_type === 'api_key' && typeof stored.name === 'string') {
    const owner = typeof stored.user_id === 'string' ? userNames.get(stored.user_id) : undefined;
    const prefix = typeof stored.prefix === 'string' ? ` ${stored.prefix}` : '';
    return `${stored.name}${prefix}${owner ? ` of ${owner}` : ''}`;
  }
  return undefined;
}

export function auditPage(
  rows: AuditLogTable[],
  next: string | undefined,
  userNames: Map<string, string>,
): SafeHtml {
  const body = rows.map(
    (row) => html`<tr data-testid="audit-row">
  <td data-label="Time" class="nowrap">${time(row.at)}</td>
  <td data-label="Actor">${row.actor}</td>
  <td data-label="Action"><code>${row.action}</code></td>
  <td data-label="Object"><div>${row.object_type} ${objectName(row, userNames) ?? ''}
    <div class="muted" style="font-size:0.8rem"><code class="break">${row.object_id}</code></div></div></td>
  <td data-label="Details">${
    row.before_json || row.after_json
      ? html`<details><summary>changes</summary>
    ${row.before_json ? html`<div class="muted">before</div><pre>${pretty(row.before_json)}</pre>` : ''}
    ${row.after_json ? html`<div class="muted">after</div><pre>${pretty(row.after_json)}</pre>` : ''}
  </details>`
      : ''
  }</td>
</tr>`,
  );
  return html`<h1>Audit log</h1>
<section class="panel">
  <div class="table-wrap"><table class="stack">
    <thead><tr><th>Time</th><th>Actor</th><th>Action</th><th>Object</th><th>Details</th></tr></thead>
    <tbody>${body.length > 0 ? body : html`<tr><td colspan="5" class="muted">Nothing has been changed yet.</td></tr>`}</tbody>
  </table></div>
  ${next ? html`<p><a class="button" href="/admin/audit?before=${encodeURIComponent(next)}">Older entries</a></p>` : ''}
</section>`;
}
