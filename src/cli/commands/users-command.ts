/**
 * `webchat-gateway users|keys|usage …`: manage users, keys and quotas against the store directly
 * (the SQLite file in the data dir, or DATABASE_URL). Actions are audited with actor `cli`.
 */
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { createUsersRepository } from '../../multi-user/users-repository.ts';
import { storeConfigFrom } from '../../store/dialect.ts';
import { openStore } from '../../store/open-store.ts';

const HELP = `Usage:
  webchat-gateway users add <name> [--quota N]   (no --quota = unlimited)
  webchat-gateway users list
  webchat-gateway users pause|resume <name>
  webchat-gateway users quota <name> <N|unlimited>
  webchat-gateway keys create <user> [--name NAME] [--models 'demo/*,other/x']
  webchat-gateway keys list <user>
  webchat-gateway users delete <name>             (keys stop working; usage is kept)
  webchat-gateway keys revoke <key-id>
  webchat-gateway keys rotate <key-id> [--grace SECONDS]
  webchat-gateway usage
  webchat-gateway audit [--limit N]
Options: --data-dir DIR (default GATEWAY_DATA_DIR or ./data); DATABASE_URL selects Postgres.`;

function parseQuota(value: string | undefined): number | null {
  if (value === undefined || value === 'unlimited') return null;
  const n = Number(value);
  if (!Number.isSafeInteger(n) || n < 0)
    throw new Error(`--quota must be a whole number ≥ 0, got '${value}'`);
  return n;
}

export async function run(command: string, argv: string[]): Promise<number> {
  const { values, positionals } = parseArgs({
    args: argv,
    allowPositionals: true,
    options: {
      'data-dir': { type: 'string' },
      quota: { type: 'string' },
      name: { type: 'string' },
      models: { type: 'string' },
      grace: { type: 'string' },
      limit: { type: 'string' },
      help: { type: 'boolean', short: 'h' },
    },
  });
  if (values.help || (positionals.length === 0 && command !== 'usage' && command !== 'audit')) {
    console.log(HELP);
    return values.help ? 0 : 2;
  }
  const dataDir = values['data-dir'] ?? process.env.GATEWAY_DATA_DIR ?? './data';
  const store = await openStore(storeConfigFrom(process.env.DATABASE_URL, join(dataDir, 'gateway.sqlite')));
  const users = createUsersRepository(store.db);
  const [action, target, extra] = positionals;
  const userOf = async (name: string | undefined) => {
    const user = name === undefined ? undefined : await users.getUser(name);
    if (!user) throw new Error(`no user '${name ?? ''}'`);
    return user;
  };
  try {
    if (command === 'users' && action === 'add') {
      if (!target) throw new Error('users add needs a name');
      const user = await users.createUser('cli', target, parseQuota(values.quota));
      console.log(`${user.id}  ${user.name}  quota ${user.token_quota ?? 'unlimited'}`);
    } else if (command === 'users' && action === 'list') {
      for (const u of await users.listUsers()) {
        console.log(
          `${u.id}  ${u.name}  ${u.status}  used ${u.used_tokens} / ${u.token_quota ?? 'unlimited'}`,
        );
      }
    } else if (command === 'users' && (action === 'pause' || action === 'resume')) {
      const user = await userOf(target);
      await users.updateUser('cli', user.id, { status: action === 'pause' ? 'paused' : 'active' });
      console.log(`${user.name} ${action === 'pause' ? 'paused' : 'active'}`);
    } else if (command === 'users' && action === 'quota') {
      const user = await userOf(target);
      await users.updateUser('cli', user.id, { token_quota: parseQuota(extra) });
      console.log(`${user.name} quota ${extra}`);
    } else if (command === 'keys' && action === 'create') {
      const user = await userOf(target);
      const models = values.models
        ?.split(',')
        .map((m) => m.trim())
        .filter(Boolean);
      const key = await users.createKey('cli', user.id, { name: values.name ?? 'cli', models });
      console.log(`key id ${key.id}\nAPI key (shown once, store it now): ${key.key}`);
    } else if (command === 'keys' && action === 'list') {
      const user = await userOf(target);
      for (const k of await users.listKeys(user.id)) {
        console.log(`${k.id}  ${k.prefix}  ${k.name}  ${k.revoked_at ? 'revoked' : 'active'}`);
      }
    } else if (command === 'keys' && action === 'revoke') {
      if (!target || !(await users.revokeKey('cli', target))) throw new Error(`no key '${target ?? ''}'`);
      console.log(`revoked ${target}`);
    } else if (command === 'users' && action === 'delete') {
      const user = await userOf(target);
      await users.deleteUser('cli', user.id);
      console.log(`${user.name} deleted (usage kept)`);
    } else if (command === 'keys' && action === 'rotate') {
      const grace = Number(values.grace ?? 0);
      if (!Number.isSafeInteger(grace) || grace < 0) throw new Error(`--grace must be whole seconds ≥ 0`);
      const key = target ? await users.rotateKey('cli', target, grace * 1000) : undefined;
      if (!key) throw new Error(`no active key '${target ?? ''}'`);
      console.log(
        `key id ${key.id} (replaces ${target}, valid ${grace}s more)\nAPI key (shown once, store it now): ${key.key}`,
      );
    } else if (command === 'audit') {
      const limit = Number(values.limit ?? 50);
      for (const row of await users.auditLog({
        limit: Number.isSafeInteger(limit) && limit > 0 ? limit : 50,
      })) {
        console.log(
          `${new Date(Number(row.at)).toISOString()}  ${row.actor}  ${row.action}  ${row.object_id}`,
        );
      }
    } else if (command === 'usage') {
      for (const u of await users.listUsers()) {
        console.log(
          `${u.name}  used ${u.used_tokens}  reserved ${u.reserved_tokens}  quota ${u.token_quota ?? 'unlimited'}`,
        );
      }
    } else {
      console.log(HELP);
      return 2;
    }
    return 0;
  } catch (error) {
    console.error(`error: ${(error as Error).message}`);
    return 1;
  } finally {
    await store.close();
  }
}
