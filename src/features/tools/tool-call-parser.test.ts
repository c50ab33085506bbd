import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import type { ChatEvent } from '../../core/chat-event.ts';
import type { ToolDefinition } from '../../core/chat-request.ts';
import { CORPUS_TOOLS, REPLY_CORPUS } from './__fixtures__/replies.ts';
import { MAX_OPEN_TAG_LENGTH, matchOpenTag } from './call-tag-syntax.ts';
import { createToolCallParser } from './tool-call-parser.ts';

const tools: ToolDefinition[] = CORPUS_TOOLS;

function textOf(events: readonly ChatEvent[]): string {
  return events.map((event) => (event.type === 'text-delta' ? event.text : '')).join('');
}

describe('plain text is never delayed beyond a possible tag prefix', () => {
  test('text without a tag start comes back immediately', () => {
    const parser = createToolCallParser(tools, { parallel: true });
    assert.equal(textOf(parser.push('hello wor')), 'hello wor');
    assert.equal(textOf(parser.push('ld')), 'ld');
  });

  test('a possible opener is held, the text before it is not', () => {
    const parser = createToolCallParser(tools, { parallel: true });
    assert.equal(textOf(parser.push('hello <tool')), 'hello ');
    assert.equal(textOf(parser.push('box> ok')), '<toolbox> ok');
  });

  test('a lone `<` followed by a space is released at once', () => {
    const parser = createToolCallParser(tools, { parallel: true });
    assert.equal(textOf(parser.push('a <')), 'a ');
    assert.equal(textOf(parser.push(' b')), '< b');
  });

  test('backticks are held only while they may start a fenced call', () => {
    const parser = createToolCallParser(tools, { parallel: true });
    assert.equal(textOf(parser.push('code: ``')), 'code: ');
    assert.equal(textOf(parser.push('`python\n')), '');
    assert.equal(textOf(parser.push('x = 1\n')), '```python\nx = 1\n');
  });

  test('every prefix of every corpus reply: only a possible opener (or a call) is unforwarded', () => {
    for (const reply of REPLY_CORPUS) {
      const parser = createToolCallParser(tools, { parallel: true });
      let forwarded = '';
      let consumed = 0;
      for (const ch of reply.reply) {
        const events = parser.push(ch);
        consumed += ch.length;
        for (const event of events) if (event.type === 'text-delta') forwarded += event.text;
        // After the first call or rejected block, forwarded text no longer mirrors the input.
        if (events.some((event) => event.type !== 'text-delta') || parser.problems.length > 0) break;
        if (!reply.reply.startsWith(forwarded)) break;
        const pending = reply.reply.slice(forwarded.length, consumed);
        const trimmed = pending.trimStart();
        if (trimmed === '') continue;
        const open = matchOpenTag(trimmed, 0, false);
        assert.notEqual(open.kind, 'none', `${reply.name}: ${JSON.stringify(pending)} held`);
        if (open.kind === 'partial') assert.ok(trimmed.length <= MAX_OPEN_TAG_LENGTH);
      }
    }
  });

  test('text with no `<` or backtick is forwarded chunk for chunk', () => {
    const parser = createToolCallParser(tools, { parallel: true });
    const chunks = ['Bonjour ', 'le monde, ', '你好，', '世界 😀', ' x > y', '\n'];
    for (const chunk of chunks) assert.equal(textOf(parser.push(chunk)), chunk);
    assert.deepEqual(parser.end(), []);
  });
});

