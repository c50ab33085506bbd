import assert from 'node:assert/strict';
import { readdir, readFile } from 'node:fs/promises';
import { describe, test } from 'node:test';
import { loadRecipe, parseRecipe, RecipeError } from './load-recipe.ts';

const RECIPES_DIR = new URL('../../../recipes/', import.meta.url);

/** A minimal valid API recipe; tests break one line of it. */
const BASE = `recipe: 1
name: Tiny
baseUrl: http://127.0.0.1:1
models:
  - id: m1
api:
  send:
    request:
      method: POST
      url: /chat
      json: { text: '{{text}}' }
    stream:
      format: sse
      text: { when: { event: text }, path: $.delta }
      finish: { when: { event: done } }
`;

function problemsOf(yaml: string): string[] {
  try {
    parseRecipe(yaml, 'site.yaml');
  } catch (error) {
    assert.ok(error instanceof RecipeError, String(error));
    return error.message.split('\n');
  }
  assert.fail('the recipe was accepted');
}

describe('recipe loading and its error messages', () => {
  test('the minimal recipe loads', () => {
    const recipe = parseRecipe(BASE);
    assert.equal(recipe.name, 'Tiny');
    assert.equal(recipe.api?.send?.request.method, 'POST');
  });

  test('every example recipe in recipes/ loads', async () => {
    const files = (await readdir(RECIPES_DIR)).filter((name) => name.endsWith('.yaml'));
    assert.ok(files.length >= 2, files.join(', '));
    for (const file of files) await loadRecipe(new URL(file, RECIPES_DIR).pathname);
  });

  test('the annotated example in docs/recipes.md loads', async () => {
    const doc = await readFile(new URL('../../../docs/recipes.md', import.meta.url), 'utf8');
    const example = /## A complete annotated example[\s\S]*?```yaml\n([\s\S]*?)```/.exec(doc)?.[1];
    assert.ok(example, 'the example block');
    const recipe = parseRecipe(example, 'docs/recipes.md');
    assert.ok(recipe.api?.send && recipe.ui && recipe.check);
  });

  test('bad YAML names its line', () => {
    const problems = problemsOf(BASE.replace("json: { text: '{{text}}' }", "json: { text: '{{text}}'"));
    assert.match(problems[0] ?? '', /^site\.yaml:1[12] yaml: /);
  });

  test('an unknown key names the key, its line and its path', () => {
    const problems = problemsOf(BASE.replace('      text: {', '      txt: {'));
    assert.ok(problems.includes(`site.yaml:14 api.send.stream: unknown key 'txt'`), problems.join('\n'));
    assert.ok(
      problems.includes(`site.yaml:12 api.send.stream: missing required key 'text'`),
      problems.join('\n'),
    );
  });

  test('an unknown key inside a selector object', () => {
    const problems = problemsOf(BASE.replace('path: $.delta', 'path: $.delta, mdoe: delta'));
    assert.deepEqual(problems, [`site.yaml:14 api.send.stream.text: unknown key 'mdoe'`]);
  });

  test('an invalid JSONPath says what and where', () => {
    const problems = problemsOf(BASE.replace('path: $.delta', 'path: $..delta'));
    assert.deepEqual(problems, [
      `site.yaml:14 api.send.stream.text.path: invalid JSONPath '$..delta': recursive descent '..' is not supported (column 2)`,
    ]);
    const shorthand = problemsOf(BASE.replace('{ when: { event: text }, path: $.delta }', 'delta'));
    assert.match(
      shorthand[0] ?? '',
      /^site\.yaml:14 api\.send\.stream\.text\.path: invalid JSONPath 'delta': a path starts with '\$'/,
    );
  });

  test('missing UI selectors are named', () => {
    const problems = problemsOf(
      `${BASE}ui:\n  loggedIn: '#app'\n  input: '#input'\n  done: { stableMs: 500 }\n`,
    );
    assert.deepEqual(problems, [`site.yaml:16 ui: missing required key 'reply'`]);
  });

  test('an unknown placeholder lists the known ones', () => {
    const problems = problemsOf(BASE.replace("'{{text}}'", "'{{txet}}'"));
    assert.equal(problems.length, 1);
    assert.match(
      problems[0] ?? '',
      /^site\.yaml:11 api\.send\.request\.json\.text: unknown placeholder '\{\{txet\}\}' \(known: .*text/,
    );
  });

  test('a bad template, a bad regex and a wrong version', () => {
    assert.deepEqual(problemsOf(BASE.replace("'{{text}}'", "'{{text'")), [
      `site.yaml:11 api.send.request.json.text: invalid template: unclosed '{{' at character 1`,
    ]);
    assert.deepEqual(
      problemsOf(`${BASE}  login:\n    scrape:\n      csrf: { url: /, regex: 'token=\\w+' }\n`),
      [`site.yaml:18 api.login.scrape.csrf.regex: the regular expression needs a capture group '( )'`],
    );
    assert.deepEqual(problemsOf(BASE.replace('recipe: 1', 'recipe: 3')), [
      `site.yaml:1 recipe: this gateway reads recipe formats 1 and 2`,
    ]);
  });

  test('format 2 pieces need recipe: 2; version 1 files load as before', () => {
    const prelude = `${BASE}  prelude:\n    - request: GET /csrf\n      capture: { token: $.token }\n  upload: inline\n`;
    assert.deepEqual(problemsOf(prelude), [
      `site.yaml:16 api.prelude: prelude needs recipe: 2`,
      `site.yaml:19 api.upload: upload: inline needs recipe: 2`,
    ]);
    const v2 = parseRecipe(prelude.replace('recipe: 1', 'recipe: 2'));
    assert.equal(v2.api?.prelude[0]?.request.url.source, '/csrf');
    assert.equal(v2.api?.upload, 'inline');
    assert.equal(parseRecipe(BASE).api?.send?.history, 'site');
  });

  test('loop variables are known inside $each; unknown ones are still refused', () => {
    const body = (item: string) =>
      BASE.replace('recipe: 1', 'recipe: 2').replace(
        "json: { text: '{{text}}' }",
        `json: { messages: { $each: '{{messages}}', $as: m, $item: { role: '{{${item}}}' } } }`,
      );
    assert.ok(parseRecipe(body('m.role')));
    assert.match(problemsOf(body('x.role'))[0] ?? '', /unknown placeholder '\{\{x\.role\}\}'/);
  });

  test('cross-field rules: a websocket stream needs its section; a recipe must send and list models', () => {
    assert.deepEqual(problemsOf(BASE.replace('format: sse', 'format: websocket')), [
      `site.yaml:12 api.send.stream: format websocket needs a 'websocket' section`,
    ]);
    const noSend = problemsOf('recipe: 1\nname: Empty\n');
    assert.deepEqual(noSend, [
      `site.yaml:1 (top level): the recipe cannot send: add api.send or a ui section`,
      `site.yaml:1 (top level): the recipe lists no models: add models, api.models or ui.listModels`,
    ]);
  });
});
