import { readFile } from 'node:fs/promises';
import { basename } from 'node:path';
import { type Document, LineCounter, parseDocument } from 'yaml';
import type { z } from 'zod';
import { type Recipe, RecipeSchema } from './recipe-schema.ts';
import { EachTemplate, IfTemplate, Template } from './template.ts';
import { formatPath, lineOf, type PathSegment } from './yaml-locations.ts';

export interface RecipeProblem {
  line?: number;
  path: string;
  message: string;
}

/** A recipe that cannot be used; the message lists every problem as `file:line path: message`. */
export class RecipeError extends Error {
  readonly file: string;
  readonly problems: RecipeProblem[];
  constructor(file: string, problems: RecipeProblem[]) {
    super(problems.map((problem) => formatProblem(file, problem)).join('\n'));
    this.name = 'RecipeError';
    this.file = file;
    this.problems = problems;
  }
}

export function formatProblem(file: string, problem: RecipeProblem): string {
  const where = problem.line === undefined ? file : `${file}:${problem.line}`;
  return `${where} ${problem.path}: ${problem.message}`;
}

/** Values every template may use; a recipe adds its credentials, captures and scraped values. */
export const BUILTIN_VARIABLES = [
  'model',
  'text',
  'threadId',
  'fileIds',
  'systemPrompt',
  'messageId',
  'turn',
  'maxTokens',
  'temperature',
  'isNewThread',
  'file',
  'filename',
  'mediaType',
  'uuid',
  'now',
  // format 2: the conversation the turn sends and its files (docs/recipes.md#conversation-bodies)
  'messages',
  'files',
  'toolResults',
] as const;

export async function loadRecipe(path: string): Promise<Recipe> {
  return parseRecipe(await readFile(path, 'utf8'), basename(path));
}

/** Parses and validates recipe YAML; throws RecipeError naming the line and path of each problem. */
export function parseRecipe(text: string, file = 'recipe.yaml'): Recipe {
  const lineCounter = new LineCounter();
  const document = parseDocument(text, { lineCounter, prettyErrors: false, uniqueKeys: true });
  const [syntaxError] = document.errors;
  if (syntaxError) {
    // Later YAML errors are mostly echoes of the first one; report that one.
    throw new RecipeError(file, [
      {
        line: lineCounter.linePos(syntaxError.pos[0]).line,
        path: 'yaml',
        message: syntaxError.message.split('\n')[0] ?? syntaxError.message,
      },
    ]);
  }
  const result = RecipeSchema.safeParse(document.toJS());
  if (!result.success) {
    throw new RecipeError(file, problemsFromIssues(result.error.issues, document, lineCounter));
  }
  const unknown = unknownPlaceholders(result.data, document, lineCounter);
  if (unknown.length > 0) throw new RecipeError(file, unknown);
  return result.data;
}

type Issue = z.core.$ZodIssue;

function problemsFromIssues(issues: Issue[], document: Document, lineCounter: LineCounter): RecipeProblem[] {
  const problems: RecipeProblem[] = [];
  for (const issue of flattenIssues(issues, [])) {
    const path = issue.path as PathSegment[];
    if (issue.code === 'unrecognized_keys') {
      for (const key of issue.keys) {
        problems.push({
          line: lineOf(document, lineCounter, path, key),
          path: formatPath(path),
          message: `unknown key '${key}'`,
        });
      }
      continue;
    }
    const missing =
      (issue.code === 'invalid_type' || issue.code === 'invalid_union') &&
      document.getIn(path, true) === undefined;
    const last = path.at(-1);
    if (missing && typeof last === 'string') {
      problems.push({
        line: lineOf(document, lineCounter, path),
        path: formatPath(path.slice(0, -1)),
        message: `missing required key '${last}'`,
      });
      continue;
    }
    problems.push({
      line: lineOf(document, lineCounter, path),
      path: formatPath(path),
      message: issue.message,
    });
  }
  return dedupe(problems);
}

/**
 * Replaces each union failure with the issues of the branch the author most likely meant: the one
 * that got past the type check (a string selector vs an object selector).
 */