describe('calls', () => {
  test('ids use the prefix option', () => {
    const parser = createToolCallParser(tools, { parallel: true, idPrefix: 'toolu_' });
    const events = parser.push('<tool_call>{"name":"read_file","arguments":{"path":"a"}}</tool_call>');
    const start = events[0];
    assert.equal(start?.type, 'tool-call-start');
    assert.match(start?.type === 'tool-call-start' ? start.id : '', /^toolu_[A-Za-z0-9]{24}$/);
  });

  test('default ids are OpenAI style and unique', () => {
    const parser = createToolCallParser(tools, { parallel: true });
    const events = parser.push(
      '<tool_call>{"name":"read_file","arguments":{"path":"a"}}</tool_call><tool_call>{"name":"read_file","arguments":{"path":"b"}}</tool_call>',
    );
    const ids = events.flatMap((event) => (event.type === 'tool-call-start' ? [event.id] : []));
    assert.equal(ids.length, 2);
    assert.notEqual(ids[0], ids[1]);
    for (const id of ids) assert.match(id, /^call_[A-Za-z0-9]{24}$/);
  });

  test('a call is emitted as soon as its closer arrives, before the reply ends', () => {
    const parser = createToolCallParser(tools, { parallel: true, newId: () => 'call_x' });
    assert.deepEqual(parser.push('<tool_call>{"name":"read_file","arguments":{"path":"a"}}'), []);
    assert.deepEqual(parser.push('</tool_call>'), [
      { type: 'tool-call-start', id: 'call_x', name: 'read_file', kind: 'function' },
      { type: 'tool-call-delta', id: 'call_x', argumentsDelta: '{"path":"a"}' },
      { type: 'tool-call-end', id: 'call_x' },
    ]);
    assert.equal(parser.callCount, 1);
    assert.equal(parser.validCallCount, 1);
  });

  test('a long call body streamed in small chunks is parsed once, correctly', () => {
    const content = 'x<y '.repeat(20_000);
    const reply = `<tool_call>${JSON.stringify({ name: 'send_email', arguments: { to: 't', subject: 's', body: content } })}</tool_call>`;
    const parser = createToolCallParser(tools, { parallel: true, newId: () => 'id' });
    const events: ChatEvent[] = [];
    for (let i = 0; i < reply.length; i += 7) events.push(...parser.push(reply.slice(i, i + 7)));
    events.push(...parser.end());
    const delta = events.find((event) => event.type === 'tool-call-delta');
    assert.ok(delta?.type === 'tool-call-delta');
    assert.deepEqual(JSON.parse(delta.argumentsDelta), { to: 't', subject: 's', body: content });
  });

  test('function tool without a schema accepts any object', () => {
    const parser = createToolCallParser([{ name: 'ping', kind: 'function' }], {
      parallel: true,
      newId: () => 'i',
    });
    const events = parser.push('<tool_call>{"name":"ping"}</tool_call>');
    assert.deepEqual(events[1], { type: 'tool-call-delta', id: 'i', argumentsDelta: '{}' });
    assert.equal(parser.validCallCount, 1);
  });

  test('custom tool with empty input has no arguments delta', () => {
    const parser = createToolCallParser([{ name: 'noop', kind: 'custom' }], {
      parallel: true,
      newId: () => 'i',
    });
    assert.deepEqual(parser.push('<tool_call name="noop"></tool_call>'), [
      { type: 'tool-call-start', id: 'i', name: 'noop', kind: 'custom' },
      { type: 'tool-call-end', id: 'i' },
    ]);
  });

  test('ambiguous loose name match is not guessed', () => {
    const twins: ToolDefinition[] = [
      { name: 'get_item', kind: 'function' },
      { name: 'get-item', kind: 'function' },
    ];
    const parser = createToolCallParser(twins, { parallel: true });
    const events = parser.push('<tool_call>{"name":"GetItem","arguments":{}}</tool_call>');
    assert.equal(parser.callCount, 0);
    assert.equal(events[0]?.type, 'text-delta');
    assert.deepEqual(
      parser.problems.map((problem) => problem.kind),
      ['unknown-tool'],
    );
  });

  test('narration is reported only when no call was made', () => {
    const parser = createToolCallParser(tools, { parallel: true });
    parser.push('I would use read_file here, then ');
    parser.push('<tool_call>{"name":"read_file","arguments":{"path":"a"}}</tool_call>');
    parser.end();
    assert.deepEqual(parser.narratedToolNames, []);
  });

  test('push after end is a programming error; end twice is harmless', () => {
    const parser = createToolCallParser(tools, { parallel: true });
    parser.end();
    assert.deepEqual(parser.end(), []);
    assert.throws(() => parser.push('x'));
  });
});
