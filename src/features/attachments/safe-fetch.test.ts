import assert from 'node:assert/strict';
import type { ServerResponse } from 'node:http';
import { after, before, describe, test } from 'node:test';
import { GatewayError } from '../../core/errors.ts';
import { type ResolvedAddress, type SafeFetchOptions, type SafeLookup, safeFetch } from './safe-fetch.ts';
import { type LoopbackServer, solidImage, startLoopbackServer } from './test-helpers.ts';

/**
 * Every server here listens on loopback; "forbidden" targets are loopback addresses the policy refuses
 * (127.0.0.2 and friends), so a test can prove by their request counters that nothing reached them.
 * Host names only ever go through an injected fake resolver.
 */

function fakeDns(table: Record<string, string[] | (() => string[])>): SafeLookup & { calls: string[] } {
  const calls: string[] = [];
  const lookup = async (hostname: string): Promise<ResolvedAddress[]> => {
    calls.push(hostname);
    const entry = table[hostname];
    const addresses = typeof entry === 'function' ? entry() : entry;
    if (addresses === undefined) throw Object.assign(new Error('not found'), { code: 'ENOTFOUND' });
    return addresses.map((address) => ({ address, family: address.includes(':') ? 6 : 4 }));
  };
  return Object.assign(lookup, { calls });
}

async function refused(url: string, options: SafeFetchOptions, reason: RegExp): Promise<GatewayError> {
  const error = await safeFetch(url, { param: 'messages[0].content[1]', ...options }).then(
    () => assert.fail(`expected ${url} to be refused`),
    (e: unknown) => e,
  );
  assert.ok(error instanceof GatewayError, `expected GatewayError, got ${String(error)}`);
  assert.equal(error.kind, 'invalid_request');
  assert.equal(error.status, 400);
  assert.equal(error.param, 'messages[0].content[1]');
  assert.match(error.message, reason);
  return error;
}

let png: Uint8Array;
let allowed: LoopbackServer; // 127.0.0.1, reachable only through the allow-list
let forbidden: LoopbackServer; // 127.0.0.2, must never be reached
let forbiddenHits = 0;

before(async () => {
  png = await solidImage('png');
  forbidden = await startLoopbackServer((_req, res) => {
    forbiddenHits++;
    res.end('secret');
  }, '127.0.0.2');
  allowed = await startLoopbackServer((req, res) => route(req.url ?? '/', req.headers, res));
});
after(async () => {
  await allowed.close();
  await forbidden.close();
});

function route(path: string, headers: Record<string, unknown>, res: ServerResponse): void {
  const [pathname = '/', query = ''] = path.split('?');
  const params = new URLSearchParams(query);
  switch (pathname) {
    case '/image.png':
      res.writeHead(200, { 'content-type': 'text/html' }); // a lie; the bytes decide
      res.end(png);
      return;
    case '/text':
      res.writeHead(200, { 'content-type': 'image/png' });
      res.end('just some words\n');
      return;
    case '/redirect':
      res.writeHead(Number(params.get('status') ?? 302), { location: params.get('to') ?? '/' });
      res.end();
      return;
    case '/loop':
      res.writeHead(302, { location: `/loop?n=${Number(params.get('n') ?? 0) + 1}` });
      res.end();
      return;
    case '/echo-auth':
      res.writeHead(200, { 'content-type': 'text/plain' });
      res.end(`auth=${String(headers.authorization ?? '')};cookie=${String(headers.cookie ?? '')}`);
      return;
    case '/big-declared':
      res.writeHead(200, { 'content-length': String(5 * 1024 * 1024) });
      res.write(new Uint8Array(1024));
      return; // never finishes: the declared length alone must refuse it
    case '/big-chunked': {
      res.writeHead(200, { 'content-type': 'image/png' });
      const block = new Uint8Array(64 * 1024);
      const pump = () => {
        while (res.write(block)) {
          if (res.destroyed) return;
        }
        res.once('drain', pump);
      };
      pump();
      return;
    }
    case '/chunked-ok': {
      res.writeHead(200);
      for (let i = 0; i < 5; i++) res.write(new Uint8Array(64 * 1024).fill(i + 1));
      res.end();
      return;
    }
    case '/endless': {
      res.writeHead(200);
      const timer = setInterval(() => res.write('a'.repeat(100)), 5);
      res.on('close', () => clearInterval(timer));
      return;
    }
    case '/drip': {
      res.writeHead(200, { 'content-length': '1000' });
      const timer = setInterval(() => res.write('x'), 40);
      res.on('close', () => clearInterval(timer));
      return;
    }
    case '/hang':
      return; // never answers
    case '/missing':
      res.writeHead(404);
      res.end('no');
      return;
    default:
      res.writeHead(200);
      res.end('ok');
  }
}

