/**
 * The admin dashboard at `/admin`, on the gateway's own port: server-rendered pages (`html.ts`),
 * htmx for forms and refreshes, uPlot for charts, all served from this install (`assets.ts`).
 * Signed in with the admin token (`sign-in-routes.ts`); every page checks the session cookie and
 * every change its CSRF token (`guard.ts`). Beside `/admin/api/*` (admin token) and
 * `/admin/remote-login/*` (the viewer), whose paths it leaves alone.
 */
import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { Kysely } from 'kysely';
import { z } from 'zod';
import type { AdmissionSnapshot } from '../../admission/admission.ts';
import { recentUsage, usageModels } from '../../multi-user/recent-usage.ts';
import { usageReport } from '../../multi-user/usage-report.ts';
import { bucketStart, usageSeries } from '../../multi-user/usage-series.ts';
import { createUsersRepository } from '../../multi-user/users-repository.ts';
import type { Database } from '../../store/schema.ts';
import type { AccountPool } from '../../sites/pool/account-pool.ts';
import { allAccountViews, registerAccountRoutes } from './account-routes.ts';
import { registerDashboardAssets } from './assets.ts';
import { auditPage } from './audit-page.ts';
import { dashboardRoutes, type Render } from './guard.ts';
import { page, type Section } from './layout.ts';
import { overviewCharts, RANGES } from './overview-charts.ts';
import { overviewPage } from './overview-page.ts';
import { type LiveRequestSource, liveRequestsTable } from './live-requests-page.ts';
import { type LedgerFilter, ledgerSection, requestsPage } from './requests-page.ts';
import type { Notice } from './users-pages.ts';
import { DashboardSessions, type SessionOptions } from './sessions.ts';
import { registerSignInRoutes, type SignInOptions } from './sign-in-routes.ts';
import { registerUserRoutes } from './user-routes.ts';

export interface DashboardDeps extends SignInOptions {
  db: Kysely<Database>;
  /** After a change that can affect authentication (the store authenticator's cache). */
  onUsersChange: () => void;
  admission?: { snapshot(): AdmissionSnapshot } | undefined;
  pools: Map<string, AccountPool>;
  remoteLoginPrefix: string | undefined;
  /** Chat requests in flight (the Requests page lists them and cancels one). */
  liveRequests?: LiveRequestSource | undefined;
  sessions?: SessionOptions;
}

export interface Dashboard {
  /** Whether the request carries a live dashboard session (the remote-login viewer accepts it). */
  isSignedIn(request: FastifyRequest): boolean;
}

const LEDGER_ROWS = 100;
const ledgerQuery = z.object({
  user: z.string().max(200).optional(),
  key: z.string().max(100).optional(),
  model: z.string().max(300).optional(),
  status: z.string().max(50).optional(),
});
const auditQuery = z.object({ before: z.string().max(200).optional() });

export function registerDashboard(app: FastifyInstance, deps: DashboardDeps): Dashboard {
  const sessions = new DashboardSessions(deps.sessions);
  const assets = registerDashboardAssets(app);
  const routes = dashboardRoutes(app, sessions);
  registerSignInRoutes(app, sessions, routes, assets, deps);
  const users = createUsersRepository(deps.db);
  const accountDeps = {
    pools: deps.pools,
    remoteLoginPrefix: deps.remoteLoginPrefix,
    admission: deps.admission,
  };

  /** Renders a page of `section`; the CSRF token comes from the request's session. */
  const renderer =
    (section: Section): Render =>
    (session, title, body) =>
      page({ assets, section, title, csrfToken: session.csrfToken, body });

  routes.get('/admin', async (request, _reply, session) => {
    const now = Date.now();
    const range = (request.query as { range?: unknown }).range === 'day' ? 'day' : 'hour';
    const { bucketMs, spanMs } = RANGES[range];
    const [lastHour, lastDay, series] = await Promise.all([
      usageReport(deps.db, { from: now - 3600_000 }),
      usageReport(deps.db, { from: now - 86400_000 }),
      usageSeries(deps.db, { from: bucketStart(now - spanMs, bucketMs) + bucketMs, to: now + 1, bucketMs }),
    ]);
    return renderer('overview')(
      session,
      'Overview',
      overviewPage({
        lastHour: lastHour.totals,
        lastDay: lastDay.totals,
        admission: deps.admission?.snapshot(),
        accounts: allAccountViews(accountDeps),
        charts: overviewCharts(series, range),
      }),
    );
  });

  const ledgerFilter = (query: unknown): LedgerFilter => {
    const parsed = ledgerQuery.safeParse(query ?? {});
    const value = parsed.success ? parsed.data : {};
    return {
      user: value.user ?? '',
      key: value.key ?? '',
      model: value.model ?? '',
      status: value.status ?? '',
    };
  };
  const ledgerRows = (filter: LedgerFilter) =>
    recentUsage(deps.db, {
      userId: filter.user || undefined,
      keyPrefix: filter.key.trim() || undefined,
      model: filter.model || undefined,
      status: filter.status || undefined,
      limit: LEDGER_ROWS,
    });
  const liveTable = async (message?: Notice) => {
    if (!deps.liveRequests) return undefined;
    const names = new Map((await users.listUsers()).map((user) => [user.id, user.name]));
    return liveRequestsTable(deps.liveRequests.list(), names, message);
  };
  routes.get('/admin/requests', async (request, _reply, session) => {
    const filter = ledgerFilter(request.query);
    const [rows, userList, models, live] = await Promise.all([
      ledgerRows(filter),
      users.listUsers(),
      usageModels(deps.db),
      liveTable(),
    ]);
    return renderer('requests')(
      session,
      'Requests',
      requestsPage({ filter, users: userList, models, rows, live }),
    );
  });
  routes.get(
    '/admin/requests/live',
    async (_request, reply) => (await liveTable()) ?? reply.code(404).send(''),
  );
  routes.post('/admin/requests/:id/cancel', async (request, reply) => {
    const { id } = request.params as { id: string };
    if (!deps.liveRequests) return reply.code(404).send('');
    const cancelled = deps.liveRequests.cancel(id);
    const table = await liveTable(
      cancelled
        ? { tone: 'ok', text: 'Cancelled.' }
        : { tone: 'bad', text: 'That request had already ended.' },
    );
    return table ?? reply.code(404).send('');
  });
  routes.get('/admin/requests/ledger', async (request) =>
    ledgerSection(await ledgerRows(ledgerFilter(request.query))),
  );

  routes.get('/admin/audit', async (request, _reply, session) => {
    const parsed = auditQuery.safeParse(request.query ?? {});
    const before = parsed.success ? parsed.data.before : undefined;
    const limit = 100;
    const [rows, userList] = await Promise.all([
      users.auditLog({ limit: limit + 1, before }),
      users.listUsers(),
    ]);
    const pageRows = rows.slice(0, limit);
    const next = rows.length > limit ? pageRows[pageRows.length - 1]?.id : undefined;
    return renderer('audit')(
      session,
      'Audit log',
      auditPage(pageRows, next, new Map(userList.map((user) => [user.id, user.name]))),
    );
  });

  registerUserRoutes(routes, { db: deps.db, onChange: deps.onUsersChange }, renderer('users'));
  registerAccountRoutes(routes, accountDeps, renderer('accounts'));

  return { isSignedIn: (request) => sessions.find(request) !== undefined };
}