function flattenIssues(issues: Issue[], prefix: PathSegment[]): Issue[] {
  const out: Issue[] = [];
  for (const issue of issues) {
    const path = [...prefix, ...(issue.path as PathSegment[])];
    if (issue.code === 'invalid_union' && issue.errors.length > 0) {
      const branches = issue.errors.map((branch) => ({
        branch,
        typeMismatch: branch.some((inner) => inner.code === 'invalid_type' && inner.path.length === 0),
      }));
      const meant = branches.find((candidate) => !candidate.typeMismatch);
      if (meant) {
        out.push(...flattenIssues(meant.branch, path));
        continue;
      }
    }
    out.push({ ...issue, path } as Issue);
  }
  return out;
}

function dedupe(problems: RecipeProblem[]): RecipeProblem[] {
  const seen = new Set<string>();
  return problems.filter((problem) => {
    const key = `${problem.line}|${problem.path}|${problem.message}`;
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
}

/** Names a recipe's templates may use. */
export function recipeVariables(recipe: Recipe): Set<string> {
  const names = new Set<string>([...BUILTIN_VARIABLES, ...recipe.credentials]);
  const login = recipe.api?.login;
  for (const name of Object.keys(login?.capture ?? {})) names.add(name);
  for (const name of Object.keys(login?.scrape ?? {})) names.add(name);
  for (const name of Object.keys(recipe.api?.send?.capture ?? {})) names.add(name);
  for (const step of recipe.api?.prelude ?? []) {
    for (const name of Object.keys(step.capture)) names.add(name);
    for (const name of Object.keys(step.scrape)) names.add(name);
  }
  return names;
}

function unknownPlaceholders(recipe: Recipe, document: Document, lineCounter: LineCounter): RecipeProblem[] {
  const known = recipeVariables(recipe);
  // Loop variables (`$as: m` → `m`, `mIndex`) are known inside their `$each`; checked by name here.
  walkTemplates(
    recipe,
    [],
    () => undefined,
    (as) => {
      known.add(as);
      known.add(`${as}Index`);
    },
  );
  const problems: RecipeProblem[] = [];
  walkTemplates(recipe, [], (template, path) => {
    for (const dotted of template.names) {
      const name = dotted.split('.')[0] ?? dotted;
      if (known.has(name) || known.has(dotted)) continue;
      problems.push({
        line: lineOf(document, lineCounter, path),
        path: formatPath(path),
        message: `unknown placeholder '{{${dotted}}}' (known: ${[...known].sort().join(', ')})`,
      });
    }
  });
  return problems;
}

function walkTemplates(
  value: unknown,
  path: PathSegment[],
  visit: (template: Template, path: PathSegment[]) => void,
  loop: (as: string) => void = () => undefined,
): void {
  if (value instanceof Template) {
    visit(value, path);
    return;
  }
  if (value instanceof EachTemplate) {
    loop(value.as);
    visit(value.over, [...path, '$each']);
    walkTemplates(value.item, [...path, '$item'], visit, loop);
    return;
  }
  if (value instanceof IfTemplate) {
    visit(value.test, [...path, '$if']);
    walkTemplates(value.whenTrue, [...path, '$then'], visit, loop);
    walkTemplates(value.otherwise, [...path, '$else'], visit, loop);
    return;
  }
  if (Array.isArray(value)) {
    value.forEach((item, index) => {
      walkTemplates(item, [...path, index], visit, loop);
    });
    return;
  }
  if (value !== null && typeof value === 'object' && Object.getPrototypeOf(value) === Object.prototype) {
    for (const [key, item] of Object.entries(value)) walkTemplates(item, [...path, key], visit, loop);
  }
}

/** Every placeholder name (first segment) the recipe's templates use, for the capability warnings. */
export function usedPlaceholders(value: unknown): Set<string> {
  const used = new Set<string>();
  walkTemplates(value, [], (template) => {
    for (const name of template.names) {
      used.add(name);
      used.add(name.split('.')[0] ?? name);
    }
  });
  return used;
}
