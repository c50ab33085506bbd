import { z } from 'zod';
import { captureRegex, jsonPath, selector, template } from './recipe-scalars.ts';
import { compileTemplate } from './template.ts';

/** The `ui` section of a recipe: steps, selectors and waits for driving the site's page (docs/recipes.md). */

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
    /** Format 2: skip the step when this is visible (a toggle already on), so setup can run again. */
    unless: selector.optional(),
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
      /** Format 2: the id is this regex's first capture group of that value (`^(\S+)` of "fake-beta (openai)"). */
      idPattern: captureRegex.optional(),
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
    .strictObject({
      /** Format 2: steps that reveal the file input or button first (a "+" menu, then "Upload"). */
      steps: steps.optional(),
      /** Files are set on this `<input type=file>` directly, hidden or not. */
      input: selector.optional(),
      button: selector.optional(),
      ready: selector.optional(),
    })
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
  /**
   * The thread id after a reply: from the page URL (first capture group), or (format 2) from an
   * element (its text or an attribute, e.g. a hidden input's value) or a page-storage key.
   */
  threadId: z
    .strictObject({
      url: captureRegex.optional(),
      selector: selector.optional(),
      /** With `selector`: the attribute holding the id (`value` for a hidden input); else the text. */
      attribute: z.string().optional(),
      storage: z
        .strictObject({
          area: z.enum(['local', 'session', 'indexedDB']),
          /** The storage key (indexedDB: the record's key). */
          key: z.string().min(1),
          /** indexedDB: database and object store. */
          database: z.string().optional(),
          store: z.string().optional(),
          /** A JSONPath into the stored value when it is JSON (`$.id`). */
          path: jsonPath.optional(),
        })
        .superRefine((storage, ctx) => {
          if (storage.area === 'indexedDB' && (!storage.database || !storage.store))
            ctx.addIssue({ code: 'custom', message: 'indexedDB needs database and store' });
        })
        .optional(),
    })
    .superRefine((from, ctx) => {
      const ways = (['url', 'selector', 'storage'] as const).filter((key) => from[key] !== undefined);
      if (ways.length !== 1)
        ctx.addIssue({ code: 'custom', message: 'give exactly one of url, selector, storage' });
      if (from.attribute !== undefined && from.selector === undefined)
        ctx.addIssue({ code: 'custom', message: 'attribute needs a selector', path: ['attribute'] });
    })
    .optional(),
  /** Format 2: how long the page may take to show logged in / login / challenge, and what "ready" means. */
  waits: z
    .strictObject({
      pageStateMs: z.number().int().positive().max(300_000).default(15_000),
      /** Shown once the chat can take a message (after `loggedIn`), e.g. an enabled input. */
      ready: selector.optional(),
      readyMs: z.number().int().positive().max(300_000).default(15_000),
    })
    .optional(),
  /**
   * Format 2: steps a person does once in the app (choose a backend, enable inline images), run after
   * the first login and again on demand; make toggles idempotent with `unless`.
   */
  setup: steps.optional(),
  deleteThread: steps.optional(),
});
