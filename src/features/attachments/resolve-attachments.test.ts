import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import type { ChatMessage, ChatRequest, ContentPart } from '../../core/chat-request.ts';
import { GatewayError } from '../../core/errors.ts';
import type { ModelCapabilities, SiteCapabilities } from '../../site-contract/site.ts';
import {
  isResolvedMediaPart,
  type ResolveAttachmentsContext,
  resolveAttachments,
} from './resolve-attachments.ts';
import { sha256Hex } from './sha256.ts';
import { type LoopbackServer, solidImage, startLoopbackServer } from './test-helpers.ts';

const model: ModelCapabilities = {
  vision: true,
  files: false,
  nativeTools: false,
  reasoning: false,
  systemPrompt: true,
  maxInputChars: 100_000,
};
const site: SiteCapabilities = {
  threads: true,
  deleteThreads: true,
  uploads: true,
  acceptedMediaTypes: ['image/png', 'image/jpeg'],
  maxUploadBytes: 5 * 1024 * 1024,
  models: model,
};

function chat(messages: ChatMessage[]): ChatRequest {
  return {
    model: 'demo/vision',
    messages,
    tools: [],
    toolChoice: { type: 'auto' },
    parallelToolCalls: true,
    stop: [],
    responseFormat: { type: 'text' },
    stream: false,
    metadata: {},
  };
}

const user = (...content: ContentPart[]): ChatMessage => ({ role: 'user', content });
const text = (value: string): ContentPart => ({ type: 'text', text: value });

let png: Uint8Array;
let webp: Uint8Array;
let server: LoopbackServer;

before(async () => {
  png = await solidImage('png');
  webp = await solidImage('webp');
  server = await startLoopbackServer((req, res) => {
    if (req.url === '/photo.png') res.end(png);
    else if (req.url === '/hang') return;
    else res.end('plain words');
  });
});
after(() => server.close());

function context(overrides: Partial<ResolveAttachmentsContext> = {}): ResolveAttachmentsContext {
  return {
    model,
    site,
    fetchOptions: { allowCidrs: ['127.0.0.1/32'], totalTimeoutMs: 5000 },
    signal: new AbortController().signal,
    ...overrides,
  };
}

