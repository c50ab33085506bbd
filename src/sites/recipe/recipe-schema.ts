import { z } from 'zod';
import { compileJsonPath, JsonPathError } from './json-path.ts';
import { compileJsonTemplate, compileTemplate, TemplateSyntaxError } from './template.ts';

/**
 * Recipe format version 1: a site described by a YAML file instead of code (docs/recipes.md).
 * Every object is strict (an unknown key is an error, so a typo never passes silently); strings that
 * are JSONPaths, templates or regular expressions are compiled here, so a recipe that loads is one
 * that can run.
 */
export const RECIPE_FORMAT_VERSION = 1 as const;

// ---------- compiled scalars ----------

const jsonPath = z.string().transform((source, ctx) => {
  try {
    return compileJsonPath(source);
  } catch (error) {
    if (!(error instanceof JsonPathError)) throw error;
    ctx.addIssue({
      code: 'custom',
      message: `invalid JSONPath '${source}': ${error.message} (column ${error.column})`,
    });
    return z.NEVER;
  }
});

const template = z.string().transform((source, ctx) => {
  try {
    return compileTemplate(source);
  } catch (error) {
    if (!(error instanceof TemplateSyntaxError)) throw error;
    ctx.addIssue({ code: 'custom', message: `invalid template '${source}': ${error.message}` });
    return z.NEVER;
  }
});

const jsonBody = z.unknown().transform((value, ctx) => {
  try {
    return compileJsonTemplate(value);
  } catch (error) {
    if (!(error instanceof TemplateSyntaxError)) throw error;
    const path = (error as TemplateSyntaxError & { path?: (string | number)[] }).path ?? [];
    ctx.addIssue({ code: 'custom', message: `invalid template: ${error.message}`, path });
    return z.NEVER;
  }
});

/** A regular expression whose first capture group is the value wanted. */
const captureRegex = z.string().transform((source, ctx) => {
  let regex: RegExp;
  try {
    regex = new RegExp(source);
  } catch (error) {
    ctx.addIssue({ code: 'custom', message: `invalid regular expression: ${(error as Error).message}` });
    return z.NEVER;
  }
  if (new RegExp(`${source}|`).exec('')?.length === 1) {
    ctx.addIssue({ code: 'custom', message: `the regular expression needs a capture group '( )'` });
    return z.NEVER;
  }
  return regex;
});

const statuses = z.array(z.number().int().min(100).max(599)).min(1);
const varName = z.string().regex(/^[A-Za-z_][A-Za-z0-9_]*$/, 'names are letters, digits and _');
const scalar = z.union([z.string(), z.number(), z.boolean(), z.null()]);

/** Playwright selector syntax: CSS, `text=…`, `role=button[name="Send"]`, `>>` chains; templated. */
const selector = template;

// ---------- requests ----------

const HttpMethod = z.enum(['GET', 'POST', 'PUT', 'PATCH', 'DELETE']);

/** `"POST /api/x"` or `"/api/x"` is short for `{ method, url }`. */
function requestShorthand(value: unknown): unknown {
  if (typeof value !== 'string') return value;
  const match = /^(GET|POST|PUT|PATCH|DELETE)\s+(\S+)$/.exec(value.trim());
  return match ? { method: match[1], url: match[2] } : { url: value };
}

export const RequestSchema = z.preprocess(
  requestShorthand,
  z
    .strictObject({
      method: HttpMethod.default('GET'),
      /** Absolute, or relative to the site's base URL; inserted values are URL-encoded. */
      url: template,
      headers: z.record(z.string(), template).default({}),
      /** A JSON body (any YAML value; a lone `{{placeholder}}` keeps its type). */
      json: jsonBody.optional(),
      /** An application/x-www-form-urlencoded body. */
      form: z.record(z.string(), template).optional(),
      /** A multipart/form-data body; `{{file}}` is the uploaded file. */
      multipart: z.record(z.string(), template).optional(),
      /** A raw text body. */
      body: template.optional(),
    })
    .superRefine((request, ctx) => {
      const bodies = (['json', 'form', 'multipart', 'body'] as const).filter(
        (key) => request[key] !== undefined,
      );
      if (bodies.length > 1)
        ctx.addIssue({ code: 'custom', message: `give one body, not ${bodies.join(' and ')}` });
    }),
);

/** Values taken from a JSON response into variables (`{{name}}` in later templates). */
const captures = z.record(varName, jsonPath);

