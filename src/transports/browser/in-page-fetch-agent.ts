/**
 * The code that runs inside the site's page, in an isolated world the page's own scripts cannot
 * see. It is a string, not a function, so no build step can rewrite it (bundlers and loaders insert
 * helpers into functions that would not exist in the page).
 *
 * Evaluated with the binding function, it returns an agent object:
 * - `start(id, request)` runs the page's fetch with the account's cookies and resolves with the
 *   response head; the body is then read as it arrives and posted through the binding as
 *   `{id, type: 'chunk', data: <base64>}`, ending with `{id, type: 'end'}` or `{id, type: 'error'}`.
 * - `abort(id)` aborts that fetch (the site sees the connection close).
 */
export const IN_PAGE_FETCH_AGENT_SOURCE = `(function (send) {
  const controllers = new Map();
  const post = (message) => send(JSON.stringify(message));
  const errorText = (error) => String((error && error.message) || error);
  const toBase64 = (bytes) => {
    if (typeof bytes.toBase64 === 'function') return bytes.toBase64();
    let text = '';
    for (let i = 0; i < bytes.length; i += 0x8000) text += String.fromCharCode.apply(null, bytes.subarray(i, i + 0x8000));
    return btoa(text);
  };
  const fromBase64 = (text) => {
    if (typeof Uint8Array.fromBase64 === 'function') return Uint8Array.fromBase64(text);
    const binary = atob(text);
    const out = new Uint8Array(binary.length);
    for (let i = 0; i < binary.length; i++) out[i] = binary.charCodeAt(i);
    return out;
  };
  const buildBody = (body) => {
    if (!body) return undefined;
    if (body.kind === 'text') return body.text;
    if (body.kind === 'bytes') return fromBase64(body.base64);
    const form = new FormData();
    for (const part of body.parts) {
      if (part.base64 === undefined) form.append(part.name, part.value);
      else form.append(part.name, new Blob([fromBase64(part.base64)], { type: part.type }), part.filename);
    }
    return form;
  };
  const pump = async (id, controller, reader) => {
    try {
      for (;;) {
        const { done, value } = await reader.read();
        if (done) break;
        if (value && value.length > 0) post({ id, type: 'chunk', data: toBase64(value) });
      }
      post({ id, type: 'end' });
    } catch (error) {
      post({ id, type: 'error', message: errorText(error), aborted: controller.signal.aborted });
    } finally {
      controllers.delete(id);
    }
  };
  return {
    async start(id, request) {
      const controller = new AbortController();
      controllers.set(id, controller);
      let response;
      try {
        response = await fetch(request.url, {
          method: request.method,
          headers: request.headers,
          body: buildBody(request.body),
          credentials: 'include',
          redirect: 'manual',
          cache: 'no-store',
          signal: controller.signal,
        });
      } catch (error) {
        controllers.delete(id);
        return { ok: false, message: errorText(error), aborted: controller.signal.aborted };
      }
      const head = {
        ok: true,
        // A manual redirect is opaque to page scripts: its status and location are hidden.
        status: response.type === 'opaqueredirect' ? 302 : response.status,
        headers: Array.from(response.headers),
      };
      if (response.body) pump(id, controller, response.body.getReader());
      else {
        controllers.delete(id);
        post({ id, type: 'end' });
      }
      return head;
    },
    abort(id) {
      const controller = controllers.get(id);
      if (controller) controller.abort();
    },
  };
})`;

export type AgentMessage =
  | { id: number; type: 'chunk'; data: string }
  | { id: number; type: 'end' }
  | { id: number; type: 'error'; message: string; aborted: boolean };

export type AgentHead =
  | { ok: true; status: number; headers: Array<[string, string]> }
  | { ok: false; message: string; aborted: boolean };
