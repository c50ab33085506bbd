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

export function auditPage(rows: AuditLogTable[], next: string | undefined): SafeHtml {
  const body = rows.map(
    (row) => html`<tr data-testid="audit-row">
  <td data-label="Time" class="nowrap">${time(row.at)}</td>
  <td data-label="Actor">${row.actor}</td>
  <td data-label="Action"><code>${row.action}</code></td>
  <td data-label="Object"><div>${row.object_type} <code>${row.object_id}</code></div></td>
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
