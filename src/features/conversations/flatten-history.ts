import type { ChatMessage, MediaPart, Role, ToolCallPart, ToolResultPart } from '../../core/chat-request.ts';
import { sha256Hex } from './hash-transcript.ts';
import { splitAtLastAnswer } from './split-turns.ts';

/** How earlier tool calls and results read as text; the tools module supplies its own. */
export interface ToolRenderers {
  renderToolCall(part: ToolCallPart): string;
  renderToolResult(part: ToolResultPart): string;
}

export const defaultToolRenderers: ToolRenderers = {
  renderToolCall: (part) => `[tool call ${part.name} id=${part.id}] ${part.arguments}`,
  renderToolResult: (part) =>
    `[tool ${part.isError ? 'error' : 'result'} id=${part.toolCallId}] ${part.content}`,
};

/** One message for the site, plus the media of the current turn to attach natively. */
export interface RenderedTurn {
  text: string;
  /** Media of the turn being sent now, in order; earlier media are referenced in the text only. */
  attachments: MediaPart[];
}

export interface FlattenedThreadStart extends RenderedTurn {
  /** Set when the model has its own system prompt field; the text then carries no preamble. */
  systemPrompt?: string;
}

export interface FlattenInput {
  system?: string;
  /** The whole request: prior turns and the turn to send now. */
  messages: ChatMessage[];
  /** The model's `systemPrompt` capability: use the site's field instead of a preamble. */
  nativeSystemPrompt: boolean;
  renderers?: ToolRenderers;
  /** Earlier turns dropped by the context policy; said in the text so the model knows. */
  omittedTurns?: number;
}

export const PREAMBLE_START = '[System instructions]';
export const PREAMBLE_END = '[End of system instructions]';
export const HISTORY_START = '[Conversation so far]';
export const HISTORY_END = '[End of conversation so far — reply to the message below]';

const ROLE_LABELS: Record<Role, string> = {
  system: 'System',
  user: 'User',
  assistant: 'Assistant',
  tool: 'Tool',
};

/**
 * Renders a whole stateless history into the first message of a new site thread (or the only
 * message, for sites without threads). Format and example: README.md "Flattened history".
 */
export function flattenHistory(input: FlattenInput): FlattenedThreadStart {
  const renderers = input.renderers ?? defaultToolRenderers;
  const { history, newTurn } = splitAtLastAnswer(input.messages);
  const current = renderNewTurn(newTurn, renderers);
  const sections: string[] = [];
  const system = input.system?.trim() ?? '';
  if (system !== '' && !input.nativeSystemPrompt)
    sections.push(`${PREAMBLE_START}\n${system}\n${PREAMBLE_END}`);
  const omitted = input.omittedTurns ?? 0;
  if (history.length > 0 || omitted > 0) {
    sections.push(renderHistory(history, omitted, renderers));
  }
  if (current.text !== '') sections.push(current.text);
  const flattened: FlattenedThreadStart = { text: sections.join('\n\n'), attachments: current.attachments };
  if (system !== '' && input.nativeSystemPrompt) flattened.systemPrompt = system;
  return flattened;
}

/** The delimited system prompt for models without a system prompt field. */
export function systemPreamble(system: string): string {
  return `${PREAMBLE_START}\n${system.trim()}\n${PREAMBLE_END}`;
}

/** The prior turns block alone; also what goes into an uploaded history file. */
export function renderHistory(
  history: ChatMessage[],
  omittedTurns: number,
  renderers: ToolRenderers,
): string {
  const lines = [HISTORY_START];
  if (omittedTurns > 0) lines.push(`[${omittedTurns} earlier turn${omittedTurns === 1 ? '' : 's'} omitted]`);
  for (const message of history) {
    const body = renderMessageBody(message, renderers, 'reference');
    if (body !== '') lines.push(`${ROLE_LABELS[message.role]}: ${body}`);
  }
  lines.push(HISTORY_END);
  return lines.join('\n');
}

/**
 * Renders the turn sent into an existing thread (or after the history block): user text as the
 * user wrote it, so a plain conversation looks native on the site; media become attachments.
 */
export function renderNewTurn(
  messages: ChatMessage[],
  renderers: ToolRenderers = defaultToolRenderers,
): RenderedTurn {
  const attachments: MediaPart[] = [];
  const blocks: string[] = [];
  for (const message of messages) {
    for (const part of message.content) {
      if (part.type === 'image' || part.type === 'file') attachments.push(part);
    }
    const body = renderMessageBody(message, renderers, 'attach');
    if (body === '') continue;
    blocks.push(message.role === 'system' ? `[System note] ${body}` : body);
  }
  return { text: blocks.join('\n\n'), attachments };
}

function renderMessageBody(
  message: ChatMessage,
  renderers: ToolRenderers,
  media: 'reference' | 'attach',
): string {
  const pieces: string[] = [];
  let text = '';
  const flushText = () => {
    if (text.trim() !== '') pieces.push(text.trim());
    text = '';
  };
  for (const part of message.content) {
    switch (part.type) {
      case 'text':
        text += part.text;
        break;
      case 'image':
      case 'file':
        if (media === 'reference') {
          flushText();
          pieces.push(mediaReference(part));
        }
        break;
      case 'tool-call':
        flushText();
        pieces.push(renderers.renderToolCall(part));
        break;
      case 'tool-result':
        flushText();
        pieces.push(renderers.renderToolResult(part));
        break;
      case 'reasoning':
        // Earlier reasoning is not replayed: it costs input and the site's model re-reasons anyway.
        break;
    }
  }
  flushText();
  return pieces.join('\n');
}

/** `[image: cat.png, sha256 1a2b3c4d5e6f]`: enough for the model to tell attachments apart. */
export function mediaReference(part: MediaPart): string {
  const name = part.filename ?? part.mediaType ?? 'unnamed';
  if (part.data !== undefined) return `[${part.type}: ${name}, sha256 ${sha256Hex(part.data).slice(0, 12)}]`;
  if (part.url !== undefined && !part.url.startsWith('data:')) return `[${part.type}: ${name}, ${part.url}]`;
  return `[${part.type}: ${name}]`;
}