const allowLoopback: SafeFetchOptions = { allowCidrs: ['127.0.0.1/32'] };

describe('safeFetch: refusal before any connection', () => {
  test('literal loopback in every notation never reaches the server', async () => {
    const before = allowed.requests.length;
    const p = allowed.port;
    for (const host of [
      '127.0.0.1',
      '2130706433',
      '0177.0.0.1',
      '0x7f000001',
      '0x7f.1',
      '127.1',
      '[::ffff:127.0.0.1]',
    ]) {
      await refused(`http://${host}:${p}/image.png`, {}, /loopback/);
    }
    for (const host of ['0.0.0.0', '0', '[::]']) await refused(`http://${host}:${p}/`, {}, /unspecified/);
    await refused(`http://[::1]:${p}/`, {}, /loopback/);
    assert.equal(allowed.requests.length, before);
  });

  test('a second loopback address stays refused when only 127.0.0.1 is allowed', async () => {
    await refused(`${forbidden.origin}/`, allowLoopback, /loopback/);
    assert.equal(forbiddenHits, 0);
  });

  test('host names resolving to internal addresses are refused, forbidden server untouched', async () => {
    const dns = fakeDns({
      'evil.test': ['127.0.0.2'],
      'mixed.test': ['93.184.216.34', '127.0.0.2'],
      'mapped.test': ['::ffff:127.0.0.2'],
      'meta.test': ['169.254.169.254'],
      'lan.test': ['192.168.1.20'],
      'v6.test': ['fd00::1'],
      'nat64.test': ['64:ff9b::7f00:2'],
    });
    const p = forbidden.port;
    await refused(
      `http://evil.test:${p}/`,
      { lookup: dns },
      /host "evil.test" resolves to a blocked address \(loopback\)/,
    );
    await refused(`http://mixed.test:${p}/`, { lookup: dns }, /loopback/);
    await refused(`http://mapped.test:${p}/`, { lookup: dns }, /IPv4-mapped form of a loopback/);
    await refused(`http://meta.test:${p}/`, { lookup: dns }, /link-local/);
    await refused(`http://lan.test:${p}/`, { lookup: dns }, /private/);
    await refused(`http://v6.test:${p}/`, { lookup: dns }, /unique-local/);
    await refused(`http://nat64.test:${p}/`, { lookup: dns }, /NAT64 form of a loopback/);
    assert.equal(forbiddenHits, 0);
  });

  test('metadata and localhost names are refused without even asking DNS', async () => {
    const dns = fakeDns({ 'metadata.google.internal': ['127.0.0.2'], localhost: ['127.0.0.2'] });
    await refused(
      `http://metadata.google.internal:${forbidden.port}/computeMetadata/v1/`,
      { lookup: dns },
      /internal host name/,
    );
    await refused(`http://localhost:${forbidden.port}/`, { lookup: dns }, /internal host name/);
    assert.deepEqual(dns.calls, []);
    assert.equal(forbiddenHits, 0);
  });

  test('unresolvable names and odd schemes are refused', async () => {
    await refused('http://nowhere.test/', { lookup: fakeDns({}) }, /could not be resolved/);
    for (const url of [
      'file:///etc/passwd',
      'ftp://127.0.0.1/a',
      'data:image/png;base64,AAAA',
      'gopher://127.0.0.1:70/_x',
    ]) {
      await refused(url, allowLoopback, /unsupported scheme/);
    }
    await refused(`http://user:pw@127.0.0.1:${allowed.port}/`, allowLoopback, /credentials/);
  });
});

