/**
 * A request body in a form that can cross into the page as JSON: text as is, bytes as base64, and
 * FormData as its parts (files as base64), rebuilt into a FormData inside the page.
 */
export type WireBody =
  | { kind: 'text'; text: string }
  | { kind: 'bytes'; base64: string }
  | { kind: 'form'; parts: WireFormPart[] };

export type WireFormPart =
  | { name: string; value: string }
  | { name: string; base64: string; type: string; filename: string };

export async function serializeRequestBody(
  body: string | Uint8Array | FormData | undefined,
): Promise<WireBody | undefined> {
  if (body === undefined) return undefined;
  if (typeof body === 'string') return { kind: 'text', text: body };
  if (body instanceof Uint8Array) return { kind: 'bytes', base64: Buffer.from(body).toString('base64') };
  const parts: WireFormPart[] = [];
  const entries: Array<[string, FormDataEntryValue]> = [];
  body.forEach((value, name) => {
    entries.push([name, value]);
  });
  for (const [name, value] of entries) {
    if (typeof value === 'string') {
      parts.push({ name, value });
    } else {
      const bytes = Buffer.from(await value.arrayBuffer());
      parts.push({ name, base64: bytes.toString('base64'), type: value.type, filename: value.name });
    }
  }
  return { kind: 'form', parts };
}

/** Headers the page's fetch computes itself; a multipart content type without the page's boundary would break the body. */
export function headersForPage(
  headers: Record<string, string> | undefined,
  body: WireBody | undefined,
): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [name, value] of Object.entries(headers ?? {})) {
    const lower = name.toLowerCase();
    if (body?.kind === 'form' && lower === 'content-type') continue;
    out[lower] = value;
  }
  return out;
}
