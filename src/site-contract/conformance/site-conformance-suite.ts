import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { describeBehaviourCases } from './behaviour-cases.ts';
import {
  type ConformanceCase,
  type ConformanceOptions,
  type ConformanceTarget,
  collect,
  textOf,
} from './conformance-target.ts';
import { describeFaultCases } from './fault-cases.ts';

export type {
  ConformanceCase,
  ConformanceOptions,
  ConformanceTarget,
  ProvokedFault,
  SiteFault,
} from './conformance-target.ts';

/**
 * One contract, many sites: every adapter (demo over HTTP and browser, recipes, Poe, Qwen,
 * HuggingChat, OpenAI-compatible upstreams) runs these same tests against a live site or a local
 * server replaying recorded wire fixtures. A site skips a case only with a written reason; the
 * optional cases (native tools, reasoning, output caps, faults, capability honesty) live in
 * behaviour-cases.ts and fault-cases.ts.
 */
export function describeSiteConformance(
  name: string,
  setup: () => Promise<ConformanceTarget>,
  options: ConformanceOptions = {},
): void {
  describe(`site conformance: ${name}`, () => {
    let target: ConformanceTarget;
    before(async () => {
      target = await setup();
    });
    after(() => target?.cleanup());
    const skip = (which: ConformanceCase) => options.skip?.[which] ?? false;
    const signal = () => AbortSignal.timeout(30_000);

    test('declares interface version 1 and its capabilities', () => {
      assert.equal(target.site.interfaceVersion, 1);
      assert.ok(target.site.id.length > 0);
      assert.equal(typeof target.site.capabilities.threads, 'boolean');
    });

    test('the session is usable after login', { skip: skip('session') }, async () => {
      await target.site.login(signal());
      const state = await target.site.checkSession(signal());
      assert.equal(state.state, 'ok');
    });

    test('lists models with ids, names and capabilities', { skip: skip('models') }, async () => {
      const models = await target.site.listModels(signal());
      assert.ok(models.length > 0);
      for (const model of models) {
        assert.ok(model.id.length > 0);
        assert.ok(model.displayName.length > 0);
        assert.ok(model.capabilities.maxInputChars > 0);
      }
      assert.ok(
        models.some((m) => m.id === target.model),
        `model ${target.model} listed`,
      );
    });

    test('a one-word reply arrives as text and ends with one finish', {
      skip: skip('one-reply'),
    }, async () => {
      const events = await collect(
        target.site.send({ model: target.model, text: target.prompt, attachments: [] }, signal()),
      );
      assert.ok(textOf(events).includes(target.expectedText), textOf(events));
      assert.equal(events.filter((e) => e.type === 'finish').length, 1);
    });

    test('streaming is incremental', { skip: skip('incremental') }, async () => {
      const events = await collect(
        target.site.send({ model: target.model, text: target.longPrompt, attachments: [] }, signal()),
      );
      assert.ok(events.filter((e) => e.type === 'text').length >= 2, 'several text deltas');
    });

    test('finish is the last event and nothing follows it', { skip: skip('finish-last') }, async () => {
      const events = await collect(
        target.site.send({ model: target.model, text: target.prompt, attachments: [] }, signal()),
      );
      assert.equal(events.at(-1)?.type, 'finish');
    });

    test('a turn continues the thread the previous turn reported', {
      skip: skip('continuation'),
    }, async () => {
      const first = await collect(
        target.site.send({ model: target.model, text: target.prompt, attachments: [] }, signal()),
      );
      const thread = first.find((e) => e.type === 'thread');
      assert.ok(thread && thread.type === 'thread', 'the site reports its thread');
      const second = await collect(
        target.site.send(
          { model: target.model, threadId: thread.threadId, text: target.prompt, attachments: [] },
          signal(),
        ),
      );
      const secondThread = second.find((e) => e.type === 'thread');
      assert.equal(secondThread?.type === 'thread' ? secondThread.threadId : undefined, thread.threadId);
      assert.ok(textOf(second).includes(target.expectedText));
    });

    test('aborting stops the stream promptly', { skip: skip('abort') }, async () => {
      const controller = new AbortController();
      const started = Date.now();
      let texts = 0;
      await assert.rejects(async () => {
        for await (const event of target.site.send(
          { model: target.model, text: target.longPrompt, attachments: [] },
          controller.signal,
        )) {
          if (event.type === 'text' && ++texts === 1) controller.abort(new Error('test abort'));
          if (event.type === 'finish') throw new Error('finished despite the abort');
        }
        // Some transports end quietly on abort; that is fine as long as no finish came.
        throw new Error('ended after abort');
      });
      assert.ok(Date.now() - started < 10_000);
    });

    test('uploads a file and gets an attachment id', { skip: skip('upload') }, async () => {
      assert.ok(target.upload, 'the target provides an upload sample');
      const { model: _model, ...file } = target.upload;
      const attachment = await target.site.upload(file, signal());
      assert.ok(attachment.fileId.length > 0);
    });

    test('deletes a thread it created', { skip: skip('delete-thread') }, async () => {
      const events = await collect(
        target.site.send({ model: target.model, text: target.prompt, attachments: [] }, signal()),
      );
      const thread = events.find((e) => e.type === 'thread');
      assert.ok(thread && thread.type === 'thread');
      await target.site.deleteThread(thread.threadId, signal());
    });

    const context = { target: () => target, skip, signal };
    describeBehaviourCases(context);
    describeFaultCases(context);
  });
}
