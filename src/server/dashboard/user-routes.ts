/**
 * Users and keys from the dashboard: the same repository as `/admin/api/users`, so every change is
 * one transaction with its audit row (actor `dashboard`). Answers are the sections they change.
 */
import type { Kysely } from 'kysely';
import { z } from 'zod';
import { keysLastUsed } from '../../multi-user/recent-usage.ts';
import { usageReport } from '../../multi-user/usage-report.ts';
import {
  createUsersRepository,
  DuplicateNameError,
  type UserRow,
} from '../../multi-user/users-repository.ts';
import type { Database } from '../../store/schema.ts';
import type { DashboardRoutes, Render } from './guard.ts';
import { html } from './html.ts';
import { keysSection, type Notice, userSummary, usageSection, usersList, usersPage } from './users-pages.ts';

const ACTOR = 'dashboard';
const USAGE_DAYS = 30;

/** Form fields arrive as strings; an empty quota means unlimited. */
const quotaField = z
  .string()
  .trim()
  .regex(/^\d{0,15}$/, 'The quota is a whole number of tokens, or empty for unlimited.')
  .transform((value) => (value === '' ? null : Number(value)));
const createUserForm = z.object({
  name: z.string().trim().min(1, 'Give the user a name.').max(100, 'The name is too long.'),
  token_quota: quotaField.optional(),
});
const quotaForm = z.object({ token_quota: quotaField });
const keyForm = z.object({ name: z.string().trim().max(100, 'The key name is too long.').optional() });

type Parsed<T> = { ok: true; value: T } | { ok: false; notice: Notice };

function parse<T>(schema: z.ZodType<T>, body: unknown): Parsed<T> {
  const result = schema.safeParse(body ?? {});
  if (result.success) return { ok: true, value: result.data };
  return { ok: false, notice: { tone: 'bad', text: result.error.issues[0]?.message ?? 'Invalid input.' } };
}

export interface UserRouteDeps {
  db: Kysely<Database>;
  /** After a change that can affect authentication (pause, quota, revoke, delete). */
  onChange: () => void;
}

export function registerUserRoutes(routes: DashboardRoutes, deps: UserRouteDeps, render: Render): void {
  const users = createUsersRepository(deps.db);
  const userById = async (id: string): Promise<UserRow | undefined> => {
    const user = await users.getUser(id);
    return user?.id === id ? user : undefined;
  };
  const list = async (message?: Notice) => usersList(await users.listUsers(), message);
  const params = (request: { params: unknown }) => request.params as { id: string };

  routes.get('/admin/users', async (_request, _reply, session) =>
    render(session, 'Users', usersPage(await users.listUsers())),
  );

  routes.post('/admin/users', async (request) => {
    const form = parse(createUserForm, request.body);
    if (!form.ok) return list(form.notice);
    try {
      const user = await users.createUser(ACTOR, form.value.name, form.value.token_quota ?? null);
      return list({ tone: 'ok', text: `User ${user.name} created.` });
    } catch (error) {
      const code = (error as { code?: unknown }).code;
      if (error instanceof DuplicateNameError || code === '23505' || code === 'SQLITE_CONSTRAINT_UNIQUE') {
        return list({ tone: 'bad', text: `A user named ${form.value.name} already exists.` });
      }
      throw error;
    }
  });

  // From the list (target #users-list) or from the user's page (target #user-summary).
  const setStatus =
    (status: 'active' | 'paused') =>
    async (request: Parameters<Parameters<DashboardRoutes['post']>[1]>[0]) => {
      const { id } = params(request);
      const updated = await users.updateUser(ACTOR, id, { status });
      deps.onChange();
      const fromList = request.headers['hx-target'] === 'users-list';
      if (fromList || !updated) return list(updated ? undefined : { tone: 'bad', text: 'No such user.' });
      return userSummary(updated, {
        tone: 'ok',
        text: status === 'paused' ? 'Paused: its keys are refused until resumed.' : 'Resumed.',
      });
    };
  routes.post('/admin/users/:id/pause', setStatus('paused'));
  routes.post('/admin/users/:id/resume', setStatus('active'));

  routes.post('/admin/users/:id/delete', async (request) => {
    const deleted = await users.deleteUser(ACTOR, params(request).id);
    deps.onChange();
    return list(
      deleted
        ? { tone: 'ok', text: 'User deleted; its keys no longer work.' }
        : { tone: 'bad', text: 'No such user.' },
    );
  });

  routes.post('/admin/users/:id/quota', async (request, reply) => {
    const user = await userById(params(request).id);
    if (!user) return reply.code(404).send('No such user.');
    const form = parse(quotaForm, request.body);
    if (!form.ok) return userSummary(user, form.notice);
    const updated = await users.updateUser(ACTOR, user.id, { token_quota: form.value.token_quota });
    deps.onChange();
    return userSummary(updated ?? user, { tone: 'ok', text: 'Quota saved.' });
  });

  routes.get('/admin/users/:id', async (request, reply, session) => {
    const user = await userById(params(request).id);
    if (!user)
      return reply
        .code(404)
        .type('text/html; charset=utf-8')
        .send(render(session, 'No such user', html`<h1>No such user</h1>`));
    const from = Date.now() - USAGE_DAYS * 86400_000;
    const [keys, lastUsed, byDay, byModel] = await Promise.all([
      users.listKeys(user.id),
      keysLastUsed(deps.db, user.id),
      usageReport(deps.db, { userId: user.id, from, groupBy: 'day' }),
      usageReport(deps.db, { userId: user.id, from, groupBy: 'model' }),
    ]);
    return render(
      session,
      user.name,
      html`<p><a href="/admin/users">← Users</a></p>
${userSummary(user)}
${keysSection(user.id, keys, lastUsed)}
<p class="muted">Usage over the last ${USAGE_DAYS} days.</p>
${usageSection(byDay, byModel)}`,
    );
  });

  routes.post('/admin/users/:id/keys', async (request, reply) => {
    const user = await userById(params(request).id);
    if (!user) return reply.code(404).send('No such user.');
    const form = parse(keyForm, request.body);
    const name = (form.ok ? form.value.name : undefined) || 'default';
    const created = await users.createKey(ACTOR, user.id, { name });
    // The secret goes out in this answer only; it is never stored, so no page can show it again.
    return keysSection(user.id, await users.listKeys(user.id), await keysLastUsed(deps.db, user.id), created);
  });

  routes.post('/admin/keys/:id/revoke', async (request, reply) => {
    const key = await users.getKey(params(request).id);
    if (!key) return reply.code(404).send('No such key.');
    await users.revokeKey(ACTOR, key.id);
    deps.onChange();
    return keysSection(
      key.user_id,
      await users.listKeys(key.user_id),
      await keysLastUsed(deps.db, key.user_id),
    );
  });
}
