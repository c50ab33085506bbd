import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { SECRET_ENV_VARS } from '../../src/config/env-vars.ts';
import { repoFile } from './deploy-files.ts';

// CI runs .ci/run, not the Dockerfile: keeping the Dockerfile's install steps the same as .ci/run's is
// what lets CI vouch for the image.
const ci = repoFile('.ci/run');
const dockerfile = repoFile('Dockerfile');

/** `NAME=(a b c)` (bash array) or `NAME=value` in .ci/run. */
function ciValue(name: string): string[] {
  const match = new RegExp(`^${name}=(?:\\((.*)\\)|(\\S+))$`, 'm').exec(ci);
  assert.ok(match, `.ci/run sets ${name}`);
  return (match[1] ?? match[2]!).split(/\s+/).filter(Boolean);
}

/** `ARG NAME="a b c"` in the Dockerfile. */
function dockerArg(name: string): string[] {
  const match = new RegExp(`^ARG ${name}="?([^"\\n]*)"?$`, 'm').exec(dockerfile);
  assert.ok(match, `Dockerfile declares ARG ${name}`);
  return match[1]!.split(/\s+/).filter(Boolean);
}

describe('the Dockerfile installs what .ci/run installs', () => {
  test('the same browser packages, and .ci/run installs each one it lists when missing', () => {
    assert.deepEqual(dockerArg('BROWSER_PACKAGES').sort(), ciValue('BROWSER_PACKAGES').sort());
    assert.match(dockerfile, /apt-get install -y --no-install-recommends \$\{BROWSER_PACKAGES\} tini/);
    for (const name of [...ciValue('BROWSER_PACKAGES'), ...ciValue('SERVICE_PACKAGES')]) {
      assert.match(ci, new RegExp(`need_apt\\+=\\(${name}\\)`), `.ci/run installs ${name} when missing`);
    }
    assert.deepEqual(ciValue('SERVICE_PACKAGES').sort(), ['postgresql', 'redis-server']);
  });

  test('the same npm (one that honours allowScripts) and the same `npm ci` flags', () => {
    assert.deepEqual(dockerArg('NPM_VERSION'), ciValue('NPM_VERSION'));
    assert.ok(Number(ciValue('NPM_VERSION')[0]!.split('.')[0]) >= 11);
    assert.match(dockerfile, /npm install -g --no-audit --no-fund "npm@\$\{NPM_VERSION\}"/);
    assert.deepEqual(dockerArg('NPM_CI_FLAGS'), ciValue('NPM_CI_FLAGS'));
    assert.match(dockerfile, /^RUN npm ci \$\{NPM_CI_FLAGS\}$/m);
    assert.match(ci, /^npm ci "\$\{NPM_CI_FLAGS\[@\]\}"$/m);
    // Neither side bypasses the allowScripts policy.
    for (const text of [ci, dockerfile])
      assert.doesNotMatch(text, /--ignore-scripts|dangerously-allow-all-scripts/);
  });

  test('the image runs compiled JS as a non-root user under tini, probes /readyz, keeps state in /data', () => {
    assert.match(dockerfile, /^FROM \$\{NODE_IMAGE\} AS build$/m);
    assert.match(dockerfile, /^FROM \$\{NODE_IMAGE\} AS runtime$/m);
    assert.match(dockerfile, /^ARG NODE_IMAGE=node:20-bookworm-slim$/m);
    assert.match(dockerfile, /^RUN npm run build && npm prune --omit=dev/m);
    assert.match(dockerfile, /^COPY --from=build \/app\/dist \.\/dist$/m);
    assert.match(dockerfile, /^CMD \["node", "dist\/src\/cli\/main\.js", "serve"\]$/m);
    assert.match(dockerfile, /^ENTRYPOINT \["\/usr\/bin\/tini", "--"\]$/m);
    const user = /^USER (\S+)$/m.exec(dockerfile)?.[1];
    assert.ok(user && user !== 'root' && user !== '0');
    assert.match(dockerfile, /^HEALTHCHECK [\s\S]*?\/readyz/m);
    assert.match(dockerfile, /^VOLUME \["\/data"\]$/m);
    assert.match(dockerfile, /GATEWAY_DATA_DIR=\/data/);
  });

  test('no secret is baked into the image', () => {
    for (const name of SECRET_ENV_VARS) {
      assert.doesNotMatch(dockerfile, new RegExp(`^\\s*(ENV|ARG)\\b.*\\b${name}\\b`, 'm'), name);
      assert.doesNotMatch(dockerfile, new RegExp(`\\b${name}=`), name);
    }
    for (const ignored of ['.env', 'data', 'node_modules', 'dist']) {
      assert.ok(
        repoFile('.dockerignore').split('\n').includes(ignored),
        `.dockerignore leaves out ${ignored}`,
      );
    }
  });
});
