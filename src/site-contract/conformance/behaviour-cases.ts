import assert from 'node:assert/strict';
import { test } from 'node:test';
import { GatewayError } from '../../core/errors.ts';
import { type CaseContext, memoReply, quickTurn, required } from './conformance-context.ts';
import { collect, failureOf, finishOf, modelOf, textOf } from './conformance-target.ts';

/** Native tools, reasoning and finish reasons: what a model declares it does, it does. */
export function describeBehaviourCases({ target, skip, signal }: CaseContext): void {
  const plainReply = memoReply({ target, signal });
  test('a model with native tools answers a tool turn with a tool call and finish tool-calls', {
    skip: skip('native-tools'),
  }, async () => {
    const spec = required(target().tools, 'tools turn');
    const model = await modelOf(target().site, spec.model, signal());
    assert.equal(model.capabilities.nativeTools, true, `${spec.model} declares nativeTools`);
    const events = await collect(
      target().site.send(
        {
          model: spec.model,
          text: spec.prompt,
          attachments: [],
          tools: [spec.tool],
          toolChoice: { type: 'auto' },
        },
        signal(),
      ),
    );
    const calls = events.flatMap((e) => (e.type === 'tool-call' ? [e] : []));
    assert.ok(calls.length > 0, `a tool-call event: ${JSON.stringify(events).slice(0, 400)}`);
    for (const call of calls) {
      assert.equal(call.name, spec.tool.name, 'only the offered tool is called');
      assert.ok(call.id.length > 0, 'the call has an id');
      assert.doesNotThrow(() => JSON.parse(call.arguments), `JSON arguments: ${call.arguments}`);
    }
    assert.deepEqual(JSON.parse(calls[0]?.arguments ?? ''), spec.expectedArguments);
    assert.equal(finishOf(events), 'tool-calls');
    assert.equal(events.at(-1)?.type, 'finish');
  });

  test('a reasoning model streams reasoning before its text; others stream none', {
    skip: skip('reasoning'),
  }, async () => {
    const spec = required(target().reasoning, 'reasoning turn');
    const { site } = target();
    const model = await modelOf(site, spec.model, signal());
    assert.equal(model.capabilities.reasoning, true, `${spec.model} declares reasoning`);
    const events = await collect(
      site.send({ model: spec.model, text: spec.prompt, attachments: [] }, signal()),
    );
    const firstReasoning = events.findIndex((e) => e.type === 'reasoning');
    const firstText = events.findIndex((e) => e.type === 'text');
    assert.ok(firstReasoning !== -1, `reasoning events: ${JSON.stringify(events).slice(0, 400)}`);
    assert.ok(firstText === -1 || firstReasoning < firstText, 'reasoning comes before the text');
    const reasoning = events.map((e) => (e.type === 'reasoning' ? e.delta : '')).join('');
    assert.ok(reasoning.trim().length > 0, 'the reasoning says something');
    assert.equal(events.at(-1)?.type, 'finish');

    const plain = await modelOf(site, quickTurn(target()).model, signal());
    if (!plain.capabilities.reasoning) {
      const reply = await plainReply();
      assert.ok(
        !reply.some((e) => e.type === 'reasoning'),
        `${plain.id} declares no reasoning and streams none`,
      );
    }
  });

  test("a normal reply finishes with reason 'stop'", { skip: skip('finish-stop') }, async () => {
    const events = await plainReply();
    assert.ok(textOf(events).includes(target().expectedText), textOf(events));
    assert.equal(finishOf(events), 'stop');
  });

  test("a reply cut by maxOutputTokens finishes with reason 'length'", {
    skip: skip('finish-length'),
  }, async () => {
    const spec = required(target().length, 'length turn');
    const turn = { model: spec.model, text: spec.prompt, attachments: [] };
    const capped = await collect(
      target().site.send({ ...turn, maxOutputTokens: spec.maxOutputTokens }, signal()),
    );
    assert.equal(finishOf(capped), 'length', JSON.stringify(capped).slice(-300));
    assert.ok(textOf(capped).length > 0, 'the cut reply still has text');
    if (!spec.uncappedStops) return;
    const whole = await collect(target().site.send(turn, signal()));
    assert.equal(finishOf(whole), 'stop');
    assert.ok(textOf(whole).length > textOf(capped).length, 'the cap made the reply shorter');
  });

  test('declared threads: a reply reports exactly one thread (none when threads are not declared)', {
    skip: skip('honest-threads'),
  }, async () => {
    const { site } = target();
    const events = await plainReply();
    const threads = events.flatMap((e) => (e.type === 'thread' ? [e] : []));
    if (!site.capabilities.threads) {
      assert.equal(threads.length, 0, 'a site without threads reports none');
      return;
    }
    assert.ok(threads.length >= 1, 'the reply reports its thread');
    assert.ok(threads[0] && threads[0].threadId.length > 0);
    assert.equal(new Set(threads.map((t) => t.threadId)).size, 1, 'one thread per reply');
    const finish = events.findIndex((e) => e.type === 'finish');
    assert.ok(events.findIndex((e) => e.type === 'thread') < finish, 'the thread comes before the finish');
  });

  test('declared uploads: a file of a declared type uploads and goes with a turn', {
    skip: skip('honest-uploads'),
  }, async (t) => {
    const { site } = target();
    const upload = target().upload;
    if (!site.capabilities.uploads) {
      if (!upload) return t.skip('the site declares no uploads and the target has no sample');
      const error = await site.upload(upload, signal()).then(
        () => undefined,
        (e: unknown) => e,
      );
      assert.ok(error instanceof GatewayError, 'a site declaring no uploads refuses one with a GatewayError');
      return;
    }
    const sample = required(upload, 'upload sample');
    assert.ok(
      site.capabilities.acceptedMediaTypes.includes(sample.mediaType),
      `${sample.mediaType} is among the declared ${site.capabilities.acceptedMediaTypes.join(', ')}`,
    );
    assert.ok(sample.data.byteLength <= site.capabilities.maxUploadBytes);
    const { model: modelId = target().model, ...file } = sample;
    const model = await modelOf(site, modelId, signal());
    const takes = file.mediaType.startsWith('image/') ? 'vision' : 'files';
    assert.equal(model.capabilities[takes], true, `${modelId} declares ${takes} for ${file.mediaType}`);
    const attachment = await site.upload(file, signal());
    assert.ok(attachment.fileId.length > 0);
    const events = await collect(
      site.send({ model: modelId, text: target().prompt, attachments: [attachment] }, signal()),
    );
    assert.ok(textOf(events).includes(target().expectedText), textOf(events));
    assert.equal(events.at(-1)?.type, 'finish');
  });

  test('declared deleteThreads: a deleted thread cannot be continued', {
    skip: skip('honest-delete'),
  }, async (t) => {
    const { site } = target();
    if (!site.capabilities.deleteThreads) {
      return t.skip('the site declares no deleteThreads, so it is not expected to delete');
    }
    assert.equal(site.capabilities.threads, true, 'deleting threads implies having them');
    const first = await collect(site.send(quickTurn(target()), signal()));
    const thread = first.find((e) => e.type === 'thread');
    assert.ok(thread?.type === 'thread', 'the site reports its thread');
    await site.deleteThread(thread.threadId, signal());
    const error = await failureOf(site.send(quickTurn(target(), { threadId: thread.threadId }), signal()));
    assert.ok(error instanceof GatewayError, `a GatewayError, got ${String(error)}`);
    assert.equal(error.kind, 'not_found', error.message);
  });
}
