import { createHash } from 'node:crypto';

/**
 * Builds one signed `POST /api/gql_POST` call. Facts (snowby666/poe-api-wrapper api.py since
 * ec35c27, liuyingduo/poe-api-wrapper reverse/api.py @ 4ae9996d `send_request`):
 * - body `{"queryName", "variables", "extensions": {"hash"}}`;
 * - `poe-tag-id` = lowercase hex MD5 of (the exact body string + formkey + a constant salt), so the
 *   body is serialised once and that very string is both signed and sent;
 * - `poe-queryname` repeats the operation name; `poegraphql: 1`; `Poe-Formkey`, `Poe-Revision`
 *   (Next.js build id) and `Poe-Tchannel` identify the page session.
 */
export const DEFAULT_TAG_SALT = '4LxgHM6KpFqokX0Ox';

export interface GqlSession {
  formkey: string;
  revision?: string;
  channel?: string;
  salt: string;
}

export interface SignedGqlRequest {
  body: string;
  headers: Record<string, string>;
}

export function buildGqlRequest(
  operation: { queryName: string; hash: string },
  variables: Record<string, unknown>,
  session: GqlSession,
): SignedGqlRequest {
  const body = JSON.stringify({
    queryName: operation.queryName,
    variables,
    extensions: { hash: operation.hash },
  });
  return {
    body,
    headers: {
      'content-type': 'application/json',
      'poe-formkey': session.formkey,
      ...(session.revision ? { 'poe-revision': session.revision } : {}),
      ...(session.channel ? { 'poe-tchannel': session.channel } : {}),
      'poe-tag-id': poeTagId(body, session.formkey, session.salt),
      'poe-queryname': operation.queryName,
      poegraphql: '1',
    },
  };
}

export function poeTagId(body: string, formkey: string, salt: string): string {
  return createHash('md5')
    .update(body + formkey + salt, 'utf8')
    .digest('hex');
}

/** 16 random letters and digits, as the web client's `clientNonce` and `chatNonce`. */
export function poeNonce(length = 16): string {
  const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789';
  const bytes = new Uint8Array(length);
  crypto.getRandomValues(bytes);
  return [...bytes].map((b) => alphabet[b % alphabet.length]).join('');
}
