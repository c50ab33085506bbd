import { z } from 'zod';
import { compileJsonPath, JsonPathError } from './json-path.ts';
import { compileJsonTemplate, compileTemplate, TemplateSyntaxError } from './template.ts';

/** The compiled strings of a recipe (JSONPaths, templates, regular expressions), shared by its schemas. */

export const jsonPath = z.string().transform((source, ctx) => {
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

export const template = z.string().transform((source, ctx) => {
  try {
    return compileTemplate(source);
  } catch (error) {
    if (!(error instanceof TemplateSyntaxError)) throw error;
    ctx.addIssue({ code: 'custom', message: `invalid template '${source}': ${error.message}` });
    return z.NEVER;
  }
});

export const jsonBody = z.unknown().transform((value, ctx) => {
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
export const captureRegex = z.string().transform((source, ctx) => {
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

export const statuses = z.array(z.number().int().min(100).max(599)).min(1);
export const varName = z.string().regex(/^[A-Za-z_][A-Za-z0-9_]*$/, 'names are letters, digits and _');
export const scalar = z.union([z.string(), z.number(), z.boolean(), z.null()]);

/** Playwright selector syntax: CSS, `text=…`, `role=button[name="Send"]`, `>>` chains; templated. */
export const selector = template;
