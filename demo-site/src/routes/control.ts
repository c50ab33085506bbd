import type { FastifyInstance } from 'fastify';
import { AccountFaultsSchema } from '../account-faults.ts';
import { applyAccountFaults, applyFaults, resetSite, type SiteContext, siteStats } from '../context.ts';
import { DemoError } from '../errors.ts';
import { FaultsSchema } from '../faults.ts';
import { parseBody } from './parse-body.ts';

/** Test switches; registered only when the site runs with `control: true`. No session or CSRF needed. */
export function registerControlRoutes(app: FastifyInstance, ctx: SiteContext): void {
  app.post('/__control/faults', async (request) => {
    applyFaults(ctx, parseBody(FaultsSchema, request.body));
    return { faults: ctx.faults.snapshot() };
  });

  app.get('/__control/faults', async () => ({ faults: ctx.faults.snapshot() }));

  app.post<{ Params: { username: string } }>('/__control/accounts/:username/faults', async (request) => {
    const { username } = request.params;
    accountOf(ctx, username);
    applyAccountFaults(ctx, username, parseBody(AccountFaultsSchema, request.body));
    return { username, faults: ctx.accountFaults.snapshot(username) };
  });

  app.get<{ Params: { username: string } }>('/__control/accounts/:username/faults', async (request) => {
    const username = accountOf(ctx, request.params.username);
    return { username, faults: ctx.accountFaults.snapshot(username) };
  });

  app.get('/__control/stats', async () => siteStats(ctx));

  app.post('/__control/reset', async () => {
    resetSite(ctx);
    return { reset: true };
  });

  app.get<{ Params: { id: string } }>('/__control/threads/:id/log', async (request) => {
    const messages = ctx.received.forThread(request.params.id);
    if (!messages)
      throw new DemoError(404, 'thread_not_found', `Nothing was received for thread ${request.params.id}.`);
    return { threadId: request.params.id, texts: messages.map((m) => m.text), messages };
  });

  app.get<{ Querystring: { limit?: string } }>('/__control/received', async (request) => {
    const limit = Number.parseInt(request.query.limit ?? '', 10);
    return { messages: ctx.received.recent(Number.isFinite(limit) && limit > 0 ? limit : undefined) };
  });
}

/** 404 `account_not_found` (checked before the body) for a username the site does not have. */
function accountOf(ctx: SiteContext, username: string): string {
  if (!ctx.accounts.has(username)) throw new DemoError(404, 'account_not_found', `No account ${username}.`);
  return username;
}
