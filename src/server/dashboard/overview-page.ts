/** The Overview page: traffic over the last hour and day, the queue, and the accounts by state. */
import type { AdmissionSnapshot } from '../../admission/admission.ts';
import type { UsageTotals } from '../../multi-user/usage-report.ts';
import type { AccountView } from '../account-admin-routes.ts';
import { accountState } from './accounts-page.ts';
import { badge, ms, num } from './format.ts';
import { html, type SafeHtml } from './html.ts';

export interface OverviewData {
  lastHour: UsageTotals;
  lastDay: UsageTotals;
  admission: AdmissionSnapshot | undefined;
  accounts: AccountView[];
  /** Charts of the last hour or day (`overview-charts.ts`). */
  charts: SafeHtml;
}

const card = (label: string, value: string, testId?: string) =>
  html`<div class="card"><div class="label">${label}</div><div class="value"${testId ? html` data-testid="${testId}"` : ''}>${value}</div></div>`;

function totalsCards(title: string, totals: UsageTotals, testId: string): SafeHtml {
  return html`<section class="panel" data-testid="${testId}">
  <h2>${title}</h2>
  <div class="cards" style="margin:0">
    ${card('Requests', num(totals.requests))}
    ${card('Prompt tokens', num(totals.prompt_tokens))}
    ${card('Completion tokens', num(totals.completion_tokens))}
    ${card('Errors', num(totals.errors))}
  </div>
</section>`;
}

function queue(snapshot: AdmissionSnapshot | undefined): SafeHtml {
  if (!snapshot)
    return html`<section class="panel"><h2>Queue</h2><p class="muted">Admission is off.</p></section>`;
  const accounts = Object.values(snapshot.accounts);
  const queued = accounts.reduce((sum, account) => sum + account.queued, 0);
  const active = accounts.reduce((sum, account) => sum + account.active, 0);
  const rejected = Object.values(snapshot.rejections).reduce((sum, count) => sum + count, 0);
  return html`<section class="panel"><h2>Queue</h2>
  <div class="cards" style="margin:0">
    ${card('Queued now', num(queued), 'queue-depth')}
    ${card('Running', num(active))}
    ${card('Admitted', num(snapshot.admitted))}
    ${card('Rejected', num(rejected))}
    ${card('Wait p50', ms(snapshot.wait.p50Ms))}
    ${card('Wait p99', ms(snapshot.wait.p99Ms))}
  </div>
  <p class="muted" style="margin-bottom:0">Admission store: ${snapshot.health.store}, ${snapshot.health.status}.</p>
</section>`;
}

function accountsByState(accounts: AccountView[]): SafeHtml {
  const counts = new Map<string, { tone: ReturnType<typeof accountState>['tone']; count: number }>();
  for (const view of accounts) {
    const state = accountState(view);
    const entry = counts.get(state.label) ?? { tone: state.tone, count: 0 };
    entry.count++;
    counts.set(state.label, entry);
  }
  return html`<section class="panel"><h2>Accounts by state</h2>
  ${
    counts.size === 0
      ? html`<p class="muted">No account pool configured.</p>`
      : html`<div class="row" data-testid="accounts-by-state">${[...counts].map(
          ([label, { tone, count }]) => html`<span>${badge(tone, label)} ${num(count)}</span>`,
        )}</div>`
  }
  <p style="margin-bottom:0"><a href="/admin/accounts">All accounts →</a></p>
</section>`;
}

export function overviewPage(data: OverviewData): SafeHtml {
  return html`<h1>Overview</h1>
<div class="grid-2">
  ${totalsCards('Last hour', data.lastHour, 'last-hour')}
  ${totalsCards('Last 24 hours', data.lastDay, 'last-day')}
</div>
${data.charts}
<div class="grid-2">
  ${queue(data.admission)}
  ${accountsByState(data.accounts)}
</div>`;
}