describe('resolveAttachments', () => {
  test('resolves data URLs, raw bytes and URLs in every turn, with hashes', async () => {
    const dataUrl = `data:image/png;base64,${Buffer.from(png).toString('base64')}`;
    const request = chat([
      user(text('what is this?'), { type: 'image', url: dataUrl, detail: 'high' }),
      { role: 'assistant', content: [text('a red square')] },
      user(
        { type: 'image', url: `${server.origin}/photo.png` },
        { type: 'image', data: webp, filename: 'x.webp' },
      ),
    ]);
    const result = await resolveAttachments(request, context());
    assert.notEqual(result, request);
    const first = result.messages[0]?.content[1];
    assert.ok(first !== undefined && isResolvedMediaPart(first));
    assert.deepEqual(first.data, png);
    assert.equal(first.mediaType, 'image/png');
    assert.equal(first.sha256, sha256Hex(png));
    assert.equal(first.detail, 'high');
    assert.equal(first.url, undefined);
    const fetched = result.messages[2]?.content[0];
    assert.ok(fetched !== undefined && isResolvedMediaPart(fetched));
    assert.equal(fetched.sha256, sha256Hex(png));
    const converted = result.messages[2]?.content[1];
    assert.ok(converted !== undefined && isResolvedMediaPart(converted));
    assert.equal(converted.mediaType, 'image/jpeg');
    assert.equal(converted.filename, 'x.jpg');
    assert.equal(result.messages[1], request.messages[1], 'untouched messages keep their content');
    assert.equal(
      (request.messages[0]?.content[1] as { url?: string } | undefined)?.url,
      dataUrl,
      'the input is not mutated',
    );
  });

  test('text files become inlined text parts when the model cannot take files', async () => {
    const request = chat([
      user({ type: 'file', data: new TextEncoder().encode('hello'), filename: 'a.txt' }),
    ]);
    const result = await resolveAttachments(request, context());
    assert.deepEqual(result.messages[0]?.content[0], {
      type: 'text',
      text: 'Attached file "a.txt" (text/plain):\n```\nhello\n```',
    });
  });

  test('a request without attachments comes back as is', async () => {
    const request = chat([user(text('hi'))]);
    assert.equal(await resolveAttachments(request, context()), request);
  });

  test('an image in an earlier turn for a model without vision is refused before any download', async () => {
    const hits = server.requests.length;
    const request = chat([
      user({ type: 'image', url: `${server.origin}/photo.png` }),
      { role: 'assistant', content: [text('ok')] },
      user({ type: 'image', url: `${server.origin}/photo.png` }),
    ]);
    await assert.rejects(
      resolveAttachments(request, context({ model: { ...model, vision: false } })),
      (error) => {
        assert.ok(error instanceof GatewayError);
        assert.equal(error.param, 'messages[0].content[0]');
        assert.match(error.message, /no vision/);
        return true;
      },
    );
    assert.equal(server.requests.length, hits);
  });

  test('one bad attachment fails the request fast and cancels the others', async () => {
    const request = chat([
      user(
        { type: 'image', url: `${server.origin}/hang` },
        { type: 'image', url: 'data:image/png;base64,@@@@' },
      ),
    ]);
    const started = Date.now();
    await assert.rejects(resolveAttachments(request, context()), (error) => {
      assert.ok(error instanceof GatewayError);
      assert.equal(error.param, 'messages[0].content[1]');
      assert.match(error.message, /not valid base64/);
      return true;
    });
    assert.ok(Date.now() - started < 2000, 'did not wait for the hanging download');
  });

  test('forbidden URLs, empty parts and too many attachments are 400s', async () => {
    const cases: Array<[ContentPart, RegExp]> = [
      [{ type: 'image', url: 'http://127.0.0.2:9/latest/meta-data/' }, /loopback/],
      [{ type: 'image', url: 'file:///etc/passwd' }, /unsupported scheme/],
      [{ type: 'file', data: new Uint8Array(0) }, /empty/],
      [{ type: 'image' }, /neither data nor a URL/],
    ];
    for (const [part, reason] of cases) {
      await assert.rejects(resolveAttachments(chat([user(part)]), context({ fetchOptions: {} })), reason);
    }
    const many = chat([
      user(...Array.from({ length: 3 }, () => ({ type: 'image', data: png }) as ContentPart)),
    ]);
    await assert.rejects(
      resolveAttachments(many, context({ limits: { maxAttachments: 2 } })),
      /at most 2 attachments/,
    );
    const big = chat([user({ type: 'image', data: png })]);
    await assert.rejects(resolveAttachments(big, context({ limits: { maxInputBytes: 10 } })), /too large/);
  });

  test('the same source repeated across turns is fetched and converted once', async () => {
    const hits = server.requests.length;
    const url = `${server.origin}/photo.png`;
    const request = chat([
      user({ type: 'image', url }),
      { role: 'assistant', content: [text('ok')] },
      user({ type: 'image', url }, text('and again')),
    ]);
    const result = await resolveAttachments(request, context());
    assert.equal(server.requests.length, hits + 1);
    const [a, b] = [result.messages[0]?.content[0], result.messages[2]?.content[0]];
    assert.ok(a !== undefined && b !== undefined && isResolvedMediaPart(a) && isResolvedMediaPart(b));
    assert.equal(a.sha256, b.sha256);
  });

  test('errors name the field as the caller wrote it when the pipeline maps indices', async () => {
    const request = chat([user(text('x'), { type: 'file', data: new Uint8Array(0) })]);
    const paramFor = (m: number, p: number) => `messages[${m + 1}].content[${p}]`;
    await assert.rejects(resolveAttachments(request, context({ paramFor })), (error) => {
      assert.ok(error instanceof GatewayError);
      assert.equal(error.param, 'messages[1].content[1]');
      assert.match(error.message, /^The attachment in messages\[1\]\.content\[1\] is empty/);
      return true;
    });
  });

  test('a caller abort rejects with the caller reason', async () => {
    const controller = new AbortController();
    const reason = new Error('client left');
    setTimeout(() => controller.abort(reason), 30);
    const request = chat([user({ type: 'image', url: `${server.origin}/hang` })]);
    await assert.rejects(
      resolveAttachments(request, context({ signal: controller.signal })),
      (e) => e === reason,
    );
  });
});
