import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { describe, test } from 'node:test';
import { ENV_VARS, SECRET_ENV_VARS } from '../../src/config/env-vars.ts';
import { loadConfig } from '../../src/config/load-config.ts';
import { envFileVariables, interpolatedVariables, readCompose, repoFile } from './deploy-files.ts';

// No Docker engine runs here: the compose files are checked as data against what the gateway reads.
const base = readCompose('docker-compose.yml');
const scale = readCompose('docker-compose.scale.yml');
const known = new Set(ENV_VARS.map((variable) => variable.name));
/** Services that run this repository's image (the gateway, the stand-alone demo site). */
const ownImage = (service: { image?: string; build?: unknown }) =>
  service.build !== undefined || service.image === 'webchat-gateway:local';

describe('docker-compose.yml', () => {
  test('gateway, postgres and redis, the latter two from their official images', () => {
    assert.deepEqual(Object.keys(base.services).sort(), ['gateway', 'postgres', 'redis']);
    assert.equal(base.services.gateway?.build, '.');
    assert.match(base.services.postgres?.image ?? '', /^postgres:\d+/);
    assert.match(base.services.redis?.image ?? '', /^redis:\d+/);
  });

  test('every service has a healthcheck; the gateway checks /readyz', () => {
    for (const [name, service] of Object.entries(base.services)) {
      assert.ok((service.healthcheck?.test.length ?? 0) > 1, `${name} has a healthcheck`);
    }
    assert.match(base.services.gateway!.healthcheck!.test.join(' '), /\/readyz/);
    assert.deepEqual(base.services.postgres!.healthcheck!.test.slice(0, 2), ['CMD', 'pg_isready']);
    assert.deepEqual(base.services.redis!.healthcheck!.test.slice(1), ['redis-cli', 'ping']);
  });

  test('the gateway starts only once postgres and redis are healthy', () => {
    assert.deepEqual(base.services.gateway?.depends_on, {
      postgres: { condition: 'service_healthy' },
      redis: { condition: 'service_healthy' },
    });
  });

  test('state lives in named volumes declared at the top level', () => {
    const declared = new Set(Object.keys(base.volumes ?? {}));
    const mounts: Record<string, string> = {
      gateway: '/data',
      postgres: '/var/lib/postgresql/data',
      redis: '/data',
    };
    for (const [name, target] of Object.entries(mounts)) {
      const volume = base.services[name]?.volumes?.find((entry) => entry.endsWith(`:${target}`));
      assert.ok(volume, `${name} mounts ${target}`);
      assert.ok(declared.has(volume.split(':')[0]!), `${volume} is a named volume`);
    }
  });

  test('the gateway is published on loopback only and is stopped after its shutdown grace period', () => {
    assert.deepEqual(base.services.gateway?.ports, [`127.0.0.1:$\{GATEWAY_PORT:-8787}:8787`]);
    const grace = Number(
      /GATEWAY_SHUTDOWN_GRACE_MS:-(\d+)/.exec(
        base.services.gateway!.environment!.GATEWAY_SHUTDOWN_GRACE_MS!,
      )?.[1],
    );
    assert.ok(Number.parseInt(base.services.gateway!.stop_grace_period!, 10) * 1000 > grace);
  });
});

describe('docker-compose.scale.yml', () => {
  test('two gateway replicas behind nginx, on one stand-alone demo site', async () => {
    const gateway = scale.services.gateway!;
    assert.equal(gateway.deploy?.replicas, 2);
    assert.ok(gateway.ports && 'reset' in gateway.ports, 'replicas publish no host port (nginx does)');
    assert.match(scale.services.proxy?.image ?? '', /^nginx:\d/);
    assert.deepEqual(scale.services.proxy?.depends_on, { gateway: { condition: 'service_healthy' } });
    assert.deepEqual(gateway.depends_on, { 'demo-site': { condition: 'service_healthy' } });
    assert.deepEqual(scale.services['demo-site']?.command, ['node', 'dist/demo-site/src/cli.js']);
    const nginx = repoFile('deploy/nginx.conf');
    assert.match(nginx, /server gateway:8787/);
    assert.match(nginx, /proxy_buffering off;/, 'SSE chunks are not held back');
    // The mounted gateway config is a valid config whose site is the demo-site service.
    const mount = gateway.volumes?.find((entry) => entry.endsWith(':ro'))?.split(':') ?? [];
    assert.equal(mount[1], gateway.environment?.GATEWAY_CONFIG);
    const config = await loadConfig({
      path: new URL(`../../${mount[0]}`, import.meta.url).pathname,
      env: {},
    });
    assert.deepEqual(
      config.sites.map((site) => ('baseUrl' in site ? site.baseUrl : undefined)),
      ['http://demo-site:4100'],
    );
  });

  test('every depends_on waits for a health-checked service', () => {
    const services = { ...base.services, ...scale.services };
    for (const [name, service] of Object.entries(services)) {
      for (const [target, { condition }] of Object.entries(service.depends_on ?? {})) {
        assert.equal(condition, 'service_healthy', `${name} → ${target}`);
        const checked = scale.services[target]?.healthcheck ?? base.services[target]?.healthcheck;
        assert.ok(checked, `${target} has a healthcheck`);
      }
    }
  });
});

describe('environment of the compose files', () => {
  test('every variable set for the gateway or the demo site is one they read', () => {
    for (const file of [base, scale]) {
      for (const [name, service] of Object.entries(file.services)) {
        if (!ownImage(service) && name !== 'gateway') continue;
        for (const variable of Object.keys(service.environment ?? {})) {
          assert.ok(
            known.has(variable),
            `${name}: ${variable} is not read by the gateway (src/config/env-vars.ts)`,
          );
        }
      }
    }
  });

  test('secrets come from .env, never from a literal in a committed file', () => {
    for (const file of [base, scale]) {
      for (const service of Object.values(file.services)) {
        for (const [variable, value] of Object.entries(service.environment ?? {})) {
          if (SECRET_ENV_VARS.has(variable))
            assert.match(value, /\$\{[A-Z_]+:[?-]/, `${variable} is interpolated`);
        }
      }
    }
    assert.match(base.services.postgres!.environment!.POSTGRES_PASSWORD!, /^\$\{POSTGRES_PASSWORD:\?/);
    for (const [name, value] of envFileVariables(repoFile('.env.example'))) {
      if (SECRET_ENV_VARS.has(name) || name.includes('PASSWORD')) assert.equal(value, '', `${name} is blank`);
    }
  });

  test('.env.example names exactly the variables the compose files interpolate', () => {
    const used = new Set([
      ...interpolatedVariables(repoFile('docker-compose.yml')),
      ...interpolatedVariables(repoFile('docker-compose.scale.yml')),
    ]);
    assert.deepEqual([...envFileVariables(repoFile('.env.example')).keys()].sort(), [...used].sort());
    assert.ok(!existsSync(new URL('../../.env', import.meta.url)) || repoFile('.gitignore').includes('.env'));
  });
});
