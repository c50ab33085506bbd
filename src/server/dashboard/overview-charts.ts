/** The Overview's charts: requests and errors, tokens, TTFT p50/p95 over the last hour or day. */
import type { UsageSeries } from '../../multi-user/usage-series.ts';
import { chart } from './format.ts';
import { html, type SafeHtml } from './html.ts';

export type OverviewRange = 'hour' | 'day';

/** Minute buckets for the hour, hour buckets for the day. */
export const RANGES: Record<OverviewRange, { label: string; bucketMs: number; spanMs: number }> = {
  hour: { label: 'Last hour', bucketMs: 60_000, spanMs: 3600_000 },
  day: { label: 'Last 24 hours', bucketMs: 3600_000, spanMs: 86400_000 },
};

export function overviewCharts(series: UsageSeries, range: OverviewRange): SafeHtml {
  const x = series.buckets.map((bucket) => Date.parse(bucket.start) / 1000);
  const pick = (
    key: 'requests' | 'errors' | 'prompt_tokens' | 'completion_tokens' | 'ttft_p50_ms' | 'ttft_p95_ms',
  ) => series.buckets.map((bucket) => bucket[key]);
  const panel = (title: string, body: SafeHtml) => html`<div class="panel"><h2>${title}</h2>${body}</div>`;
  const tabs = (Object.keys(RANGES) as OverviewRange[]).map(
    (key) =>
      html`<a href="/admin?range=${key}"${key === range ? html` aria-current="page"` : ''}>${RANGES[key].label}</a>`,
  );
  return html`<section id="charts" data-testid="charts">
  <div class="row spread" style="margin-bottom:0.75rem"><h2 style="margin:0">Traffic <span class="muted" style="font-weight:400">(UTC)</span></h2><nav class="tabs" aria-label="Range">${tabs}</nav></div>
  <div class="grid-3">
    ${panel(
      'Requests and errors',
      chart(
        'chart-requests',
        {
          kind: 'line',
          x,
          series: [
            { label: 'Requests', values: pick('requests') },
            { label: 'Errors', values: pick('errors') },
          ],
        },
        'Requests and errors over time',
      ),
    )}
    ${panel(
      'Tokens',
      chart(
        'chart-tokens',
        {
          kind: 'line',
          x,
          series: [
            { label: 'Prompt', values: pick('prompt_tokens') },
            { label: 'Completion', values: pick('completion_tokens') },
          ],
        },
        'Tokens over time',
      ),
    )}
    ${panel(
      'Time to first token (ms)',
      chart(
        'chart-ttft',
        {
          kind: 'line',
          x,
          series: [
            { label: 'p50', values: pick('ttft_p50_ms') },
            { label: 'p95', values: pick('ttft_p95_ms') },
          ],
        },
        'TTFT p50 and p95 over time',
      ),
    )}
  </div>
</section>`;
}