/** Where a value is read from: a page or response, by regex, meta tag, cookie, header or JSONPath. */
export const ScrapeSchema = z
  .strictObject({
    /** Page to fetch (absent: the login response itself). */
    url: template.optional(),
    regex: captureRegex.optional(),
    /** `<meta name="…" content="…">` */
    meta: z.string().optional(),
    cookie: z.string().optional(),
    header: z.string().optional(),
    path: jsonPath.optional(),
  })
  .superRefine((scrape, ctx) => {
    const ways = (['regex', 'meta', 'cookie', 'header', 'path'] as const).filter(
      (k) => scrape[k] !== undefined,
    );
    if (ways.length !== 1)
      ctx.addIssue({ code: 'custom', message: 'give exactly one of regex, meta, cookie, header, path' });
  });

// ---------- conditions and selectors over stream records ----------

/** Matches one stream record: its SSE event name and/or a value at a path. */
export const ConditionSchema = z
  .strictObject({
    /** SSE `event:` name (`message` when the frame has none). */
    event: z.string().optional(),
    path: jsonPath.optional(),
    /** The value at `path` equals this (or one of these); without it, the path must be present. */
    equals: z.union([template, z.number(), z.boolean(), z.null(), z.array(scalar)]).optional(),
  })
  .superRefine((when, ctx) => {
    if (when.event === undefined && when.path === undefined)
      ctx.addIssue({ code: 'custom', message: 'a condition needs event or path' });
    if (when.equals !== undefined && when.path === undefined)
      ctx.addIssue({ code: 'custom', message: 'equals needs a path', path: ['equals'] });
  });

const pathShorthand = (value: unknown) => (typeof value === 'string' ? { path: value } : value);

function oneOrMany<T extends z.ZodType>(item: T) {
  return z
    .union([item, z.array(item).min(1)])
    .transform((value) => (Array.isArray(value) ? (value as z.output<T>[]) : [value as z.output<T>]));
}

/** One condition, or a list that must all hold. */
const when = oneOrMany(ConditionSchema);

export const TextSelectorSchema = z.preprocess(
  pathShorthand,
  z.strictObject({
    path: jsonPath,
    when: when.optional(),
    /** `delta`: each record carries new text; `cumulative`: the whole text so far (turned into deltas). */
    mode: z.enum(['delta', 'cumulative']).default('delta'),
  }),
);

export const ValueSelectorSchema = z.preprocess(
  pathShorthand,
  z.strictObject({ path: jsonPath, when: when.optional() }),
);

export const FinishReasonSchema = z.enum(['stop', 'length', 'tool-calls']);

export const FinishSelectorSchema = z.strictObject({
  when,
  reason: jsonPath.optional(),
  /** Site reason → ours; common names (stop, end_turn, length, max_tokens, tool_calls…) are known. */
  reasons: z.record(z.string(), FinishReasonSchema).default({}),
});

export const ErrorSelectorSchema = z.strictObject({
  when,
  code: jsonPath.optional(),
  message: jsonPath.optional(),
});

export const ToolCallSelectorSchema = z.strictObject({
  when,
  id: jsonPath,
  name: jsonPath,
  /** A JSON string, or an object (serialised). */
  arguments: jsonPath,
});

export const WebSocketSchema = z.strictObject({
  /** `ws(s)://…`, or relative to the base URL (http → ws). The session cookies are sent. */
  url: template,
  /** Frames sent (as JSON) once the socket opens. */
  send: z.array(jsonBody).default([]),
  /** Only frames matching this belong to the reply (a socket shared by many messages). */
  only: when.optional(),
  /** Connect before the send request (sites that push the reply without a subscription). */
  openBeforeSend: z.boolean().default(false),
});

export const StreamSchema = z
  .strictObject({
    /** sse | ndjson (one JSON per line) | json (one body) | websocket (JSON frames). */
    format: z.enum(['sse', 'ndjson', 'json', 'websocket']),
    websocket: WebSocketSchema.optional(),
    text: oneOrMany(TextSelectorSchema),
    thinking: oneOrMany(TextSelectorSchema).optional(),
    threadId: oneOrMany(ValueSelectorSchema).optional(),
    messageId: oneOrMany(ValueSelectorSchema).optional(),
    finish: oneOrMany(FinishSelectorSchema).optional(),
    error: oneOrMany(ErrorSelectorSchema).optional(),
    toolCall: oneOrMany(ToolCallSelectorSchema).optional(),
    /** Raw data that ends the stream (`[DONE]`). */
    endMarker: z.string().optional(),
    /** The end of the body (or the end marker) counts as `finish: stop` when no finish record came. */
    finishOnEnd: z.boolean().default(false),
  })
  .superRefine((stream, ctx) => {
    if (stream.format === 'websocket' && !stream.websocket)
      ctx.addIssue({ code: 'custom', message: `format websocket needs a 'websocket' section` });
    if (stream.format !== 'websocket' && stream.websocket)
      ctx.addIssue({
        code: 'custom',
        message: `'websocket' is only for format websocket`,
        path: ['websocket'],
      });
    if (!stream.finish && !stream.finishOnEnd)
      ctx.addIssue({ code: 'custom', message: `give a 'finish' selector or set finishOnEnd: true` });
  });

