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
  type Key = 'requests' | 'errors' | 'prompt_tokens' | 'completion_tokens' | 'ttft_p50_ms' | 'ttft_p95_ms';
  const pick = (key: Key) => series.buckets.map((bucket) => bucket[key]);
  /** One panel with a two-line chart over the buckets. */
  const linePanel = (title: string, id: string, alt: string, lines: Array<[label: string, key: Key]>) =>
    html`<div class="panel"><h2>${title}</h2>${chart(
      id,
      { kind: 'line', x, series: lines.map(([label, key]) => ({ label, values: pick(key) })) },
      alt,
    )}</div>`;
  const tabs = (Object.keys(RANGES) as OverviewRange[]).map(
    (key) =>
      html`<a href="/admin?range=${key}"${key === range ? html` aria-current="page"` : ''}>${RANGES[key].label}</a>`,
  );
  return html`<section id="charts" data-testid="charts">
  <div class="row spread" style="margin-bottom:0.75rem"><h2 style="margin:0">Traffic <span class="muted" style="font-weight:400">(UTC)</span></h2><nav class="tabs" aria-label="Range">${tabs}</nav></div>
  <div class="grid-3">
    ${linePanel('Requests and errors', 'chart-requests', 'Requests and errors over time', [
      ['Requests', 'requests'],
      ['Errors', 'errors'],
    ])}
    ${linePanel('Tokens', 'chart-tokens', 'Tokens over time', [
      ['Prompt', 'prompt_tokens'],
      ['Completion', 'completion_tokens'],
    ])}
    ${linePanel('Time to first token (ms)', 'chart-ttft', 'TTFT p50 and p95 over time', [
      ['p50', 'ttft_p50_ms'],
      ['p95', 'ttft_p95_ms'],
    ])}
  </div>
</section>`;
}
