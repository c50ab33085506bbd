import { z } from 'zod';
import { captureRegex, jsonBody, jsonPath, scalar, statuses, template, varName } from './recipe-scalars.ts';
import { type StepSchema, UiSchema } from './recipe-ui-schema.ts';

export { ReplyDoneSchema, StepSchema, UiSchema } from './recipe-ui-schema.ts';

// Longer than 400 lines because it is the recipe format's whole schema (versions 1 and 2), each field documented where it is declared; the UI part is in recipe-ui-schema.ts.

/**
 * Recipe format version 2 (and 1, its subset): a site described by a YAML file instead of code (docs/recipes.md).
 * Every object is strict (an unknown key is an error, so a typo never passes silently); strings that
 * are JSONPaths, templates or regular expressions are compiled here, so a recipe that loads is one
 * that can run. The compiled scalars live in recipe-scalars.ts and the `ui` section in
 * recipe-ui-schema.ts; this file stays over 400 lines because the request, stream and API schemas and
 * the recipe's cross-field rules (which read all of them) are one connected definition.
 */
export const RECIPE_FORMAT_VERSION = 2 as const;
/** Format versions this gateway reads (version 1 files load unchanged). */
export const RECIPE_FORMAT_VERSIONS = [1, 2] as const;

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

/**
 * Format 2: a request made before the login (a CSRF token from a `GET`), with its own captures and
 * scraped values; they and the cookies it set are kept across the login step.
 */
export const PreludeStepSchema = z.strictObject({
  request: RequestSchema,
  ok: statuses.default([200]),
  capture: captures.default({}),
  /** Read from this request's response (or from `url`): `csrf: { meta: csrf-token }`. */
  scrape: z.record(varName, ScrapeSchema).default({}),
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
  /**
   * Format 2. `site`: the site keeps each thread. `local`: the API takes the whole conversation and
   * keeps none; the gateway keeps each thread's messages and `{{messages}}` carries them.
   */
  history: z.enum(['site', 'local']).default('site'),
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
  /** Format 2: requests made, in order, before the login request. */
  prelude: z.array(PreludeStepSchema).default([]),
  login: LoginSchema.optional(),
  session: SessionCheckSchema.optional(),
  /** Responses that mean the session ended: log in again once and retry. */
  relogin: z.array(ReloginRuleSchema).default([{ status: 401 }]),
  errors: ErrorsSchema.default({ codes: {}, statuses: {} }),
  models: ModelsListSchema.optional(),
  send: SendSchema.optional(),
  /**
   * How files reach the site. `inline` (format 2): the gateway keeps the bytes and the send body
   * carries them (`{{files}}`, `{{f.dataUrl}}`…), for sites that take `data:` URLs inside messages.
   */
  upload: z
    .union([z.literal('inline'), operation([200, 201], { fileId: jsonPath, mediaType: jsonPath.optional() })])
    .optional(),
  deleteThread: operation([200, 204], {}).optional(),
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
    recipe: z.custom<(typeof RECIPE_FORMAT_VERSIONS)[number]>(
      (value) => RECIPE_FORMAT_VERSIONS.some((version) => version === value),
      { error: `this gateway reads recipe formats ${RECIPE_FORMAT_VERSIONS.join(' and ')}` },
    ),
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
    /**
     * Format 2: requests the browser pages may not make (analytics, CDNs), applied by the gateway and
     * by `check` alike. Glob patterns over URLs (`*` any run of characters).
     */
    network: z
      .strictObject({
        block: z.array(z.string().min(1)).default([]),
        /** When given, only the site's own origin and these may load. */
        allow: z.array(z.string().min(1)).optional(),
      })
      .optional(),
    check: CheckProbesSchema.optional(),
  })
  .superRefine((recipe, ctx) => {
    if (recipe.recipe === 1) {
      if ((recipe.api?.prelude.length ?? 0) > 0)
        ctx.addIssue({ code: 'custom', message: 'prelude needs recipe: 2', path: ['api', 'prelude'] });
      const ui = recipe.ui;
      const v2ui: Array<[boolean, string, (string | number)[]]> = [
        [Boolean(ui?.waits), 'waits', ['ui', 'waits']],
        [Boolean(ui?.setup), 'setup', ['ui', 'setup']],
        [Boolean(ui?.attach?.steps), 'attach.steps', ['ui', 'attach', 'steps']],
        [Boolean(ui?.listModels?.idPattern), 'idPattern', ['ui', 'listModels', 'idPattern']],
        [
          Boolean(ui?.threadId && !ui.threadId.url),
          'threadId from a selector or storage',
          ['ui', 'threadId'],
        ],
        [Boolean(recipe.network), 'network', ['network']],
      ];
      for (const [used, what, path] of v2ui)
        if (used) ctx.addIssue({ code: 'custom', message: `${what} needs recipe: 2`, path });
      if (recipe.api?.send?.history === 'local')
        ctx.addIssue({
          code: 'custom',
          message: 'history: local needs recipe: 2',
          path: ['api', 'send', 'history'],
        });
      if (recipe.api?.upload === 'inline')
        ctx.addIssue({ code: 'custom', message: 'upload: inline needs recipe: 2', path: ['api', 'upload'] });
    }
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
export type RecipePreludeStep = z.output<typeof PreludeStepSchema>;
export type RecipeScrape = z.output<typeof ScrapeSchema>;
export type RecipeStep = z.output<typeof StepSchema>;
export type RecipeErrorKind = z.output<typeof ErrorKindSchema>;
export type RecipeCheckProbes = z.output<typeof CheckProbesSchema>;
export type RecipeModelCapabilities = z.output<typeof ModelCapabilitiesSchema>;
