/** The path of a raw request URL, percent-decoded where that is possible, without the query. */
export function requestPath(url: string): string {
  const raw = url.split('?')[0] ?? '';
  try {
    return decodeURIComponent(raw);
  } catch {
    return raw;
  }
}
