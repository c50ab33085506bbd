/**
 * Recipe string templates: `{{name}}` placeholders, with an optional default and filter:
 *
 *   {{model}}                 the value of `model`
 *   {{fileIds ?? []}}         a JSON literal used when the value is missing
 *   {{text | json}}           filters: `json` (JSON.stringify), `url` (encodeURIComponent)
 *
 * A string that is exactly one placeholder keeps the value's type when it is placed in a JSON body
 * (`fileIds: '{{fileIds}}'` becomes an array) and is left out when the value is missing, so one
 * template serves a new thread (no `threadId`) and a continuation.
 */
export type TemplateFilter = 'json' | 'url';

export interface Placeholder {
  name: string;
  /** `?? <json>`; absent when none was given. */
  fallback?: unknown;
  filter?: TemplateFilter;
}

export type TemplatePart = string | Placeholder;

export class Template {
  readonly source: string;
  readonly parts: readonly TemplatePart[];
  constructor(source: string, parts: TemplatePart[]) {
    this.source = source;
    this.parts = parts;
  }

  /** Names of every placeholder used. */
  get names(): string[] {
    return this.parts.flatMap((part) => (typeof part === 'string' ? [] : [part.name]));
  }

  /** The single placeholder when the template is nothing else. */
  get whole(): Placeholder | undefined {
    const [only] = this.parts;
    return this.parts.length === 1 && typeof only === 'object' ? only : undefined;
  }
}

export type TemplateVars = Readonly<Record<string, unknown>>;

export class TemplateSyntaxError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'TemplateSyntaxError';
  }
}

const PLACEHOLDER = /^\s*([A-Za-z_][A-Za-z0-9_.]*)\s*(?:\?\?\s*(.+?))?\s*(?:\|\s*([a-z]+)\s*)?$/;

export function compileTemplate(source: string): Template {
  const parts: TemplatePart[] = [];
  let at = 0;
  while (at < source.length) {
    const open = source.indexOf('{{', at);
    if (open === -1) {
      parts.push(source.slice(at));
      break;
    }
    if (open > at) parts.push(source.slice(at, open));
    const close = source.indexOf('}}', open + 2);
    if (close === -1) throw new TemplateSyntaxError(`unclosed '{{' at character ${open + 1}`);
    const inside = source.slice(open + 2, close);
    const match = PLACEHOLDER.exec(inside);
    if (!match?.[1]) throw new TemplateSyntaxError(`bad placeholder '{{${inside}}}'`);
    const placeholder: Placeholder = { name: match[1] };
    if (match[2] !== undefined) {
      try {
        placeholder.fallback = JSON.parse(match[2]);
      } catch {
        throw new TemplateSyntaxError(`the default in '{{${inside}}}' is not a JSON literal`);
      }
    }
    if (match[3] !== undefined) {
      if (match[3] !== 'json' && match[3] !== 'url')
        throw new TemplateSyntaxError(`unknown filter '${match[3]}' (use json or url)`);
      placeholder.filter = match[3];
    }
    parts.push(placeholder);
    at = close + 2;
  }
  return new Template(source, parts);
}

function lookup(vars: TemplateVars, placeholder: Placeholder): unknown {
  const value = vars[placeholder.name];
  return value === undefined ? placeholder.fallback : value;
}

function applyFilter(value: unknown, filter: TemplateFilter | undefined): unknown {
  if (filter === 'json') return JSON.stringify(value ?? null);
  if (filter === 'url') return encodeURIComponent(stringify(value));
  return value;
}

function stringify(value: unknown): string {
  if (value === undefined || value === null) return '';
  if (typeof value === 'string') return value;
  if (typeof value === 'number' || typeof value === 'boolean') return String(value);
  return JSON.stringify(value);
}

/** Renders to text; missing values become ''. `encode` is applied to each inserted value (URLs). */
export function renderString(
  template: Template,
  vars: TemplateVars,
  encode: (text: string) => string = (text) => text,
): string {
  let out = '';
  for (const part of template.parts) {
    if (typeof part === 'string') out += part;
    else {
      const value = applyFilter(lookup(vars, part), part.filter);
      out += part.filter === 'url' ? stringify(value) : encode(stringify(value));
    }
  }
  return out;
}

/** Renders keeping a lone placeholder's type; undefined means "leave this field out". */
export function renderValue(template: Template, vars: TemplateVars): unknown {
  const whole = template.whole;
  if (whole) return applyFilter(lookup(vars, whole), whole.filter);
  return renderString(template, vars);
}

/** A JSON body template: the YAML value with every string compiled. */
export type JsonTemplate =
  | Template
  | number
  | boolean
  | null
  | JsonTemplate[]
  | { [key: string]: JsonTemplate };

export function compileJsonTemplate(value: unknown, path: (string | number)[] = []): JsonTemplate {
  if (typeof value === 'string') {
    try {
      return compileTemplate(value);
    } catch (error) {
      throw Object.assign(error as Error, { path });
    }
  }
  if (typeof value === 'number' || typeof value === 'boolean' || value === null) return value;
  if (Array.isArray(value)) return value.map((item, index) => compileJsonTemplate(item, [...path, index]));
  if (typeof value === 'object' && value !== undefined) {
    const out: Record<string, JsonTemplate> = {};
    for (const [key, item] of Object.entries(value)) out[key] = compileJsonTemplate(item, [...path, key]);
    return out;
  }
  throw Object.assign(new TemplateSyntaxError('not a JSON value'), { path });
}

/** Builds the JSON value; members and elements whose lone placeholder is missing are left out. */
export function renderJson(template: JsonTemplate, vars: TemplateVars): unknown {
  if (template instanceof Template) return renderValue(template, vars);
  if (Array.isArray(template)) {
    return template.map((item) => renderJson(item, vars)).filter((item) => item !== undefined);
  }
  if (template !== null && typeof template === 'object') {
    const out: Record<string, unknown> = {};
    for (const [key, item] of Object.entries(template)) {
      const value = renderJson(item, vars);
      if (value !== undefined) out[key] = value;
    }
    return out;
  }
  return template;
}

/** Every template inside a JSON template. */
export function templatesIn(template: JsonTemplate): Template[] {
  if (template instanceof Template) return [template];
  if (Array.isArray(template)) return template.flatMap(templatesIn);
  if (template !== null && typeof template === 'object') return Object.values(template).flatMap(templatesIn);
  return [];
}