// ---------- API operations ----------

const operation = <T extends z.ZodRawShape>(okDefault: number[], extra: T) =>
  z.strictObject({ request: RequestSchema, ok: statuses.default(okDefault), ...extra });

export const LoginSchema = z.strictObject({
  /** The login request (absent when the session comes from elsewhere and only scraping is needed). */
  request: RequestSchema.optional(),
  ok: statuses.default([200, 204, 302]),
  /** Statuses that mean the credentials were refused (the account needs a person). */
  rejected: statuses.default([401, 403]),
  capture: captures.default({}),
  /** Values read after the login (tokens for headers): `csrf: { url: /, meta: csrf-token }`. */
  scrape: z.record(varName, ScrapeSchema).default({}),
  /** Forget cookies before logging in. */
  clearCookies: z.boolean().default(true),
});

export const SessionCheckSchema = operation([200], {
  challenge: z.array(z.number().int()).default([]),
  user: jsonPath.optional(),
});

export const ReloginRuleSchema = z.strictObject({
  status: z.number().int(),
  /** The site's error code (read with `errors.code`) must also match. */
  code: z.string().optional(),
});

export const ErrorKindSchema = z.enum([
  'invalid_request',
  'context_length_exceeded',
  'permission',
  'not_found',
  'request_too_large',
  'rate_limit',
  'overloaded',
  'timeout',
  'upstream',
  'needs_login',
  'thread_not_found',
]);

export const ErrorsSchema = z.strictObject({
  /** Where a site error body keeps its code and message. */
  code: jsonPath.optional(),
  message: jsonPath.optional(),
  /** Site error code → error kind (overrides the status mapping). */
  codes: z.record(z.string(), ErrorKindSchema).default({}),
  /** Status → error kind, overriding the defaults (400 invalid_request, 404 not_found, 429 rate_limit…). */
  statuses: z.record(z.string().regex(/^\d{3}$/, 'a 3-digit status'), ErrorKindSchema).default({}),
});

const boolOrPath = z.union([z.boolean(), jsonPath]);
const numberOrPath = z.union([z.number().int().positive(), jsonPath]);

export const ModelsListSchema = operation([200], {
  /** Each model object in the response. */
  list: jsonPath,
  id: jsonPath,
  name: jsonPath.optional(),
  capabilities: z
    .strictObject({
      vision: boolOrPath,
      files: boolOrPath,
      nativeTools: boolOrPath,
      reasoning: boolOrPath,
      systemPrompt: boolOrPath,
      maxInputChars: numberOrPath,
    })
    .partial()
    .default({}),
});

export const SendSchema = operation([200], {
  /** Values from a JSON send response (when the reply streams elsewhere, e.g. a WebSocket). */
  capture: captures.default({}),
  /** Create the thread first when the turn starts one; its id becomes `{{threadId}}`. */
  createThread: operation([200, 201], { threadId: jsonPath }).optional(),
  stream: StreamSchema,
  /** Sent when the caller aborts (sites whose generation outlives the connection). */
  stop: operation([200, 202, 204], {}).optional(),
}).superRefine((send, ctx) => {
  if (Object.keys(send.capture).length > 0 && send.stream.format !== 'websocket')
    ctx.addIssue({
      code: 'custom',
      message: 'capture reads a JSON send response; with this format the response is the stream',
      path: ['capture'],
    });
});

export const ApiSchema = z.strictObject({
  /** Sent with every API request (templated). */
  headers: z.record(z.string(), template).default({}),
  login: LoginSchema.optional(),
  session: SessionCheckSchema.optional(),
  /** Responses that mean the session ended: log in again once and retry. */
  relogin: z.array(ReloginRuleSchema).default([{ status: 401 }]),
  errors: ErrorsSchema.default({ codes: {}, statuses: {} }),
  models: ModelsListSchema.optional(),
  send: SendSchema.optional(),
  upload: operation([200, 201], { fileId: jsonPath, mediaType: jsonPath.optional() }).optional(),
  deleteThread: operation([200, 204], {}).optional(),
});

