import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import type { InjectOptions, LightMyRequestResponse } from 'fastify';
import { type InProcessGateway, startInProcessGateway, USER_KEY } from '../support/in-process-gateway.ts';

type Dialect = 'openai' | 'anthropic';

const CHAT_ROUTES: Array<{ url: string; dialect: Dialect; body: Record<string, unknown> }> = [
  {
    url: '/v1/chat/completions',
    dialect: 'openai',
    body: { model: 'text-1', messages: [{ role: 'user', content: 'hi' }] },
  },
  { url: '/v1/responses', dialect: 'openai', body: { model: 'text-1', input: 'hi' } },
  {
    url: '/v1/messages',
    dialect: 'anthropic',
    body: { model: 'text-1', max_tokens: 16, messages: [{ role: 'user', content: 'hi' }] },
  },
  {
    url: '/v1/messages/count_tokens',
    dialect: 'anthropic',
    body: { model: 'text-1', messages: [{ role: 'user', content: 'hi' }] },
  },
];

/** Asserts the body is an error in the dialect's own JSON shape and returns its message. */
function errorOf(response: LightMyRequestResponse, dialect: Dialect): { message: string; param?: unknown } {
  const body = response.json() as Record<string, unknown>;
  const error = body.error as Record<string, unknown>;
  assert.equal(typeof error?.message, 'string', response.body);
  if (dialect === 'openai') {
    assert.equal(typeof error.type, 'string');
    assert.ok('param' in error && 'code' in error, response.body);
  } else {
    assert.equal(body.type, 'error', response.body);
    assert.equal(typeof error.type, 'string');
  }
  return { message: error.message as string, param: error.param };
}

describe('the framework’s own errors come in the caller’s dialect', () => {
  let gateway: InProcessGateway;
  before(async () => {
    gateway = await startInProcessGateway();
  });
  after(() => gateway.close());

  const call = (options: InjectOptions) =>
    gateway.app.inject({ ...options, headers: { authorization: `Bearer ${USER_KEY}`, ...options.headers } });

  test('a malformed percent-escape in the path → 400, not FST_ERR_BAD_URL', async () => {
    for (const [url, dialect] of [
      ['/v1/chat/completions%zz', 'openai'],
      ['/v1/messages%E0%A4%A', 'anthropic'],
    ] as const) {
      const response = await call({ method: 'POST', url, payload: {} });
      assert.equal(response.statusCode, 400, url);
      assert.doesNotMatch(response.body, /FST_ERR/);
      errorOf(response, dialect);
    }
  });

  test('wrong method → 405 with allow; unknown path → 404; both in the dialect', async () => {
    for (const route of CHAT_ROUTES) {
      const response = await call({ method: 'GET', url: route.url });
      assert.equal(response.statusCode, 405, route.url);
      assert.match(String(response.headers.allow), /POST/);
      errorOf(response, route.dialect);
    }
    const missing = await call({ method: 'GET', url: '/v1/nothing-here' });
    assert.equal(missing.statusCode, 404);
    errorOf(missing, 'openai');
  });

  test('form-urlencoded, multipart and text/plain bodies → 415 before the body is read', async () => {
    for (const route of CHAT_ROUTES) {
      for (const type of [
        'application/x-www-form-urlencoded',
        'multipart/form-data; boundary=x',
        'text/plain',
      ]) {
        const response = await call({
          method: 'POST',
          url: route.url,
          headers: { 'content-type': type },
          payload: JSON.stringify(route.body),
        });
        assert.equal(response.statusCode, 415, `${route.url} ${type}`);
        assert.match(errorOf(response, route.dialect).message, /application\/json/);
      }
    }
  });

  test('application/json in any case with a charset, and no content type at all, are read as JSON', async () => {
    const route = CHAT_ROUTES[3]!;
    for (const headers of [
      { 'content-type': 'Application/JSON; charset=UTF-8' },
      {} as Record<string, string>,
    ]) {
      const response = await gateway.app.inject({
        method: 'POST',
        url: route.url,
        headers: { authorization: `Bearer ${USER_KEY}`, ...headers },
        payload: Buffer.from(JSON.stringify(route.body)),
      });
      assert.equal(response.statusCode, 200, response.body);
    }
  });

  test('a body over the limit → 413 in the dialect', async () => {
    for (const route of CHAT_ROUTES.slice(0, 3)) {
      const response = await call({
        method: 'POST',
        url: route.url,
        headers: { 'content-type': 'application/json' },
        payload: JSON.stringify({ ...route.body, padding: 'x'.repeat(80 * 1024 * 1024) }),
      });
      assert.equal(response.statusCode, 413, route.url);
      errorOf(response, route.dialect);
    }
  });

  test('no CORS by default: a preflight gets no access-control-allow-origin', async () => {
    const response = await gateway.app.inject({
      method: 'OPTIONS',
      url: '/v1/chat/completions',
      headers: { origin: 'https://evil.example', 'access-control-request-method': 'POST' },
    });
    assert.equal(response.headers['access-control-allow-origin'], undefined);
  });
});

