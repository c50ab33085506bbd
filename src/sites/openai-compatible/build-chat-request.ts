import type { ToolChoice, ToolDefinition } from '../../core/chat-request.ts';
import { HISTORY_END } from '../../features/conversations/flatten-history.ts';
import { renderToolResultAsText } from '../../features/tools/index.ts';
import type { SiteToolResult, SiteTurn } from '../../site-contract/site.ts';
import { fromInlineAttachment } from '../kit/inline-attachment.ts';
import type {
  OpenAIChatRequest,
  OpenAIContentPart,
  OpenAIMessage,
  OpenAIToolChoice,
  OpenAIToolDefinition,
} from './openai-wire.ts';

export interface BuildChatRequestOptions {
  /** `max_tokens` (widely supported) or `max_completion_tokens` (OpenAI's newer name). */
  maxTokensField: 'max_tokens' | 'max_completion_tokens';
  /** Fields merged into every request body (provider routing, reasoning switches…). */
  extraBody?: Record<string, unknown>;
}

/**
 * Custom (free-text) tools have no portable Chat Completions form, so they travel as function tools
 * taking one string; `translate-chat-chunk` unwraps the string again for those names.
 */
export const CUSTOM_TOOL_INPUT = 'input';

/**
 * One canonical turn → one OpenAI Chat Completions request. The upstream has no threads: the turn's
 * text already carries the flattened history, so it becomes the one user message. Native tool
 * results go back as real `tool` messages after an assistant message holding the calls they answer,
 * which is the only order OpenAI-compatible servers accept.
 */
export function buildChatRequest(turn: SiteTurn, options: BuildChatRequestOptions): OpenAIChatRequest {
  const messages: OpenAIMessage[] = [];
  if (turn.systemPrompt?.trim()) messages.push({ role: 'system', content: turn.systemPrompt });
  const { text, current } = splitCurrentResults(turn.text, turn.toolResults ?? []);
  messages.push({ role: 'user', content: userContent(text, turn) });
  if (current.length > 0) {
    messages.push({
      role: 'assistant',
      content: null,
      tool_calls: current.map((result) => {
        const call = findRenderedCall(turn.text, result.toolCallId);
        return {
          id: result.toolCallId,
          type: 'function' as const,
          function: { name: call?.name ?? result.name, arguments: call?.arguments ?? '{}' },
        };
      }),
    });
    for (const result of current) {
      messages.push({
        role: 'tool',
        tool_call_id: result.toolCallId,
        // Chat Completions has no error flag on tool messages; the model still needs to know.
        content: result.isError ? `Error: ${result.content}` : result.content,
      });
    }
  }
  const request: OpenAIChatRequest = {
    ...(options.extraBody ?? {}),
    model: turn.model,
    messages,
    stream: true,
  };
  if (turn.tools && turn.tools.length > 0) {
    request.tools = turn.tools.map(toOpenAITool);
    const choice = toOpenAIToolChoice(turn.toolChoice);
    if (choice !== undefined) request.tool_choice = choice;
  }
  if (turn.temperature !== undefined) request.temperature = turn.temperature;
  if (turn.maxOutputTokens !== undefined) request[options.maxTokensField] = turn.maxOutputTokens;
  return request;
}

function userContent(text: string, turn: SiteTurn): string | OpenAIContentPart[] {
  if (turn.attachments.length === 0) return text;
  const parts: OpenAIContentPart[] = [];
  if (text !== '') parts.push({ type: 'text', text });
  for (const attachment of turn.attachments) {
    const file = fromInlineAttachment(attachment);
    parts.push(
      file.mediaType.startsWith('image/')
        ? { type: 'image_url', image_url: { url: file.dataUrl } }
        : { type: 'file', file: { filename: file.filename, file_data: file.dataUrl } },
    );
  }
  return parts;
}

