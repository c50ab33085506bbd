import type { ConformanceTarget, SiteFault } from './conformance-target.ts';

/**
 * The conformance inputs every adapter of the demo site shares (the HTTP adapter, the browser
 * modes, the recipes), written against the demo's documented behaviour (demo-site/CONTRACT.md)
 * rather than its code: its scripted models and its `/__control/*` switches, reached over HTTP.
 */

/** Sends per minute to start the demo with: room for the suite's turns, quickly used up. */
export const DEMO_RATE_LIMIT_PER_MINUTE = 60;

/** vision-1 takes files; the reply's first line counts them. */
export const DEMO_UPLOAD = {
  data: new TextEncoder().encode('hello file'),
  filename: 'note.txt',
  mediaType: 'text/plain',
  model: 'vision-1',
};

/** A 1×1 PNG for sites that take images only; vision-1 sees it. */
export const DEMO_IMAGE_UPLOAD = {
  data: new Uint8Array(
    Buffer.from(
      'iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNkYPhfDwAChwGA60e6kgAAAABJRU5ErkJggg==',
      'base64',
    ),
  ),
  filename: 'dot.png',
  mediaType: 'image/png',
  model: 'vision-1',
};

/** tools-1 calls tools natively, reasoning-1 thinks first, `maxTokens` cuts the scripted part. */
export const DEMO_TOOLS: NonNullable<ConformanceTarget['tools']> = {
  model: 'tools-1',
  prompt: 'call tool get_weather with {"city":"Paris"}',
  tool: {
    name: 'get_weather',
    kind: 'function',
    parameters: { type: 'object', properties: { city: { type: 'string' } }, required: ['city'] },
  },
  expectedArguments: { city: 'Paris' },
};
export const DEMO_REASONING: NonNullable<ConformanceTarget['reasoning']> = {
  model: 'reasoning-1',
  prompt: 'Reply with the word PINEAPPLE',
};
export const DEMO_LENGTH: NonNullable<ConformanceTarget['length']> = {
  model: 'text-1',
  prompt: 'count to 30',
  maxOutputTokens: 5,
  uncappedStops: true,
};

/**
 * Everything a demo-site target gives the suite besides its site and cleanup: the scripted models'
 * prompts, the optional cases and the control-API faults; `upload` for sites that take images only.
 */
export function demoTargetInputs(
  baseUrl: string,
  credentials: { username: string; password: string },
  upload: NonNullable<ConformanceTarget['upload']> = DEMO_UPLOAD,
): Omit<ConformanceTarget, 'site' | 'cleanup'> {
  return {
    model: 'slow-1',
    quickModel: 'text-1',
    prompt: 'Reply with the word PINEAPPLE',
    expectedText: 'PINEAPPLE',
    longPrompt: 'tell me a long story',
    upload,
    tools: DEMO_TOOLS,
    reasoning: DEMO_REASONING,
    length: DEMO_LENGTH,
    fault: demoControlFaults(baseUrl, credentials),
  };
}

/**
 * Faults through the demo's control API (the site must run with `control: true`): ended sessions
 * (`forceLogout`), a standing 500 (`http500`), and its per-account rate limit used up by sends of
 * an unknown model (counted before the model is checked); `/__control/reset` undoes each.
 */
export function demoControlFaults(
  baseUrl: string,
  credentials: { username: string; password: string },
): NonNullable<ConformanceTarget['fault']> {
  const control = async (path: string, body: unknown = {}) => {
    const res = await fetch(`${baseUrl}/__control/${path}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(body),
    });
    if (res.status !== 200) throw new Error(`demo control ${path}: ${res.status} ${await res.text()}`);
    await res.body?.cancel();
  };
  return async (kind: SiteFault) => {
    if (kind === 'session-ended') await control('faults', { forceLogout: true });
    if (kind === 'server-error') await control('faults', { http500: true });
    if (kind === 'rate-limit') await useUpRateLimit(baseUrl, credentials);
    return { restore: () => control('reset') };
  };
}

async function useUpRateLimit(baseUrl: string, credentials: { username: string; password: string }) {
  // With the loginCsrf behaviour the login needs the token from GET /auth/csrf (404 otherwise).
  const csrfRes = await fetch(`${baseUrl}/auth/csrf`);
  const loginToken =
    csrfRes.status === 200 ? ((await csrfRes.json()) as { csrfToken: string }).csrfToken : undefined;
  if (csrfRes.status !== 200) await csrfRes.body?.cancel();
  const login = await fetch(`${baseUrl}/api/auth/login`, {
    method: 'POST',
    headers: {
      'content-type': 'application/json',
      ...(loginToken ? { 'x-login-token': loginToken, cookie: `demo_login_csrf=${loginToken}` } : {}),
    },
    body: JSON.stringify(credentials),
  });
  await login.body?.cancel();
  const cookie = login.headers
    .getSetCookie()
    .find((c) => c.startsWith('demo_session='))
    ?.split(';', 1)[0];
  if (!cookie) throw new Error(`demo login failed (${login.status})`);
  const page = await (await fetch(`${baseUrl}/`, { headers: { cookie } })).text();
  const csrf = /<meta name="csrf-token" content="([^"]+)"/.exec(page)?.[1];
  if (!csrf) throw new Error('no csrf token on the demo page');
  for (let sent = 0; sent < 1000; sent++) {
    const res = await fetch(`${baseUrl}/api/chat`, {
      method: 'POST',
      headers: { cookie, 'x-csrf-token': csrf, 'content-type': 'application/json' },
      body: JSON.stringify({ model: 'no-such-model', text: 'x' }),
    });
    await res.body?.cancel();
    if (res.status === 429) return;
  }
  throw new Error('the demo never rate-limited (start it with a low rateLimitPerMinute)');
}