describe('CORS is an opt-in list', () => {
  let gateway: InProcessGateway;
  before(async () => {
    gateway = await startInProcessGateway({ corsOrigins: ['https://app.example'] });
  });
  after(() => gateway.close());

  test('a listed origin is allowed; any other is not', async () => {
    const preflight = (origin: string) =>
      gateway.app.inject({
        method: 'OPTIONS',
        url: '/v1/chat/completions',
        headers: {
          origin,
          'access-control-request-method': 'POST',
          'access-control-request-headers': 'authorization,content-type',
        },
      });
    const allowed = await preflight('https://app.example');
    assert.equal(allowed.headers['access-control-allow-origin'], 'https://app.example');
    const other = await preflight('https://evil.example');
    assert.equal(other.headers['access-control-allow-origin'], undefined);
  });
});

describe('tool and response-format schemas are validated as JSON Schema', () => {
  let gateway: InProcessGateway;
  before(async () => {
    gateway = await startInProcessGateway();
  });
  after(() => gateway.close());

  const post = (url: string, payload: Record<string, unknown>) =>
    gateway.app.inject({
      method: 'POST',
      url,
      headers: { authorization: `Bearer ${USER_KEY}`, 'content-type': 'application/json' },
      payload,
    });
  const bad = { type: 'object', properties: { city: { type: 'foo' } } };

  const cases: Array<{ url: string; dialect: Dialect; body: Record<string, unknown>; param: string }> = [
    {
      url: '/v1/chat/completions',
      dialect: 'openai',
      body: {
        ...CHAT_ROUTES[0]!.body,
        tools: [{ type: 'function', function: { name: 'weather', parameters: bad } }],
      },
      param: 'tools[0].function.parameters',
    },
    {
      url: '/v1/chat/completions',
      dialect: 'openai',
      body: {
        ...CHAT_ROUTES[0]!.body,
        response_format: { type: 'json_schema', json_schema: { name: 'out', schema: { type: 7 } } },
      },
      param: 'response_format.json_schema.schema',
    },
    {
      url: '/v1/responses',
      dialect: 'openai',
      body: {
        ...CHAT_ROUTES[1]!.body,
        tools: [
          { type: 'function', name: 'ok', parameters: { type: 'object' } },
          { type: 'function', name: 'weather', parameters: bad },
        ],
      },
      param: 'tools[1].parameters',
    },
    {
      url: '/v1/responses',
      dialect: 'openai',
      body: {
        ...CHAT_ROUTES[1]!.body,
        text: { format: { type: 'json_schema', name: 'o', schema: { required: 'x' } } },
      },
      param: 'text.format.schema',
    },
    {
      url: '/v1/messages',
      dialect: 'anthropic',
      body: { ...CHAT_ROUTES[2]!.body, tools: [{ name: 'weather', input_schema: bad }] },
      param: 'tools[0].input_schema',
    },
    {
      url: '/v1/messages/count_tokens',
      dialect: 'anthropic',
      body: { ...CHAT_ROUTES[3]!.body, tools: [{ name: 'weather', input_schema: { type: 'string' } }] },
      param: 'tools[0].input_schema',
    },
  ];
  for (const item of cases) {
    test(`${item.url}: an invalid schema at ${item.param} → 400 naming it`, async () => {
      const response = await post(item.url, item.body);
      assert.equal(response.statusCode, 400, response.body);
      const error = errorOf(response, item.dialect);
      assert.ok(error.message.includes(item.param) || error.param === item.param, response.body);
      if (item.dialect === 'openai') assert.equal(error.param, item.param);
    });
  }

  test('a valid draft-07 style schema with $schema and definitions is accepted', async () => {
    const response = await post('/v1/chat/completions', {
      ...CHAT_ROUTES[0]!.body,
      tools: [
        {
          type: 'function',
          function: {
            name: 'weather',
            parameters: {
              $schema: 'http://json-schema.org/draft-07/schema#',
              type: 'object',
              properties: { city: { $ref: '#/definitions/city' } },
              definitions: { city: { type: 'string', minLength: 1 } },
              required: ['city'],
              additionalProperties: false,
            },
          },
        },
      ],
    });
    assert.equal(response.statusCode, 200, response.body);
  });
});

describe('Responses errors name the caller’s own fields', () => {
  let gateway: InProcessGateway;
  before(async () => {
    gateway = await startInProcessGateway();
  });
  after(() => gateway.close());

  test('a bad image in input[1] is reported as input[1]…, not messages[…]', async () => {
    const response = await gateway.app.inject({
      method: 'POST',
      url: '/v1/responses',
      headers: { authorization: `Bearer ${USER_KEY}`, 'content-type': 'application/json' },
      payload: {
        model: 'vision-1',
        input: [
          { role: 'developer', content: 'be brief' },
          {
            role: 'user',
            content: [
              { type: 'input_text', text: 'what is this?' },
              {
                type: 'input_image',
                image_url: `data:image/png;base64,${Buffer.from('not a png').toString('base64')}`,
              },
            ],
          },
        ],
      },
    });
    assert.equal(response.statusCode, 400, response.body);
    const error = errorOf(response, 'openai');
    assert.match(String(error.param), /^input\[1\]\.content\[1\]/);
    assert.doesNotMatch(error.message, /messages\[/);
  });
});
