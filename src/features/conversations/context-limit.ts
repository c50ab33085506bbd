import type { ChatMessage, MediaPart } from '../../core/chat-request.ts';
import { GatewayError } from '../../core/errors.ts';
import type { ModelCapabilities, SiteCapabilities, UploadInput } from '../../site-contract/site.ts';
import {
  defaultToolRenderers,
  flattenHistory,
  renderHistory,
  renderNewTurn,
  systemPreamble,
  type ToolRenderers,
} from './flatten-history.ts';
import { splitAtLastAnswer } from './split-turns.ts';

/**
 * What to do when the flattened history is longer than the model's input limit:
 * - `drop-oldest`: drop the oldest turns (the system prompt and the new turn always stay) and say so;
 * - `upload-file`: send the prior turns as a text file next to a short message, where the site
 *   accepts text files; otherwise reject;
 * - `reject`: answer 400 `context_length_exceeded`.
 */
export type ContextPolicy = 'drop-oldest' | 'upload-file' | 'reject';

export interface FitContextInput {
  system?: string;
  /** The whole history to start a new thread with (`plan.messages`). */
  messages: ChatMessage[];
  policy: ContextPolicy;
  model: Pick<ModelCapabilities, 'maxInputChars' | 'systemPrompt' | 'files'>;
  site: Pick<SiteCapabilities, 'uploads' | 'acceptedMediaTypes' | 'maxUploadBytes'>;
  renderers?: ToolRenderers;
}

export interface FittedContext {
  text: string;
  systemPrompt?: string;
  /** Media of the new turn, to upload and attach. */
  attachments: MediaPart[];
  /**
   * Oldest turns left out (a turn = a user message and everything up to the next one). Non-zero
   * means the pipeline must set `x-gateway-context-truncated: dropped=N` and log it.
   */
  droppedTurns: number;
  /** Under `upload-file`: the prior turns as a text file, to upload and attach before `attachments`. */
  historyFile?: UploadInput;
}

export const HISTORY_FILENAME = 'conversation-history.txt';
export const HISTORY_FILE_NOTE = `[The conversation so far is in the attached file ${HISTORY_FILENAME} — read it, then reply to the message below]`;

/** Renders a new thread's first message within the model's input limit, by the chosen policy. */
export function fitContext(input: FitContextInput): FittedContext {
  const renderers = input.renderers ?? defaultToolRenderers;
  const limit = input.model.maxInputChars;
  const render = (messages: ChatMessage[], omittedTurns: number) =>
    flattenHistory({
      messages,
      nativeSystemPrompt: input.model.systemPrompt,
      renderers,
      omittedTurns,
      ...(input.system === undefined ? {} : { system: input.system }),
    });

  const whole = render(input.messages, 0);
  if (whole.text.length <= limit) return { ...whole, droppedTurns: 0 };

  switch (input.policy) {
    case 'reject':
      throw tooLong(whole.text.length, limit, '');
    case 'drop-oldest':
      return dropOldest(input.messages, limit, render);
    case 'upload-file':
      return uploadHistory(input, renderers, whole.text.length);
  }
}

/** For a continued thread, where nothing can be dropped: the new turn alone must fit. */
export function assertTurnFits(text: string, model: Pick<ModelCapabilities, 'maxInputChars'>): void {
  if (text.length > model.maxInputChars) throw tooLong(text.length, model.maxInputChars, '');
}

type Render = (messages: ChatMessage[], omittedTurns: number) => ReturnType<typeof flattenHistory>;

function dropOldest(messages: ChatMessage[], limit: number, render: Render): FittedContext {
  const { history, newTurn } = splitAtLastAnswer(messages);
  const turns = groupTurns(history);
  const attempt = (dropped: number) => render([...turns.slice(dropped).flat(), ...newTurn], dropped);
  // Fewest dropped turns that fit, by bisection: each render is linear in the history, and long
  // histories are exactly the ones that get here.
  let low = 1;
  let high = turns.length;
  const minimal = attempt(high).text.length;
  if (minimal > limit) throw tooLong(minimal, limit, 'even with every earlier turn dropped');
  while (low < high) {
    const middle = Math.floor((low + high) / 2);
    if (attempt(middle).text.length <= limit) high = middle;
    else low = middle + 1;
  }
  return { ...attempt(high), droppedTurns: high };
}

/** Turns start at a user message that says something (not only tool results) or a system note. */
function groupTurns(history: ChatMessage[]): ChatMessage[][] {
  const turns: ChatMessage[][] = [];
  for (const message of history) {
    const startsTurn =
      message.role === 'system' ||
      (message.role === 'user' && message.content.some((p) => p.type !== 'tool-result'));
    const current = turns[turns.length - 1];
    if (startsTurn || current === undefined) turns.push([message]);
    else current.push(message);
  }
  return turns;
}

function uploadHistory(input: FitContextInput, renderers: ToolRenderers, wholeLength: number): FittedContext {
  if (!acceptsTextFiles(input)) {
    throw tooLong(
      wholeLength,
      input.model.maxInputChars,
      'and this site does not accept the history as a text file',
    );
  }
  const { history, newTurn } = splitAtLastAnswer(input.messages);
  const data = new TextEncoder().encode(renderHistory(history, 0, renderers));
  if (data.byteLength > input.site.maxUploadBytes) {
    throw new GatewayError(
      'context_length_exceeded',
      `The conversation history is ${data.byteLength} bytes as a file, over this site's upload limit of ${input.site.maxUploadBytes} bytes.`,
      { param: 'messages' },
    );
  }
  const current = renderNewTurn(newTurn, renderers);
  const system = input.system?.trim() ?? '';
  const native = input.model.systemPrompt;
  // The preamble stays in the message, where the model reads it before anything else.
  const sections = [system !== '' && !native ? systemPreamble(system) : '', HISTORY_FILE_NOTE, current.text];
  const text = sections.filter((section) => section !== '').join('\n\n');
  assertTurnFits(text, input.model);
  const fitted: FittedContext = {
    text,
    attachments: current.attachments,
    droppedTurns: 0,
    historyFile: { data, filename: HISTORY_FILENAME, mediaType: 'text/plain' },
  };
  if (system !== '' && native) fitted.systemPrompt = system;
  return fitted;
}

function acceptsTextFiles(input: FitContextInput): boolean {
  const types = input.site.acceptedMediaTypes;
  return (
    input.site.uploads &&
    input.model.files &&
    (types.includes('text/plain') || types.includes('text/*') || types.includes('*/*'))
  );
}

function tooLong(length: number, limit: number, why: string): GatewayError {
  return new GatewayError(
    'context_length_exceeded',
    `The input is ${length} characters once rendered for the site, over this model's limit of ${limit} characters${why === '' ? '' : `, ${why}`}.`,
    { param: 'messages' },
  );
}
