import type { Transport } from '../../transports/transport.ts';
import { NeedsLoginError } from '../../site-contract/site-errors.ts';

/** The update channel the page subscribes to (liuyingduo/poe-api-wrapper reverse/utils.py @ 4ae9996d). */
export interface TchannelData {
  minSeq: string | number;
  channel: string;
  channelHash: string;
  boxName: string;
  baseHost: string;
}

/** What the logged-in page knows and the API calls need. */
export interface PoePageSecrets {
  /** `Poe-Formkey`: computed by the page's obfuscated JavaScript. */
  formkey: string;
  /** `Poe-Revision`: the Next.js build id. */
  revision?: string;
  tchannel: TchannelData;
}

/**
 * Where the secrets come from. Over plain HTTP: the homepage is scraped for the channel and the
 * build id, and the formkey comes from config (see below). The browser transport can supply its own
 * provider that reads all three inside the logged-in page.
 */
export type PoePageSecretsProvider = (signal: AbortSignal) => Promise<PoePageSecrets>;

export interface HomepageScraperOptions {
  transport: Transport;
  baseUrl: string;
  /**
   * The formkey, copied from any `gql_POST` request's `Poe-Formkey` header in DevTools. The
   * references compute it by running the page's obfuscated script in a JS engine; the gateway does
   * not execute site JavaScript in its own process (node:vm is no sandbox), so over HTTP it is
   * configured, and the browser transport reads it in the page.
   */
  formkey?: string;
  /** Overrides the scraped build id. */
  revision?: string;
}

export function scrapePoeHomepage(options: HomepageScraperOptions): PoePageSecretsProvider {
  return async (signal) => {
    if (!options.formkey) {
      throw new NeedsLoginError(
        'the Poe formkey is not configured (copy Poe-Formkey from a gql_POST request in DevTools, or use the browser transport)',
      );
    }
    const response = await options.transport.fetch(`${options.baseUrl.replace(/\/+$/, '')}/`, {
      headers: { accept: 'text/html,application/xhtml+xml' },
      signal,
    });
    const html = await response.text().catch(() => '');
    if (isChallengePage(response.status, html)) {
      throw new NeedsLoginError(
        'poe.com answered with a Cloudflare challenge; refresh cf_clearance or use the browser transport',
      );
    }
    if (response.status >= 300 && response.status < 400) {
      throw new NeedsLoginError(
        'poe.com redirected to its login page: the p-b cookie is not (or no longer) logged in',
      );
    }
    const tchannel = extractTchannelData(html);
    if (!tchannel)
      throw new NeedsLoginError('the Poe homepage has no update channel: the p-b cookie is not logged in');
    const revision = options.revision ?? extractBuildId(html);
    return { formkey: options.formkey, tchannel, ...(revision ? { revision } : {}) };
  };
}

/** Cloudflare's interstitial ("Just a moment…", `cf-chl` scripts) instead of the app. */
export function isChallengePage(status: number, html: string): boolean {
  return (
    (status === 403 || status === 503 || status === 429) &&
    /cf-chl|challenge-platform|Just a moment/i.test(html)
  );
}

/** `"buildId":"…"` from `__NEXT_DATA__`, else the `/_next/static/<id>/` asset path. */
export function extractBuildId(html: string): string | undefined {
  return (
    /"buildId"\s*:\s*"([^"]+)"/.exec(html)?.[1] ??
    /\/_next\/static\/([A-Za-z0-9_-]{6,})\/_(?:buildManifest|ssgManifest)/.exec(html)?.[1]
  );
}

/**
 * `tchannelData` from the homepage: first inside the `__NEXT_DATA__` JSON, else the first
 * `"tchannelData": {…}` object anywhere in the HTML (read as balanced braces).
 */
export function extractTchannelData(html: string): TchannelData | undefined {
  const nextData = /<script[^>]*id=["']__NEXT_DATA__["'][^>]*>([\s\S]*?)<\/script>/i.exec(html)?.[1];
  if (nextData) {
    try {
      const found = findTchannel(JSON.parse(nextData));
      if (found) return found;
    } catch {
      // Fall through to the raw search.
    }
  }
  const key = html.indexOf('"tchannelData"');
  if (key < 0) return undefined;
  const start = html.indexOf('{', key);
  const object = start < 0 ? undefined : balancedObject(html, start);
  if (!object) return undefined;
  try {
    return asTchannel(JSON.parse(object));
  } catch {
    return undefined;
  }
}

/** `tchannelData` anywhere inside an already parsed `__NEXT_DATA__` value. */
export function findTchannel(value: unknown): TchannelData | undefined {
  if (Array.isArray(value)) {
    for (const item of value) {
      const found = findTchannel(item);
      if (found) return found;
    }
    return undefined;
  }
  if (value && typeof value === 'object') {
    const record = value as Record<string, unknown>;
    const direct = asTchannel(record.tchannelData);
    if (direct) return direct;
    for (const item of Object.values(record)) {
      const found = findTchannel(item);
      if (found) return found;
    }
  }
  return undefined;
}

function asTchannel(value: unknown): TchannelData | undefined {
  if (!value || typeof value !== 'object') return undefined;
  const v = value as Record<string, unknown>;
  const strings = ['channel', 'channelHash', 'boxName', 'baseHost'] as const;
  if (!strings.every((k) => typeof v[k] === 'string')) return undefined;
  if (typeof v.minSeq !== 'string' && typeof v.minSeq !== 'number') return undefined;
  return {
    minSeq: v.minSeq,
    channel: v.channel as string,
    channelHash: v.channelHash as string,
    boxName: v.boxName as string,
    baseHost: v.baseHost as string,
  };
}

function balancedObject(text: string, start: number): string | undefined {
  let depth = 0;
  let inString = false;
  let escaped = false;
  for (let i = start; i < text.length; i++) {
    const ch = text[i];
    if (inString) {
      if (escaped) escaped = false;
      else if (ch === '\\') escaped = true;
      else if (ch === '"') inString = false;
      continue;
    }
    if (ch === '"') inString = true;
    else if (ch === '{') depth++;
    else if (ch === '}' && --depth === 0) return text.slice(start, i + 1);
  }
  return undefined;
}

/**
 * The update socket's URL: `wss://tch<random>.tch.<baseHost>/up/<boxName>/updates?min_seq=…&channel=…&hash=…`
 * (the random host label spreads clients over the channel servers; `ws:` when the site is plain http).
 */
export function channelUrl(
  tchannel: TchannelData,
  secure: boolean,
  random: number = Math.floor(Math.random() * 1e6),
): string {
  const host = `tch${random}`.slice(0, 11);
  const query = new URLSearchParams({
    min_seq: String(tchannel.minSeq),
    channel: tchannel.channel,
    hash: tchannel.channelHash,
  });
  return `${secure ? 'wss' : 'ws'}://${host}.tch.${tchannel.baseHost}/up/${tchannel.boxName}/updates?${query}`;
}