export function toOpenAITool(tool: ToolDefinition): OpenAIToolDefinition {
  if (tool.kind === 'custom') {
    return {
      type: 'function',
      function: {
        name: tool.name,
        ...(tool.description ? { description: tool.description } : {}),
        parameters: {
          type: 'object',
          properties: {
            [CUSTOM_TOOL_INPUT]: { type: 'string', description: 'The tool input as free text.' },
          },
          required: [CUSTOM_TOOL_INPUT],
        },
      },
    };
  }
  return {
    type: 'function',
    function: {
      name: tool.name,
      ...(tool.description ? { description: tool.description } : {}),
      parameters: tool.parameters ?? { type: 'object', properties: {} },
      ...(tool.strict !== undefined ? { strict: tool.strict } : {}),
    },
  };
}

export function toOpenAIToolChoice(choice: ToolChoice | undefined): OpenAIToolChoice | undefined {
  if (!choice) return undefined;
  if (choice.type === 'tool') return { type: 'function', function: { name: choice.name } };
  return choice.type;
}

/**
 * Which tool results answer the calls of the last assistant turn, and the text without them.
 * The flattened text carries every result as a `<tool_result>` block (rendered by the tools module):
 * those after the history block answer the latest calls and now travel as `tool` messages, so they
 * are cut out rather than sent twice; those inside the history stay there as part of the story.
 * A result not found verbatim anywhere is treated as current (it is the one the client just sent).
 */
export function splitCurrentResults(
  text: string,
  results: SiteToolResult[],
): { text: string; current: SiteToolResult[] } {
  const historyEnd = text.lastIndexOf(HISTORY_END);
  const boundary = historyEnd >= 0 ? historyEnd + HISTORY_END.length : 0;
  let out = text;
  const current: SiteToolResult[] = [];
  for (const result of results) {
    const part = {
      type: 'tool-result' as const,
      toolCallId: result.toolCallId,
      content: result.content,
      isError: result.isError,
    };
    const renderings = [renderToolResultAsText({ ...part, name: result.name }), renderToolResultAsText(part)];
    const cut = renderings.find((rendered) => out.indexOf(rendered, boundary) >= 0);
    if (cut !== undefined) {
      const at = out.indexOf(cut, boundary);
      out = out.slice(0, at) + out.slice(at + cut.length);
      current.push(result);
    } else if (!renderings.some((rendered) => out.includes(rendered))) {
      current.push(result);
    }
  }
  return { text: out === text ? text : out.replace(/\n{3,}/g, '\n\n').trim(), current };
}

/**
 * The call a tool result answers, read back from the flattened history (the tools module renders it
 * as `<tool_call id="…">{"name":…,"arguments":…}</tool_call>`, or with a `name` attribute and raw
 * input for custom tools). Without it the assistant message would carry empty arguments.
 */
export function findRenderedCall(
  text: string,
  callId: string,
): { name: string; arguments: string } | undefined {
  const id = escapeRegExp(escapeAttribute(callId));
  const custom = new RegExp(`<tool_call name="([^"]*)" id="${id}">\\n([\\s\\S]*?)\\n</tool_call>`).exec(text);
  if (custom) {
    return {
      name: unescapeAttribute(custom[1] ?? ''),
      arguments: JSON.stringify({ [CUSTOM_TOOL_INPUT]: custom[2] ?? '' }),
    };
  }
  const fn = new RegExp(`<tool_call id="${id}">(\\{[\\s\\S]*?\\})</tool_call>`).exec(text);
  if (!fn?.[1]) return undefined;
  try {
    const parsed = JSON.parse(fn[1]) as { name?: unknown; arguments?: unknown };
    if (typeof parsed.name !== 'string') return undefined;
    const args =
      typeof parsed.arguments === 'string' ? parsed.arguments : JSON.stringify(parsed.arguments ?? {});
    return { name: parsed.name, arguments: args };
  } catch {
    return undefined;
  }
}

function escapeRegExp(value: string): string {
  return value.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

function escapeAttribute(value: string): string {
  return value.replace(/&/g, '&amp;').replace(/"/g, '&quot;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

function unescapeAttribute(value: string): string {
  return value
    .replace(/&lt;/g, '<')
    .replace(/&gt;/g, '>')
    .replace(/&quot;/g, '"')
    .replace(/&amp;/g, '&');
}
