import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { GatewayConfigSchema } from '../../config/config-schema.ts';

const demo = (id: string, accounts: unknown[]) => ({
  id,
  kind: 'demo',
  embedded: false,
  baseUrl: 'http://127.0.0.1:9',
  accounts,
});

function issues(sites: unknown[]): string[] {
  const parsed = GatewayConfigSchema.safeParse({ sites });
  return parsed.success
    ? []
    : parsed.error.issues.map((issue) => `${issue.path.join('.')}: ${issue.message}`);
}

describe('account pool config', () => {
  const cases: Array<[string, unknown[], RegExp | undefined]> = [
    [
      'three accounts with their own credentials',
      [demo('demo', [{ id: 'a' }, { id: 'b', credentials: { username: 'demo-2', password: 'p' } }])],
      undefined,
    ],
    [
      'a duplicate id in one site',
      [demo('demo', [{ id: 'a' }, { id: 'a' }])],
      /sites\.0\.accounts\.1\.id: duplicate account id 'a'/,
    ],
    [
      'one id in two sites',
      [demo('one', [{ id: 'a' }]), demo('two', [{ id: 'a' }])],
      /sites\.1\.accounts\.0\.id: .*unique across sites/,
    ],
    [
      'settings the kind does not take',
      [demo('demo', [{ id: 'a', credentials: { username: 'x' } }])],
      /sites\.0\.accounts\.0\.credentials\.password/,
    ],
    [
      'a proxy of an unknown scheme',
      [demo('demo', [{ id: 'a', proxy: 'ftp://host:21' }])],
      /sites\.0\.accounts\.0\.proxy/,
    ],
    [
      'an id with capitals',
      [demo('demo', [{ id: 'Main' }])],
      /sites\.0\.accounts\.0\.id: account ids are lowercase/,
    ],
    [
      'an unknown pool setting',
      [{ ...demo('demo', [{ id: 'a' }]), pool: { strategy: 'random' } }],
      /sites\.0\.pool\.strategy/,
    ],
  ];
  for (const [name, sites, expected] of cases) {
    test(name, () => {
      const found = issues(sites);
      if (expected === undefined) assert.deepEqual(found, []);
      else
        assert.ok(
          found.some((issue) => expected.test(issue)),
          found.join('\n') || 'no issue',
        );
    });
  }

  test('pool settings default as documented', () => {
    const parsed = GatewayConfigSchema.parse({ sites: [{ ...demo('demo', [{ id: 'a' }]), pool: {} }] });
    const site = parsed.sites[0] as {
      pool?: Record<string, unknown>;
      accounts?: Array<Record<string, unknown>>;
    };
    assert.deepEqual(site.pool, {
      strategy: 'round-robin',
      maxAttempts: 3,
      failoverTimeoutMs: 60_000,
      maxWaitMs: 30_000,
      keepAliveSeconds: 1800,
      transientFailures: 3,
      transientWindowSeconds: 60,
      transientCooldownSeconds: 60,
      backoffMinMs: 1000,
      backoffMaxMs: 1_800_000,
      syncSeconds: 5,
    });
    assert.deepEqual(site.accounts?.[0], { id: 'a', enabled: true, weight: 1 });
  });
});