// ---------- UI ----------

const STEP_ACTIONS = ['click', 'fill', 'select', 'press', 'goto', 'waitFor', 'reload', 'wait'] as const;

/** One browser action; exactly one action key per step. */
export const StepSchema = z
  .strictObject({
    click: selector.optional(),
    /** Selector to fill with `value`. */
    fill: selector.optional(),
    /** A `<select>` to set to `value` (an option value or label). */
    select: selector.optional(),
    /** A key (`Enter`), pressed in `on` or the focused element. */
    press: z.string().optional(),
    on: selector.optional(),
    goto: template.optional(),
    waitFor: selector.optional(),
    state: z.enum(['visible', 'hidden', 'attached', 'detached']).optional(),
    reload: z.literal(true).optional(),
    /** Milliseconds. */
    wait: z.number().int().min(0).max(60_000).optional(),
    value: template.optional(),
    /** Skip (not fail) when the element is absent, e.g. a drawer already open. */
    optional: z.boolean().default(false),
    /** How long the step may wait for its element. */
    timeoutMs: z.number().int().positive().max(120_000).default(5000),
  })
  .superRefine((step, ctx) => {
    const actions = STEP_ACTIONS.filter((key) => step[key] !== undefined);
    if (actions.length !== 1)
      ctx.addIssue({ code: 'custom', message: `a step needs exactly one of ${STEP_ACTIONS.join(', ')}` });
    if ((step.fill !== undefined || step.select !== undefined) && step.value === undefined)
      ctx.addIssue({ code: 'custom', message: 'fill and select need a value' });
  });

const steps = z.array(StepSchema).min(1);

export const ReplyDoneSchema = z
  .strictObject({
    /** A request whose URL contains this finished (the reply's stream). */
    request: z.string().optional(),
    /** This element is gone (the stop button). */
    hidden: selector.optional(),
    /** This element is shown (a copy button, a "regenerate" link). */
    visible: selector.optional(),
    /** The reply's text did not change for this long. */
    stableMs: z.number().int().positive().optional(),
    timeoutMs: z.number().int().positive().default(120_000),
  })
  .superRefine((done, ctx) => {
    if (done.request === undefined && !done.hidden && !done.visible && done.stableMs === undefined)
      ctx.addIssue({ code: 'custom', message: 'give at least one of request, hidden, visible, stableMs' });
  });

export const UiSchema = z.strictObject({
  /** The chat page. */
  startUrl: template.default(compileTemplate('/')),
  /** Shown only when logged in. */
  loggedIn: selector,
  /** Shown when a login is needed (the login form). */
  needsLogin: selector.optional(),
  /** Shown on a challenge / captcha interstitial. */
  challenge: selector.optional(),
  login: steps.optional(),
  newChat: steps.optional(),
  /** Opens `{{threadId}}` to continue it. */
  openThread: steps.optional(),
  /** Chooses `{{model}}`. */
  selectModel: steps.optional(),
  listModels: z
    .strictObject({
      open: steps.optional(),
      /** Each model option. */
      option: selector,
      /** The option's attribute holding the model id (else its text). */
      idAttribute: z.string().optional(),
      close: steps.optional(),
    })
    .optional(),
  /** Sets `{{systemPrompt}}` on a new chat. */
  systemPrompt: steps.optional(),
  input: selector,
  /** Absent: press Enter in the input. */
  send: selector.optional(),
  stop: selector.optional(),
  /** A file `<input>`, or a button that opens a file chooser. */
  attach: z
    .strictObject({ input: selector.optional(), button: selector.optional(), ready: selector.optional() })
    .superRefine((attach, ctx) => {
      if (!attach.input === !attach.button)
        ctx.addIssue({ code: 'custom', message: 'give one of input or button' });
    })
    .optional(),
  /** The last reply (when several match, the last one is read). */
  reply: selector,
  thinking: selector.optional(),
  /** A failed reply, as the page shows it (counted: only a new one is an error). */
  error: selector.optional(),
  done: ReplyDoneSchema,
  /** The thread id from the page URL after a reply (first capture group). */
  threadId: z.strictObject({ url: captureRegex }).optional(),
  deleteThread: steps.optional(),
});

// ---------- the recipe ----------

