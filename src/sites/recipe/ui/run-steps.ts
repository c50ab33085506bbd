import { GatewayError } from '../../../core/errors.ts';
import type { Page } from '../../../transports/browser/browser-library.ts';
import { resolveUrl } from '../build-request.ts';
import type { RecipeStep } from '../recipe-schema.ts';
import { renderString, type Template, type TemplateVars } from '../template.ts';

export interface StepContext {
  page: Page;
  baseUrl: string;
  vars: TemplateVars;
  signal: AbortSignal;
}

/** A step that could not be done (element missing, timeout); says which step of which list. */
export class StepError extends GatewayError {
  /** The failed step's action and selector (`click '[data-testid=send]'`). */
  readonly step: string;
  constructor(what: string, index: number, cause: unknown, step = '') {
    super(
      'upstream',
      `The page did not let the gateway ${what} (step ${index + 1}${step ? `, ${step}` : ''}): ${firstLine(cause)}`,
      { cause },
    );
    this.name = 'StepError';
    this.step = step;
  }
}

/** `click '…'`, `fill '…'`, `goto /x`: what a step does, for error messages. */
export function describeStep(step: RecipeStep): string {
  for (const key of ['click', 'fill', 'select', 'waitFor', 'goto'] as const) {
    const template = step[key];
    if (template) return `${key} '${template.source}'`;
  }
  if (step.press !== undefined) return `press ${step.press}${step.on ? ` on '${step.on.source}'` : ''}`;
  if (step.reload) return 'reload';
  return `wait ${step.wait ?? 0} ms`;
}

/** Renders a selector template with the operation's variables. */
export function selectorOf(template: Template, vars: TemplateVars): string {
  return renderString(template, vars);
}

/**
 * Runs recipe steps in order on a page, as a person would: click, fill, choose, press, navigate,
 * wait. Selectors are Playwright's (CSS, `text=`, `role=`), so hashed class names can be avoided.
 */
export async function runSteps(
  steps: readonly RecipeStep[],
  what: string,
  context: StepContext,
): Promise<void> {
  for (const [index, step] of steps.entries()) {
    context.signal.throwIfAborted();
    try {
      // An idempotent toggle: already in the wanted state, nothing to do.
      if (step.unless && (await isShown(context.page, selectorOf(step.unless, context.vars)))) continue;
      await runStep(step, context);
    } catch (error) {
      if (context.signal.aborted) throw context.signal.reason;
      throw new StepError(what, index, error, describeStep(step));
    }
  }
}

async function runStep(step: RecipeStep, { page, baseUrl, vars }: StepContext): Promise<void> {
  const timeout = step.timeoutMs;
  const value = step.value ? renderString(step.value, vars) : '';
  const locate = async (template: Template) => {
    const locator = page.locator(selectorOf(template, vars)).last();
    if (step.optional && (await locator.count()) === 0) return undefined;
    return locator;
  };
  if (step.click) {
    await (await locate(step.click))?.click({ timeout });
  } else if (step.fill) {
    await (await locate(step.fill))?.fill(value, { timeout });
  } else if (step.select) {
    const locator = await locate(step.select);
    // A value first, else a visible label.
    await locator
      ?.selectOption(value, { timeout })
      .catch(() => locator.selectOption({ label: value }, { timeout }));
  } else if (step.press !== undefined) {
    if (step.on) await (await locate(step.on))?.press(step.press, { timeout });
    else await page.keyboard.press(step.press);
  } else if (step.goto) {
    const url = resolveUrl(renderString(step.goto, vars, encodeURIComponent), baseUrl);
    await page.goto(url, { waitUntil: 'domcontentloaded', timeout: Math.max(timeout, 15_000) });
  } else if (step.waitFor) {
    const locator = page.locator(selectorOf(step.waitFor, vars)).last();
    await locator.waitFor({ state: step.state ?? 'visible', timeout }).catch((error: unknown) => {
      if (!step.optional) throw error;
    });
  } else if (step.reload) {
    await page.reload({ waitUntil: 'domcontentloaded', timeout: Math.max(timeout, 15_000) });
  } else if (step.wait !== undefined) {
    await page.waitForTimeout(step.wait);
  }
}

async function isShown(page: Page, selector: string): Promise<boolean> {
  return page
    .locator(selector)
    .first()
    .isVisible()
    .catch(() => false);
}

function firstLine(error: unknown): string {
  const message = error instanceof Error ? error.message : String(error);
  return message.split('\n')[0] ?? message;
}
