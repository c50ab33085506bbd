import { existsSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { loadConfig } from '../../config/load-config.ts';
import { createLogger } from '../../core/logger.ts';
import { createSites } from '../../sites/create-sites.ts';
import { embedDemoSite } from '../embed-demo-site.ts';
import { type CheckProbes, DEFAULT_PROBES, probesFor } from '../../sites/recipe/checker/check-probes.ts';
import { DEMO_SITE_PROBES } from '../../sites/recipe/checker/demo-site-probes.ts';
import { formatCheckTable } from '../../sites/recipe/checker/format-check-table.ts';
import { runSiteCheck } from '../../sites/recipe/checker/run-site-check.ts';
import { createRecipeSite } from '../../sites/recipe/create-recipe-site.ts';
import { RecipeError } from '../../sites/recipe/load-recipe.ts';
import { RecipeSite } from '../../sites/recipe/recipe-site.ts';
import { RecipeSiteConfigSchema } from '../../sites/recipe/recipe-site-config.ts';
import type { Site } from '../../site-contract/site.ts';

export const CHECK_USAGE = `Usage: webchat-gateway check <site-id | recipe.yaml> [options]

Probes a site with a live session and prints what works: logged in, models listed, a one-word reply,
streaming incremental, multi-turn continuation, system prompt obeyed, image accepted, abort stops
generation, thread deletion. Exit code 0 when nothing failed, 1 otherwise.

A site id is looked up in the gateway config; a path ending in .yaml/.yml is a recipe.

Options:
  -c, --config <file>          Gateway config (site ids; default: GATEWAY_CONFIG or built-in defaults)
      --base-url <url>         Recipe: the site's origin (overrides the recipe's baseUrl)
      --credential <k=v>       Recipe: a credential (repeatable): --credential username=me
      --credential-env <k=VAR> Recipe: a credential from an environment variable (repeatable)
      --transport <http|browser>  Recipe: how API operations travel (default http)
      --data-dir <dir>         Recipe: where browser profiles live (default ./data)
      --model <id>             Model to chat with (default: the recipe's check.model, else the first)
      --vision-model <id>      Model for the image row (default: the first with vision)
      --timeout <ms>           Give up on a row after this long (default 60000)
      --json                   Print the rows as JSON instead of a table
  -h, --help                   Show this help`;

export interface CommandIo {
  out: (text: string) => void;
  err: (text: string) => void;
}

const STDIO: CommandIo = {
  out: (text) => process.stdout.write(`${text}\n`),
  err: (text) => process.stderr.write(`${text}\n`),
};

export function run(argv: string[]): Promise<number> {
  return runCheck(argv, STDIO);
}

export async function runCheck(argv: string[], io: CommandIo): Promise<number> {
  let parsed: ReturnType<typeof parseCheckArgs>;
  try {
    parsed = parseCheckArgs(argv);
  } catch (error) {
    io.err(`${(error as Error).message}\n\n${CHECK_USAGE}`);
    return 2;
  }
  const { values, positionals } = parsed;
  if (values.help) {
    io.out(CHECK_USAGE);
    return 0;
  }
  const target = positionals[0];
  if (!target || positionals.length > 1) {
    io.err(CHECK_USAGE);
    return 2;
  }
  const logger = createLogger(process.env.LOG_LEVEL ?? 'warn');

  let site: Site;
  let close: () => Promise<void>;
  let probes: CheckProbes;
  let builtInDemo = false;
  try {
    if (/\.ya?ml$/i.test(target) || existsSync(target)) {
      const config = RecipeSiteConfigSchema.parse({
        id: 'check',
        kind: 'recipe',
        recipe: target,
        ...(values['base-url'] ? { baseUrl: values['base-url'] } : {}),
        credentials: pairs(values.credential ?? [], '--credential'),
        credentialsEnv: pairs(values['credential-env'] ?? [], '--credential-env'),
        transport: values.transport ?? 'http',
        watch: false,
      });
      const created = await createRecipeSite(config, { logger, dataDir: values['data-dir'] ?? './data' });
      site = created;
      close = () => created.close();
    } else {
      const config = await loadConfig(values.config ? { path: values.config } : {});
      const siteConfig = config.sites.find((candidate) => candidate.id === target);
      if (!siteConfig) {
        io.err(`No site '${target}' in the config (sites: ${config.sites.map((s) => s.id).join(', ')}).`);
        return 2;
      }
      builtInDemo = siteConfig.kind === 'demo';
      const created = await createSites([siteConfig], logger, { dataDir: config.dataDir, embedDemoSite });
      const first = created.sites[0];
      if (!first) throw new Error(`Site '${target}' could not be created.`);
      site = first;
      close = created.close;
    }
  } catch (error) {
    io.err(
      error instanceof RecipeError ? error.message : `Cannot set up '${target}': ${(error as Error).message}`,
    );
    return 2;
  }

  probes =
    site instanceof RecipeSite
      ? probesFor(site.recipe.check)
      : builtInDemo
        ? DEMO_SITE_PROBES
        : DEFAULT_PROBES;
  probes = {
    ...probes,
    ...(values.model ? { model: values.model } : {}),
    ...(values['vision-model'] ? { visionModel: values['vision-model'] } : {}),
    ...(values.timeout ? { rowTimeoutMs: Number(values.timeout) } : {}),
  };
  try {
    const rows = await runSiteCheck(site, probes);
    io.out(values.json ? JSON.stringify(rows, null, 2) : formatCheckTable(`Checking ${target}`, rows));
    return rows.some((row) => row.status === 'fail') ? 1 : 0;
  } finally {
    await close();
  }
}

function parseCheckArgs(argv: string[]) {
  return parseArgs({
    args: argv,
    allowPositionals: true,
    options: {
      config: { type: 'string', short: 'c' },
      'base-url': { type: 'string' },
      credential: { type: 'string', multiple: true },
      'credential-env': { type: 'string', multiple: true },
      transport: { type: 'string' },
      'data-dir': { type: 'string' },
      model: { type: 'string' },
      'vision-model': { type: 'string' },
      timeout: { type: 'string' },
      json: { type: 'boolean' },
      help: { type: 'boolean', short: 'h' },
    },
  });
}

function pairs(items: string[], flag: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const item of items) {
    const at = item.indexOf('=');
    if (at <= 0) throw new Error(`${flag} takes name=value, got '${item}'`);
    out[item.slice(0, at)] = item.slice(at + 1);
  }
  return out;
}
