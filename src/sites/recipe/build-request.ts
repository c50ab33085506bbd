import type { TransportRequest } from '../../transports/transport.ts';
import type { RecipeRequest } from './recipe-schema.ts';
import { renderJson, renderString, renderValue, type Template, type TemplateVars } from './template.ts';

export interface BuiltRequest {
  url: string;
  request: Omit<TransportRequest, 'signal'>;
}

export interface BuildContext {
  baseUrl: string;
  /** The recipe's `api.headers`, sent with every request (the request's own win). */
  commonHeaders: Readonly<Record<string, Template>>;
  vars: TemplateVars;
}

/** A recipe request template filled in: absolute URL, headers, and the body in its declared form. */
export function buildRequest(template: RecipeRequest, context: BuildContext): BuiltRequest {
  const { vars } = context;
  const url = resolveUrl(renderString(template.url, vars, encodeURIComponent), context.baseUrl);
  const headers: Record<string, string> = {};
  for (const [name, value] of Object.entries({ ...context.commonHeaders, ...template.headers })) {
    const rendered = renderString(value, vars);
    // A header whose value is not known yet (a token before login) is left out, not sent empty.
    if (rendered !== '') headers[name.toLowerCase()] = rendered;
  }
  let body: TransportRequest['body'];
  if (template.json !== undefined) {
    body = JSON.stringify(renderJson(template.json, vars));
    headers['content-type'] ??= 'application/json';
  } else if (template.form) {
    const form = new URLSearchParams();
    for (const [name, value] of Object.entries(template.form)) form.append(name, renderString(value, vars));
    body = form.toString();
    headers['content-type'] ??= 'application/x-www-form-urlencoded';
  } else if (template.multipart) {
    const form = new FormData();
    for (const [name, value] of Object.entries(template.multipart)) {
      const rendered = renderValue(value, vars);
      if (rendered === undefined) continue;
      if (rendered instanceof File) form.append(name, rendered, rendered.name);
      else form.append(name, typeof rendered === 'string' ? rendered : JSON.stringify(rendered));
    }
    body = form;
  } else if (template.body) {
    body = renderString(template.body, vars);
  }
  return {
    url,
    request: { method: template.method, headers, ...(body !== undefined ? { body } : {}) },
  };
}

/** Absolute URLs stay; `/path` is appended to the base URL (which may itself have a path, `/chat`). */
export function resolveUrl(url: string, baseUrl: string): string {
  if (/^[a-z][a-z0-9+.-]*:/i.test(url)) return url;
  return `${baseUrl.replace(/\/+$/, '')}${url.startsWith('/') ? '' : '/'}${url}`;
}
