/** `Image/PNG; charset=x` → `image/png`; undefined for empty or malformed values. */
export function baseMediaType(value: string | undefined): string | undefined {
  const base = value?.split(';')[0]?.trim().toLowerCase();
  return base !== undefined && /^[a-z0-9!#$&^_.+-]+\/[a-z0-9!#$&^_.+-]+$/.test(base) ? base : undefined;
}

/** Whether a site's accepted list (which may use `image/*` or `*\/*`) covers a media type. */
export function acceptsMediaType(accepted: readonly string[], mediaType: string): boolean {
  const [group] = mediaType.split('/');
  return accepted.some((entry) => {
    const pattern = entry.trim().toLowerCase();
    return pattern === mediaType || pattern === '*/*' || pattern === `${group}/*`;
  });
}

export function isImageType(mediaType: string | undefined): boolean {
  return mediaType?.startsWith('image/') === true;
}