describe('safeFetch: redirects', () => {
  const cdn = () => fakeDns({ 'cdn.example': ['127.0.0.1'], 'internal.example': ['127.0.0.2'] });
  const viaCdn = (dns: SafeLookup): SafeFetchOptions => ({ allowHosts: ['cdn.example'], lookup: dns });

  test('a redirect from an allowed host to an internal address is refused before contacting it', async () => {
    const dns = cdn();
    const to = encodeURIComponent(`${forbidden.origin}/`);
    await refused(`http://cdn.example:${allowed.port}/redirect?to=${to}`, viaCdn(dns), /loopback/);
    const viaName = encodeURIComponent(`http://internal.example:${forbidden.port}/`);
    await refused(
      `http://cdn.example:${allowed.port}/redirect?status=307&to=${viaName}`,
      viaCdn(dns),
      /resolves to a blocked address \(loopback\)/,
    );
    const meta = encodeURIComponent(`http://metadata.google.internal:${forbidden.port}/`);
    await refused(
      `http://cdn.example:${allowed.port}/redirect?status=301&to=${meta}`,
      viaCdn(dns),
      /internal host name/,
    );
    const file = encodeURIComponent('file:///etc/passwd');
    await refused(
      `http://cdn.example:${allowed.port}/redirect?status=308&to=${file}`,
      viaCdn(dns),
      /unsupported scheme/,
    );
    assert.equal(forbiddenHits, 0);
  });

  test('relative redirects within the allowed host are followed, and finalUrl reports the last hop', async () => {
    const result = await safeFetch(
      `http://cdn.example:${allowed.port}/redirect?to=/image.png`,
      viaCdn(cdn()),
    );
    assert.equal(result.finalUrl, `http://cdn.example:${allowed.port}/image.png`);
    assert.equal(result.mediaType, 'image/png');
  });

  test('more than five redirects are refused', async () => {
    await refused(`${allowed.origin}/loop`, allowLoopback, /redirected more than 5 times/);
    await refused(`${allowed.origin}/loop`, { ...allowLoopback, maxRedirects: 1 }, /more than 1 times/);
  });

  test('credentials go to the first origin only', async () => {
    const headers = { Authorization: 'Bearer s3cret', Cookie: 'sid=1' };
    const both: SafeFetchOptions = { allowCidrs: ['127.0.0.1/32', '127.0.0.3/32'], headers };
    const other = await startLoopbackServer(
      (req, res) => route(req.url ?? '/', req.headers, res),
      '127.0.0.3',
    );
    try {
      const same = await safeFetch(`${allowed.origin}/redirect?to=/echo-auth`, both);
      assert.equal(new TextDecoder().decode(same.data), 'auth=Bearer s3cret;cookie=sid=1');
      const to = encodeURIComponent(`${other.origin}/echo-auth`);
      const cross = await safeFetch(`${allowed.origin}/redirect?to=${to}`, both);
      assert.equal(new TextDecoder().decode(cross.data), 'auth=;cookie=');
    } finally {
      await other.close();
    }
  });
});

describe('safeFetch: DNS rebinding', () => {
  test('the connection uses the validated address, not a later answer', async () => {
    let answers = 0;
    // First answer is the (allowed) 127.0.0.1; every later answer flips to the forbidden 127.0.0.2.
    const dns = fakeDns({ 'rebind.test': () => (answers++ === 0 ? ['127.0.0.1'] : ['127.0.0.2']) });
    const before = allowed.requests.length;
    const result = await safeFetch(`http://rebind.test:${allowed.port}/image.png`, {
      ...allowLoopback,
      lookup: dns,
    });
    assert.equal(result.mediaType, 'image/png');
    assert.equal(allowed.requests.length, before + 1);
    assert.deepEqual(dns.calls, ['rebind.test'], 'resolved once; the socket never asked DNS again');
    assert.equal(forbiddenHits, 0);
  });

  test('a redirect back to the same name is re-resolved and re-checked', async () => {
    let answers = 0;
    const dns = fakeDns({ 'rebind.test': () => (answers++ === 0 ? ['127.0.0.1'] : ['127.0.0.2']) });
    await refused(
      `http://rebind.test:${allowed.port}/redirect?to=/image.png`,
      { ...allowLoopback, lookup: dns },
      /loopback/,
    );
    assert.equal(dns.calls.length, 2);
    assert.equal(forbiddenHits, 0);
  });
});

