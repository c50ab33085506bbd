/**
 * JSON that keeps byte arrays: canonical messages carry image and file bytes as Uint8Array, which
 * plain JSON would turn into an object of numbered keys. Bytes become `{ "$bytes": "<base64>" }`.
 */
const BYTES_TAG = '$bytes';

export function encodeJson(value: unknown): string {
  return JSON.stringify(value, (_key, v: unknown) =>
    v instanceof Uint8Array ? { [BYTES_TAG]: Buffer.from(v).toString('base64') } : v,
  );
}

export function decodeJson(text: string): unknown {
  return JSON.parse(text, (_key, v: unknown) => {
    if (v !== null && typeof v === 'object' && !Array.isArray(v)) {
      const record = v as Record<string, unknown>;
      const encoded = record[BYTES_TAG];
      if (typeof encoded === 'string' && Object.keys(record).length === 1) {
        return new Uint8Array(Buffer.from(encoded, 'base64'));
      }
    }
    return v;
  });
}
