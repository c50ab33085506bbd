/** The Accounts page and its buttons, over the same pool operations as `/admin/api/accounts`. */
import type { AdmissionSnapshot } from '../../admission/admission.ts';
import { toGatewayError } from '../../core/errors.ts';
import type { AccountPool } from '../../sites/pool/account-pool.ts';
import { type AccountAdminDeps, accountView, findPoolAccount } from '../account-admin-routes.ts';
import { accountsSection } from './accounts-page.ts';
import type { DashboardRoutes, Render } from './guard.ts';
import { html } from './html.ts';
import type { Notice } from './users-pages.ts';

export interface AccountRouteDeps extends AccountAdminDeps {
  pools: Map<string, AccountPool>;
  admission?: { snapshot(): AdmissionSnapshot } | undefined;
}

export function allAccountViews(deps: AccountAdminDeps) {
  return [...deps.pools.values()].flatMap((pool) =>
    pool.site.members().map((member) => accountView(pool, member, deps)),
  );
}

export function registerAccountRoutes(routes: DashboardRoutes, deps: AccountRouteDeps, render: Render): void {
  const section = (message?: Notice) =>
    accountsSection(allAccountViews(deps), deps.admission?.snapshot(), message);

  routes.get('/admin/accounts', async (_request, _reply, session) =>
    render(
      session,
      'Accounts',
      html`<h1>Accounts</h1>
<p class="muted">Every account of every pooled site; refreshed every 5 s.</p>
${section()}`,
    ),
  );
  routes.get('/admin/accounts/table', async () => section());

  /** Runs one button's work; a failure (a login the captcha stopped) is told in the section. */
  const act = (work: (id: string) => Promise<string | Notice>) =>
    (async (request) => {
      const { id } = request.params as { id: string };
      try {
        const done = await work(id);
        return section(typeof done === 'string' ? { tone: 'ok', text: done } : done);
      } catch (error) {
        return section({ tone: 'bad', text: `${id}: ${toGatewayError(error).message}` });
      }
    }) satisfies Parameters<DashboardRoutes['post']>[1];

  routes.post(
    '/admin/accounts/:id/check',
    act(async (id) => {
      const { member } = findPoolAccount(deps.pools, id);
      const health = await member.keepAlive?.checkNow();
      if (!health) return `${id}: this account has no session probe.`;
      if (health.state === 'ok') return `${id}: the session is fine.`;
      return {
        tone: 'bad',
        text: `${id}: ${health.state}${'reason' in health ? ` — ${health.reason}` : ''}`,
      };
    }),
  );
  for (const [action, enabled] of [
    ['enable', true],
    ['disable', false],
  ] as const) {
    routes.post(
      `/admin/accounts/:id/${action}`,
      act(async (id) => {
        const { pool, member } = findPoolAccount(deps.pools, id);
        await pool.update(member.id, { enabled });
        return `${id} ${enabled ? 'enabled' : 'disabled'}.`;
      }),
    );
  }
  // Over HTTP the configured login runs now (a browser account's button opens the viewer instead).
  routes.post(
    '/admin/accounts/:id/log-in',
    act(async (id) => {
      const { member } = findPoolAccount(deps.pools, id);
      await member.site.login(AbortSignal.timeout(60_000));
      await member.keepAlive?.checkNow();
      return `${id}: logged in.`;
    }),
  );

  // A browser account's remote-login viewer, framed inside the dashboard (same origin only).
  routes.get('/admin/accounts/:id/log-in', async (request, reply, session) => {
    const { id } = request.params as { id: string };
    const view = allAccountViews(deps).find((candidate) => candidate.id === id);
    if (!view?.remote_login_path) {
      return reply
        .code(404)
        .type('text/html; charset=utf-8')
        .send(
          render(
            session,
            'Log in',
            html`<h1>Log in</h1><p>No remote login for this account (it is not driven in a browser).</p>
<p><a href="/admin/accounts">← Accounts</a></p>`,
          ),
        );
    }
    return render(
      session,
      `Log in ${id}`,
      html`<p><a href="/admin/accounts">← Accounts</a></p>
<h1>Log in ${id} <span class="muted">(${view.site})</span></h1>
<p class="muted">Solve what the site asks (captcha, second factor) in the live page below; the account's
session is saved when you are done. <a href="${view.remote_login_path}" target="_blank" rel="noopener">Open in its own tab</a></p>
<iframe class="viewer" src="${view.remote_login_path}" title="Remote login for ${id}" data-testid="viewer-frame"></iframe>`,
    );
  });
}