describe('safeFetch: size and time limits', () => {
  test('a declared Content-Length above the cap is refused without reading the body', async () => {
    await refused(
      `${allowed.origin}/big-declared`,
      { ...allowLoopback, maxBytes: 1024 * 1024 },
      /larger than the 1 MiB limit \(5 MiB\)/,
    );
  });

  test('a chunked body is cut off as soon as it passes the cap', async () => {
    await refused(
      `${allowed.origin}/big-chunked`,
      { ...allowLoopback, maxBytes: 256 * 1024 },
      /larger than the 256 KiB limit/,
    );
  });

  test('a chunked body under the cap arrives whole, without a Content-Length', async () => {
    const result = await safeFetch(`${allowed.origin}/chunked-ok`, {
      ...allowLoopback,
      maxBytes: 320 * 1024,
    });
    assert.equal(result.data.byteLength, 5 * 64 * 1024);
    assert.equal(result.data[0], 1);
    assert.equal(result.data[result.data.byteLength - 1], 5);
    assert.equal(result.mediaType, 'application/octet-stream');
  });

  test('a never-ending body under the cap is cut off by the total timeout', async () => {
    const started = Date.now();
    await refused(`${allowed.origin}/endless`, { ...allowLoopback, totalTimeoutMs: 300 }, /within 0.3 s/);
    assert.ok(Date.now() - started < 2000);
  });

  test('a slow-drip server is cut off by the total timeout', async () => {
    const started = Date.now();
    await refused(
      `${allowed.origin}/drip`,
      { ...allowLoopback, totalTimeoutMs: 300 },
      /did not finish downloading/,
    );
    assert.ok(Date.now() - started < 2000);
  });

  test('a server that never answers, and a resolver that never answers, time out', async () => {
    await refused(`${allowed.origin}/hang`, { ...allowLoopback, totalTimeoutMs: 200 }, /did not finish/);
    const stuck: SafeLookup = () => new Promise(() => {});
    await refused('http://slow-dns.test/', { lookup: stuck, totalTimeoutMs: 200 }, /did not finish/);
  });

  test('HTTP errors and refused connections are clear 400s', async () => {
    await refused(`${allowed.origin}/missing`, allowLoopback, /HTTP 404/);
    const closed = await startLoopbackServer(() => {});
    const port = closed.port;
    await closed.close();
    await refused(`http://127.0.0.1:${port}/`, allowLoopback, /connection refused/);
  });

  test('the caller abort is passed through untouched', async () => {
    const controller = new AbortController();
    const reason = new Error('client went away');
    setTimeout(() => controller.abort(reason), 50);
    await assert.rejects(
      safeFetch(`${allowed.origin}/hang`, { ...allowLoopback, signal: controller.signal }),
      (e) => e === reason,
    );
  });
});

describe('safeFetch: content type comes from the bytes', () => {
  test('PNG served as text/html is image/png; text served as image/png is text/plain', async () => {
    const image = await safeFetch(`${allowed.origin}/image.png`, allowLoopback);
    assert.equal(image.mediaType, 'image/png');
    assert.equal(image.declaredMediaType, 'text/html');
    assert.deepEqual(image.data, png);
    const text = await safeFetch(`${allowed.origin}/text`, { allowHosts: ['127.0.0.1'] });
    assert.equal(text.mediaType, 'text/plain');
  });

  test('IPv6 loopback works through the allow-list', async (t) => {
    let v6: LoopbackServer;
    try {
      v6 = await startLoopbackServer((req, res) => route(req.url ?? '/', req.headers, res), '::1');
    } catch {
      t.skip('no IPv6 loopback here');
      return;
    }
    try {
      const result = await safeFetch(`${v6.origin}/image.png`, { allowCidrs: ['::1/128'] });
      assert.equal(result.mediaType, 'image/png');
    } finally {
      await v6.close();
    }
  });
});
