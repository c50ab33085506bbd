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
  // `{{m.role}}` reads a member of a value (a loop variable, a file); a flat name wins when present.
  let value: unknown = vars[placeholder.name];
  if (value === undefined && placeholder.name.includes('.')) {
    value = vars;
    for (const key of placeholder.name.split('.')) {
      value =
        value !== null && typeof value === 'object' ? (value as Record<string, unknown>)[key] : undefined;
    }
  }
  return value === undefined ? placeholder.fallback : value;
}

/** Whether a value counts as present for `$if`: not missing, null, false, '' or an empty list. */
export function truthy(value: unknown): boolean {
  if (value === undefined || value === null || value === false || value === '') return false;
  return !(Array.isArray(value) && value.length === 0);
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

/**
 * `{ $each: '{{messages}}', $as: m, $item: … }` (format 2): one `$item` per element of the list, with
 * the element as `{{m}}` / `{{m.role}}` and its position as `{{mIndex}}`. Inside a list its items are
 * spread into the surrounding list, so a system message and the conversation can share one array.
 */
export class EachTemplate {
  readonly over: Template;
  readonly as: string;
  readonly item: JsonTemplate;
  constructor(over: Template, as: string, item: JsonTemplate) {
    this.over = over;
    this.as = as;
    this.item = item;
  }
}

/** `{ $if: '{{systemPrompt}}', $then: …, $else: … }` (format 2): a branch, or left out when none applies. */
export class IfTemplate {
  readonly test: Template;
  readonly whenTrue: JsonTemplate | undefined;
  readonly otherwise: JsonTemplate | undefined;
  constructor(test: Template, whenTrue: JsonTemplate | undefined, otherwise: JsonTemplate | undefined) {
    this.test = test;
    this.whenTrue = whenTrue;
    this.otherwise = otherwise;
  }
}

const LOOP_NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;

/** A JSON body template: the YAML value with every string compiled. */
export type JsonTemplate =
  | Template
  | EachTemplate
  | IfTemplate
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
    const record = value as Record<string, unknown>;
    if ('$each' in record) return compileEach(record, path);
    if ('$if' in record) return compileIf(record, path);
    const out: Record<string, JsonTemplate> = {};
    for (const [key, item] of Object.entries(value)) out[key] = compileJsonTemplate(item, [...path, key]);
    return out;
  }
  throw Object.assign(new TemplateSyntaxError('not a JSON value'), { path });
}

function syntaxError(message: string, path: (string | number)[]): TemplateSyntaxError {
  return Object.assign(new TemplateSyntaxError(message), { path });
}

function compileEach(record: Record<string, unknown>, path: (string | number)[]): EachTemplate {
  const extra = Object.keys(record).filter((key) => !['$each', '$as', '$item'].includes(key));
  if (extra.length > 0) throw syntaxError(`$each takes only $as and $item, not ${extra.join(', ')}`, path);
  const over = record.$each;
  const as = record.$as ?? 'item';
  if (typeof over !== 'string')
    throw syntaxError('$each needs a placeholder naming a list', [...path, '$each']);
  const compiled = compileJsonTemplate(over, [...path, '$each']) as Template;
  if (!compiled.whole) throw syntaxError(`$each needs one placeholder ('{{messages}}'), got '${over}'`, path);
  if (typeof as !== 'string' || !LOOP_NAME.test(as))
    throw syntaxError('$as is a name (letters, digits and _)', [...path, '$as']);
  if (record.$item === undefined) throw syntaxError('$each needs an $item', path);
  return new EachTemplate(compiled, as, compileJsonTemplate(record.$item, [...path, '$item']));
}

function compileIf(record: Record<string, unknown>, path: (string | number)[]): IfTemplate {
  const extra = Object.keys(record).filter((key) => !['$if', '$then', '$else'].includes(key));
  if (extra.length > 0) throw syntaxError(`$if takes only $then and $else, not ${extra.join(', ')}`, path);
  if (typeof record.$if !== 'string') throw syntaxError('$if needs a placeholder', [...path, '$if']);
  if (record.$then === undefined && record.$else === undefined)
    throw syntaxError('$if needs $then or $else', path);
  const branch = (key: '$then' | '$else') =>
    record[key] === undefined ? undefined : compileJsonTemplate(record[key], [...path, key]);
  return new IfTemplate(
    compileJsonTemplate(record.$if, [...path, '$if']) as Template,
    branch('$then'),
    branch('$else'),
  );
}

/** The list `$each` iterates over (missing → none). */
function eachItems(template: EachTemplate, vars: TemplateVars): unknown[] {
  const list = renderValue(template.over, vars);
  if (list === undefined || list === null) return [];
  if (!Array.isArray(list)) throw new TemplateSyntaxError(`$each '${template.over.source}' is not a list`);
  return list.map((element, index) =>
    renderJson(template.item, { ...vars, [template.as]: element, [`${template.as}Index`]: index }),
  );
}

/** Builds the JSON value; members and elements whose lone placeholder is missing are left out. */
export function renderJson(template: JsonTemplate, vars: TemplateVars): unknown {
  if (template instanceof Template) return renderValue(template, vars);
  if (template instanceof EachTemplate) return eachItems(template, vars).filter((item) => item !== undefined);
  if (template instanceof IfTemplate) {
    const branch = truthy(renderValue(template.test, vars)) ? template.whenTrue : template.otherwise;
    return branch === undefined ? undefined : renderJson(branch, vars);
  }
  if (Array.isArray(template)) {
    return template
      .flatMap((item) => (item instanceof EachTemplate ? eachItems(item, vars) : [renderJson(item, vars)]))
      .filter((item) => item !== undefined);
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
export function templatesIn(template: JsonTemplate | undefined): Template[] {
  if (template === undefined) return [];
  if (template instanceof Template) return [template];
  if (template instanceof EachTemplate) return [template.over, ...templatesIn(template.item)];
  if (template instanceof IfTemplate)
    return [template.test, ...templatesIn(template.whenTrue), ...templatesIn(template.otherwise)];
  if (Array.isArray(template)) return template.flatMap(templatesIn);
  if (template !== null && typeof template === 'object') return Object.values(template).flatMap(templatesIn);
  return [];
}