export const ModelCapabilitiesSchema = z.strictObject({
  vision: z.boolean().default(false),
  files: z.boolean().default(false),
  nativeTools: z.boolean().default(false),
  reasoning: z.boolean().default(false),
  systemPrompt: z.boolean().default(true),
  maxInputChars: z.number().int().positive().default(100_000),
});

const DEFAULT_MODEL_CAPABILITIES = {
  vision: false,
  files: false,
  nativeTools: false,
  reasoning: false,
  systemPrompt: true,
  maxInputChars: 100_000,
};

const DEFAULT_MEDIA_TYPES = ['image/png', 'image/jpeg', 'image/gif', 'image/webp'];

export const CapabilitiesSchema = z.strictObject({
  threads: z.boolean().default(true),
  acceptedMediaTypes: z
    .array(z.string().regex(/^[\w.+-]+\/[\w.+-]+$/, 'a media type'))
    .default(DEFAULT_MEDIA_TYPES),
  maxUploadBytes: z
    .number()
    .int()
    .positive()
    .default(10 * 1024 * 1024),
  models: ModelCapabilitiesSchema.default(DEFAULT_MODEL_CAPABILITIES),
});

export const StaticModelSchema = z.strictObject({
  id: z.string().min(1),
  name: z.string().min(1).optional(),
  capabilities: ModelCapabilitiesSchema.partial().default({}),
});

/** Prompts the checker uses when the defaults do not suit the site (docs/recipes.md#check). */
export const CheckProbesSchema = z.strictObject({
  model: z.string().optional(),
  visionModel: z.string().optional(),
  longPrompt: z.string().optional(),
  systemPrompt: z
    .strictObject({ system: z.string(), text: z.string(), expect: captureRegexOrPlain() })
    .optional(),
  image: z.strictObject({ text: z.string(), expect: captureRegexOrPlain() }).optional(),
});

function captureRegexOrPlain() {
  return z.string().transform((source, ctx) => {
    try {
      return new RegExp(source, 'i');
    } catch (error) {
      ctx.addIssue({ code: 'custom', message: `invalid regular expression: ${(error as Error).message}` });
      return z.NEVER;
    }
  });
}

export const RecipeSchema = z
  .strictObject({
    recipe: z.literal(RECIPE_FORMAT_VERSION, {
      error: `this gateway reads recipe format ${RECIPE_FORMAT_VERSION}`,
    }),
    name: z.string().min(1),
    /** The site's origin; the gateway config may override it. */
    baseUrl: z.url().optional(),
    /** Names of the credentials the recipe uses (`{{username}}`…); the config supplies the values. */
    credentials: z.array(varName).default(['username', 'password']),
    capabilities: CapabilitiesSchema.default({
      threads: true,
      acceptedMediaTypes: DEFAULT_MEDIA_TYPES,
      maxUploadBytes: 10 * 1024 * 1024,
      models: DEFAULT_MODEL_CAPABILITIES,
    }),
    /** A fixed model list, for sites that have no list to read. */
    models: z.array(StaticModelSchema).min(1).optional(),
    /** Extra public model names → the site's model id. */
    aliases: z.record(z.string().min(1), z.string().min(1)).default({}),
    api: ApiSchema.optional(),
    ui: UiSchema.optional(),
    check: CheckProbesSchema.optional(),
  })
  .superRefine((recipe, ctx) => {
    if (!recipe.api?.send && !recipe.ui)
      ctx.addIssue({ code: 'custom', message: `the recipe cannot send: add api.send or a ui section` });
    if (!recipe.models && !recipe.api?.models && !recipe.ui?.listModels)
      ctx.addIssue({
        code: 'custom',
        message: `the recipe lists no models: add models, api.models or ui.listModels`,
      });
  });

export type Recipe = z.output<typeof RecipeSchema>;
export type RecipeApi = z.output<typeof ApiSchema>;
export type RecipeUi = z.output<typeof UiSchema>;
export type RecipeRequest = z.output<typeof RequestSchema>;
export type RecipeStream = z.output<typeof StreamSchema>;
export type RecipeCondition = z.output<typeof ConditionSchema>;
export type RecipeScrape = z.output<typeof ScrapeSchema>;
export type RecipeStep = z.output<typeof StepSchema>;
export type RecipeErrorKind = z.output<typeof ErrorKindSchema>;
export type RecipeCheckProbes = z.output<typeof CheckProbesSchema>;
export type RecipeModelCapabilities = z.output<typeof ModelCapabilitiesSchema>;
