import { baseMediaType } from './media-types.ts';

/**
 * Text-like files: which media type they really are (bytes only say "UTF-8 text", so the claim or the
 * file name refines it), and how to put one into the prompt when the site cannot take the file.
 */

const TEXT_APPLICATION_TYPES = new Set([
  'application/json',
  'application/xml',
  'application/yaml',
  'application/x-yaml',
  'application/toml',
  'application/javascript',
  'application/typescript',
  'application/x-sh',
  'application/sql',
  'application/x-ndjson',
  'application/csv',
]);

export function isTextLikeType(mediaType: string | undefined): boolean {
  if (mediaType === undefined) return false;
  return (
    mediaType.startsWith('text/') ||
    TEXT_APPLICATION_TYPES.has(mediaType) ||
    mediaType.endsWith('+json') ||
    mediaType.endsWith('+xml')
  );
}

const TYPE_BY_EXTENSION: Record<string, string> = {
  txt: 'text/plain',
  log: 'text/plain',
  md: 'text/markdown',
  markdown: 'text/markdown',
  csv: 'text/csv',
  tsv: 'text/tab-separated-values',
  json: 'application/json',
  jsonl: 'application/x-ndjson',
  xml: 'application/xml',
  yaml: 'application/yaml',
  yml: 'application/yaml',
  toml: 'application/toml',
  html: 'text/html',
  htm: 'text/html',
  css: 'text/css',
  js: 'text/javascript',
  mjs: 'text/javascript',
  cjs: 'text/javascript',
  ts: 'text/x-typescript',
  tsx: 'text/x-typescript',
  py: 'text/x-python',
  rb: 'text/x-ruby',
  go: 'text/x-go',
  rs: 'text/x-rust',
  java: 'text/x-java',
  kt: 'text/x-kotlin',
  c: 'text/x-c',
  h: 'text/x-c',
  cpp: 'text/x-c++',
  cc: 'text/x-c++',
  hpp: 'text/x-c++',
  cs: 'text/x-csharp',
  php: 'text/x-php',
  sh: 'text/x-shellscript',
  sql: 'application/sql',
  swift: 'text/x-swift',
};

/**
 * The most specific text type we can justify: a text-like claim (body or header) wins, then the file
 * extension, then plain text. A non-text claim is ignored — the bytes already proved it is text.
 */
export function refineTextType(
  claims: ReadonlyArray<string | undefined>,
  filename: string | undefined,
): string {
  for (const claim of claims) {
    const base = baseMediaType(claim);
    if (base !== undefined && isTextLikeType(base) && base !== 'text/plain') return base;
  }
  const extension = filename?.toLowerCase().match(/\.([a-z0-9+]+)$/)?.[1];
  return (extension === undefined ? undefined : TYPE_BY_EXTENSION[extension]) ?? 'text/plain';
}

export function decodeUtf8(data: Uint8Array): string {
  // Callers only get here after the bytes passed the UTF-8 sniff; the BOM is dropped, not shown.
  return new TextDecoder('utf-8', { ignoreBOM: false }).decode(data);
}

/**
 * A file inlined into the prompt as a fenced block. The fence is longer than any backtick run in the
 * content, so file text can never close the block early and pose as the user's own words.
 */
export function renderInlineFile(file: { text: string; filename?: string; mediaType: string }): string {
  const longestRun = (file.text.match(/`+/g) ?? []).reduce((max, run) => Math.max(max, run.length), 0);
  const fence = '`'.repeat(Math.max(3, longestRun + 1));
  const name = (file.filename ?? 'attachment').replace(/[\r\n]+/g, ' ').slice(0, 200);
  const body = file.text.endsWith('\n') ? file.text : `${file.text}\n`;
  return `Attached file "${name}" (${file.mediaType}):\n${fence}\n${body}${fence}`;
}
