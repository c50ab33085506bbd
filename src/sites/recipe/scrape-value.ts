import { firstMatch } from './json-path.ts';
import type { RecipeScrape } from './recipe-schema.ts';

export interface ScrapeSource {
  text: string;
  headers: Headers;
  /** Cookies the transport holds for the site. */
  cookies: Record<string, string>;
}

/** Reads one value the way a recipe's `scrape` entry says; undefined when it is not there. */
export function scrapeValue(scrape: RecipeScrape, source: ScrapeSource): string | undefined {
  if (scrape.regex) return scrape.regex.exec(source.text)?.[1];
  if (scrape.meta !== undefined) return metaContent(source.text, scrape.meta);
  if (scrape.cookie !== undefined) return source.cookies[scrape.cookie];
  if (scrape.header !== undefined) return source.headers.get(scrape.header) ?? undefined;
  if (scrape.path) {
    try {
      const value = firstMatch(scrape.path, JSON.parse(source.text));
      return typeof value === 'string' || typeof value === 'number' ? String(value) : undefined;
    } catch {
      return undefined;
    }
  }
  return undefined;
}

/** `<meta name="…" content="…">` (or `property=`), in either attribute order. */
export function metaContent(html: string, name: string): string | undefined {
  for (const tag of html.match(/<meta\b[^>]*>/gi) ?? []) {
    const attributes = new Map<string, string>();
    for (const match of tag.matchAll(/([\w:-]+)\s*=\s*(?:"([^"]*)"|'([^']*)')/g)) {
      attributes.set((match[1] ?? '').toLowerCase(), match[2] ?? match[3] ?? '');
    }
    if (attributes.get('name') === name || attributes.get('property') === name) {
      return decodeEntities(attributes.get('content') ?? '');
    }
  }
  return undefined;
}

function decodeEntities(text: string): string {
  return text
    .replace(/&#(\d+);/g, (_, code: string) => String.fromCharCode(Number(code)))
    .replace(/&quot;/g, '"')
    .replace(/&#x([0-9a-f]+);/gi, (_, code: string) => String.fromCharCode(Number.parseInt(code, 16)))
    .replace(/&lt;/g, '<')
    .replace(/&gt;/g, '>')
    .replace(/&amp;/g, '&');
}
