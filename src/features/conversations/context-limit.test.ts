import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import type { ChatMessage } from '../../core/chat-request.ts';
import { GatewayError } from '../../core/errors.ts';
import {
  assertTurnFits,
  type FitContextInput,
  fitContext,
  HISTORY_FILE_NOTE,
  HISTORY_FILENAME,
} from './context-limit.ts';

const user = (text: string): ChatMessage => ({ role: 'user', content: [{ type: 'text', text }] });
const assistant = (text: string): ChatMessage => ({ role: 'assistant', content: [{ type: 'text', text }] });

/** Ten turns of 100-character messages, then a short new question. */
function longConversation(): ChatMessage[] {
  const messages: ChatMessage[] = [];
  for (let i = 0; i < 10; i++) {
    messages.push(user(`u${i} ${'x'.repeat(96)}`), assistant(`a${i} ${'y'.repeat(96)}`));
  }
  messages.push(user('last question'));
  return messages;
}

function input(overrides: Partial<FitContextInput> & { maxInputChars?: number }): FitContextInput {
  const { maxInputChars = 100_000, ...rest } = overrides;
  return {
    system: 'Be terse.',
    messages: longConversation(),
    policy: 'reject',
    model: { maxInputChars, systemPrompt: false, files: true },
    site: { uploads: true, acceptedMediaTypes: ['image/png', 'text/plain'], maxUploadBytes: 1_000_000 },
    ...rest,
  };
}

const isContextError = (error: unknown) =>
  error instanceof GatewayError && error.kind === 'context_length_exceeded' && error.status === 400;

describe('fitContext', () => {
  for (const policy of ['drop-oldest', 'upload-file', 'reject'] as const) {
    test(`${policy}: a history within the limit is sent whole`, () => {
      const fitted = fitContext(input({ policy }));
      assert.equal(fitted.droppedTurns, 0);
      assert.equal(fitted.historyFile, undefined);
      assert.match(fitted.text, /^\[System instructions\]/);
      assert.match(fitted.text, /u0 x+/);
    });
  }

  test('reject: over the limit is a 400 context_length_exceeded', () => {
    assert.throws(() => fitContext(input({ policy: 'reject', maxInputChars: 1_000 })), isContextError);
  });

  test('drop-oldest: drops the fewest oldest turns, keeps the system prompt and the new turn', () => {
    const whole = fitContext(input({ policy: 'reject' })).text.length;
    const fitted = fitContext(input({ policy: 'drop-oldest', maxInputChars: whole - 150 }));
    assert.ok(fitted.text.length <= whole - 150);
    assert.equal(fitted.droppedTurns, 1);
    assert.match(fitted.text, /^\[System instructions\]\nBe terse\./);
    assert.match(fitted.text, /\[1 earlier turn omitted\]/);
    assert.doesNotMatch(fitted.text, /u0 /);
    assert.match(fitted.text, /u1 /);
    assert.match(fitted.text, /last question$/);
  });

  test('drop-oldest: drops many turns when the limit is small', () => {
    const fitted = fitContext(input({ policy: 'drop-oldest', maxInputChars: 600 }));
    assert.ok(fitted.text.length <= 600);
    assert.ok(fitted.droppedTurns >= 8 && fitted.droppedTurns <= 10, String(fitted.droppedTurns));
    // A turn renders to about 220 characters: 250 more room keeps exactly one more turn.
    const one = fitContext(input({ policy: 'drop-oldest', maxInputChars: fitted.text.length + 250 }));
    assert.equal(one.droppedTurns, fitted.droppedTurns - 1);
  });

  test('drop-oldest: keeps a tool call with its result when dropping', () => {
    const messages: ChatMessage[] = [
      user(`first ${'x'.repeat(200)}`),
      {
        role: 'assistant',
        content: [{ type: 'tool-call', id: 'c1', name: 'w', kind: 'function', arguments: '{}' }],
      },
      { role: 'user', content: [{ type: 'tool-result', toolCallId: 'c1', content: 'r1', isError: false }] },
      assistant('done'),
      user('next'),
    ];
    const fitted = fitContext(input({ policy: 'drop-oldest', messages, maxInputChars: 200 }));
    assert.equal(fitted.droppedTurns, 1);
    assert.doesNotMatch(fitted.text, /r1/);
  });

  test('drop-oldest: a 400 when even the system prompt and the new turn do not fit', () => {
    assert.throws(() => fitContext(input({ policy: 'drop-oldest', maxInputChars: 30 })), isContextError);
  });

  test('upload-file: the prior turns go into a text file, the message references it', () => {
    const fitted = fitContext(input({ policy: 'upload-file', maxInputChars: 1_000 }));
    assert.equal(fitted.droppedTurns, 0);
    assert.equal(fitted.historyFile?.filename, HISTORY_FILENAME);
    assert.equal(fitted.historyFile?.mediaType, 'text/plain');
    const file = new TextDecoder().decode(fitted.historyFile?.data);
    assert.match(file, /^\[Conversation so far\]\nUser: u0 /);
    assert.match(file, /Assistant: a9 /);
    assert.equal(
      fitted.text,
      `[System instructions]\nBe terse.\n[End of system instructions]\n\n${HISTORY_FILE_NOTE}\n\nlast question`,
    );
  });

  test('upload-file: with a native system prompt the message carries no preamble', () => {
    const fitted = fitContext(
      input({
        policy: 'upload-file',
        maxInputChars: 1_000,
        model: { maxInputChars: 1_000, systemPrompt: true, files: true },
      }),
    );
    assert.equal(fitted.systemPrompt, 'Be terse.');
    assert.equal(fitted.text, `${HISTORY_FILE_NOTE}\n\nlast question`);
  });

  test('upload-file: a 400 when the site takes no text files', () => {
    const site = { uploads: true, acceptedMediaTypes: ['image/png'], maxUploadBytes: 1_000_000 };
    assert.throws(
      () => fitContext(input({ policy: 'upload-file', maxInputChars: 1_000, site })),
      isContextError,
    );
  });

  test('upload-file: a 400 when the file exceeds the upload limit', () => {
    const site = { uploads: true, acceptedMediaTypes: ['text/plain'], maxUploadBytes: 100 };
    assert.throws(
      () => fitContext(input({ policy: 'upload-file', maxInputChars: 1_000, site })),
      isContextError,
    );
  });

  test('upload-file: a 400 when the new turn alone is too long', () => {
    const messages = [...longConversation().slice(0, -1), user('z'.repeat(2_000))];
    assert.throws(
      () => fitContext(input({ policy: 'upload-file', maxInputChars: 1_000, messages })),
      isContextError,
    );
  });
});

describe('assertTurnFits', () => {
  test('passes at the limit and fails over it', () => {
    assertTurnFits('abc', { maxInputChars: 3 });
    assert.throws(() => assertTurnFits('abcd', { maxInputChars: 3 }), isContextError);
  });
});
