/** Small display helpers shared by the dashboard pages (numbers, times, state badges, bars). */
import { html, jsonScript, type SafeHtml } from './html.ts';

const NUMBER = new Intl.NumberFormat('en-US');

export const num = (value: number | null | undefined): string =>
  value === null || value === undefined ? '—' : NUMBER.format(value);

/** `2026-12-08 00:12:05` in UTC, or — . */
export function time(value: number | string | Date | null | undefined): string {
  if (value === null || value === undefined) return '—';
  const date = value instanceof Date ? value : new Date(typeof value === 'string' ? value : Number(value));
  if (Number.isNaN(date.getTime())) return '—';
  return `${date.toISOString().slice(0, 19).replace('T', ' ')} UTC`;
}

export const ms = (value: number | null | undefined): string =>
  value === null || value === undefined
    ? '—'
    : value < 10_000
      ? `${Math.round(value)} ms`
      : `${(value / 1000).toFixed(1)} s`;

export type Tone = 'ok' | 'warn' | 'bad' | 'off';

export const badge = (tone: Tone, label: string, testId?: string): SafeHtml =>
  html`<span class="badge ${tone}"${testId ? html` data-testid="${testId}"` : ''}>${label}</span>`;

/** A filled bar for `used` of `total` (null total: unlimited, no bar). */
export function quotaBar(used: number, total: number | null): SafeHtml {
  if (total === null) return html`<span class="muted">unlimited</span>`;
  const share = total === 0 ? 1 : Math.min(1, used / total);
  const level = share >= 1 ? ' full' : share >= 0.8 ? ' high' : '';
  const percent = Math.round(share * 100);
  return html`<div class="bar${level}" role="meter" aria-valuenow="${percent}" aria-valuemin="0" aria-valuemax="100"
  title="${num(used)} of ${num(total)} tokens (${percent}%)"><span style="width:${percent}%"></span></div>`;
}

/** A chart element for the page script: `<div data-chart>` plus its data (see assets/dashboard.js). */
export interface ChartSpec {
  kind: 'line' | 'bars';
  /** Epoch seconds (time axis) or 0..n-1 with `categories`. */
  x: number[];
  xKind?: 'time' | 'category';
  xLabel?: string;
  categories?: string[];
  series: Array<{ label: string; values: Array<number | null> }>;
}

export function chart(id: string, spec: ChartSpec, label: string): SafeHtml {
  if (spec.x.length === 0) return html`<p class="muted">No data yet.</p>`;
  return html`<div class="chart" data-chart="${id}" role="img" aria-label="${label}"></div>${jsonScript(id, spec)}`;
}
