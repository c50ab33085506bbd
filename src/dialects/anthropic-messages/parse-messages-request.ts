import type {
  ChatMessage,
  ChatRequest,
  ContentPart,
  MediaPart,
  ReasoningRequest,
  ToolChoice,
  ToolDefinition,
} from '../../core/chat-request.ts';
import { GatewayError } from '../../core/errors.ts';
import { decodeBase64 } from '../shared/base64.ts';
import { assertRemoteUrl } from '../shared/data-url.ts';
import { validateBody } from '../shared/validate-body.ts';
import { assertValidJsonSchema } from '../shared/validate-json-schema.ts';
import {
  type ContentBlock,
  type ContentBlockType,
  contentBlockSchemas,
  countTokensBody,
  customTool,
  type MessagesBody,
  messagesBody,
} from './messages-schema.ts';

export interface ParsedMessagesRequest {
  request: ChatRequest;
}

type RawBlock = { type: string } & Record<string, unknown>;
type Path = (string | number)[];

function invalid(message: string, param: string): GatewayError {
  return new GatewayError('invalid_request', message, { param });
}

function paramOf(path: Path): string {
  return path.map((key, i) => (typeof key === 'number' ? `[${key}]` : i === 0 ? key : `.${key}`)).join('');
}

function isBlockType(type: string): type is ContentBlockType {
  return Object.hasOwn(contentBlockSchemas, type);
}

function imagePart(block: ContentBlock<'image'>, path: Path): MediaPart {
  const source = block.source;
  const param = paramOf([...path, 'source']);
  switch (source.type) {
    case 'base64':
      return {
        type: 'image',
        data: decodeBase64(source.data, `${param}.data`),
        mediaType: source.media_type,
      };
    case 'url':
      assertRemoteUrl(source.url, `${param}.url`);
      return { type: 'image', url: source.url };
    case 'file':
      throw invalid(`'${param}': file sources are not supported; send base64 or a URL.`, param);
  }
}

function documentParts(block: ContentBlock<'document'>, path: Path): ContentPart[] {
  const source = block.source;
  const param = paramOf([...path, 'source']);
  const named = (part: MediaPart): MediaPart => (block.title ? { ...part, filename: block.title } : part);
  switch (source.type) {
    case 'base64':
      return [
        named({
          type: 'file',
          data: decodeBase64(source.data, `${param}.data`),
          mediaType: source.media_type,
        }),
      ];
    case 'text':
      return [
        named({
          type: 'file',
          data: new TextEncoder().encode(source.data),
          mediaType: source.media_type ?? 'text/plain',
        }),
      ];
    case 'url':
      assertRemoteUrl(source.url, `${param}.url`);
      return [named({ type: 'file', url: source.url })];
    case 'content': {
      const blocks =
        typeof source.content === 'string' ? [{ type: 'text', text: source.content }] : source.content;
      const text = blocks
        .flatMap((b) => (b.type === 'text' && typeof b.text === 'string' ? [b.text] : []))
        .join('\n');
      return [{ type: 'text', text }];
    }
    case 'file':
      throw invalid(`'${param}': file sources are not supported; send base64, text or a URL.`, param);
  }
}

/** A tool_result's content: text joined, images and documents kept as media parts after it. */
function toolResultContent(
  block: ContentBlock<'tool_result'>,
  path: Path,
): { text: string; media: ContentPart[] } {
  if (block.content === null || block.content === undefined) return { text: '', media: [] };
  if (typeof block.content === 'string') return { text: block.content, media: [] };
  const texts: string[] = [];
  const media: ContentPart[] = [];
  block.content.forEach((raw, index) => {
    for (const part of convertBlock(raw, [...path, 'content', index])) {
      if (part.type === 'text') texts.push(part.text);
      else media.push(part);
    }
  });
  return { text: texts.join('\n'), media };
}

/** One wire block → canonical parts (none for skipped types). `tool_result` is handled by the caller. */
function convertBlock(raw: RawBlock, path: Path): ContentPart[] {
  if (!isBlockType(raw.type)) return [];
  switch (raw.type) {
    case 'text':
      return [{ type: 'text', text: validateBody(contentBlockSchemas.text, raw, path).text }];
    case 'image':
      return [imagePart(validateBody(contentBlockSchemas.image, raw, path), path)];
    case 'document':
      return documentParts(validateBody(contentBlockSchemas.document, raw, path), path);
    case 'tool_use': {
      const block = validateBody(contentBlockSchemas.tool_use, raw, path);
      return [
        {
          type: 'tool-call',
          id: block.id,
          name: block.name,
          arguments: JSON.stringify(block.input ?? {}),
          kind: 'function',
        },
      ];
    }
    case 'thinking': {
      const block = validateBody(contentBlockSchemas.thinking, raw, path);
      return [
        block.signature
          ? { type: 'reasoning', text: block.thinking, signature: block.signature }
          : { type: 'reasoning', text: block.thinking },
      ];
    }
    case 'redacted_thinking':
      // Opaque to everyone but its issuer, and the gateway never issues it.
      validateBody(contentBlockSchemas.redacted_thinking, raw, path);
      return [];
    case 'tool_result':
      return [];
  }
}

function convertMessages(wire: MessagesBody): { systemTexts: string[]; messages: ChatMessage[] } {
  const systemTexts: string[] = [];
  const messages: ChatMessage[] = [];
  const toolNames = new Map<string, string>();
  const push = (role: ChatMessage['role'], parts: ContentPart[]): void => {
    const last = messages[messages.length - 1];
    if (last?.role === role && role === 'tool') last.content.push(...parts);
    else messages.push({ role, content: parts });
  };

  wire.messages.forEach((message, index) => {
    const path: Path = ['messages', index, 'content'];
    const blocks: RawBlock[] =
      typeof message.content === 'string' ? [{ type: 'text', text: message.content }] : message.content;

    if (message.role === 'system') {
      const text = blocks
        .flatMap((block, i) => convertBlock(block, [...path, i]))
        .map((part) => (part.type === 'text' ? part.text : ''))
        .join('\n');
      if (messages.length === 0) systemTexts.push(text);
      else push('system', [{ type: 'text', text }]);
      return;
    }

    // A user turn may mix tool results with new text; results go into `tool` messages, in order.
    let pending: ContentPart[] = [];
    const flush = (): void => {
      if (pending.length > 0) push(message.role, pending);
      pending = [];
    };
    blocks.forEach((raw, i) => {
      const blockPath = [...path, i];
      if (raw.type === 'tool_result') {
        flush();
        const block = validateBody(contentBlockSchemas.tool_result, raw, blockPath);
        const { text, media } = toolResultContent(block, blockPath);
        const name = toolNames.get(block.tool_use_id);
        push('tool', [
          {
            type: 'tool-result',
            toolCallId: block.tool_use_id,
            ...(name === undefined ? {} : { name }),
            content: text,
            isError: block.is_error ?? false,
          },
          ...media,
        ]);
        return;
      }
      for (const part of convertBlock(raw, blockPath)) {
        if (part.type === 'tool-call') toolNames.set(part.id, part.name);
        pending.push(part);
      }
    });
    flush();
  });
  return { systemTexts, messages };
}

function convertTools(tools: MessagesBody['tools']): ToolDefinition[] {
  const out: ToolDefinition[] = [];
  (tools ?? []).forEach((raw, index) => {
    // Server tools (web_search_…, code_execution_…) and Anthropic-defined client tools carry a
    // versioned `type` and no schema; a web chat site cannot run them, so they are ignored.
    if (raw.type !== undefined && raw.type !== null && raw.type !== 'custom') return;
    const tool = validateBody(customTool, raw, ['tools', index]);
    assertValidJsonSchema(tool.input_schema, {
      param: `tools[${index}].input_schema`,
      name: tool.name,
      role: 'function',
      dialect: 'anthropic',
    });
    const def: ToolDefinition = { name: tool.name, kind: 'function', parameters: tool.input_schema };
    if (tool.description) def.description = tool.description;
    out.push(def);
  });
  return out;
}

function convertToolChoice(choice: MessagesBody['tool_choice'], tools: ToolDefinition[]): ToolChoice {
  switch (choice?.type) {
    case undefined:
    case 'auto':
      return { type: 'auto' };
    case 'any':
      return { type: 'required' };
    case 'none':
      return { type: 'none' };
    case 'tool': {
      const name = choice.name;
      if (!tools.some((tool) => tool.name === name)) {
        throw invalid(
          `'tool_choice.name' names the tool '${name}', which is not in 'tools'.`,
          'tool_choice.name',
        );
      }
      return { type: 'tool', name };
    }
  }
}

function convertThinking(thinking: MessagesBody['thinking']): ReasoningRequest | undefined {
  switch (thinking?.type) {
    case undefined:
      return undefined;
    case 'enabled':
      return { enabled: true, budgetTokens: thinking.budget_tokens };
    case 'adaptive':
      return { enabled: true };
    case 'disabled':
      return { enabled: false };
  }
}

function toRequest(wire: MessagesBody): ChatRequest {
  if (wire.messages.length === 0) {
    throw invalid("'messages' must contain at least one message.", 'messages');
  }
  const { systemTexts, messages } = convertMessages(wire);
  const tools = convertTools(wire.tools);
  const topSystem = typeof wire.system === 'string' ? [wire.system] : (wire.system ?? []).map((b) => b.text);
  const system = [...topSystem, ...systemTexts].filter((text) => text !== '');
  const disableParallel =
    wire.tool_choice && 'disable_parallel_tool_use' in wire.tool_choice
      ? wire.tool_choice.disable_parallel_tool_use === true
      : false;

  const request: ChatRequest = {
    model: wire.model,
    messages,
    tools,
    toolChoice: convertToolChoice(wire.tool_choice, tools),
    parallelToolCalls: !disableParallel,
    stop: wire.stop_sequences ?? [],
    responseFormat: { type: 'text' },
    stream: wire.stream ?? false,
    metadata: wire.metadata?.user_id ? { user_id: wire.metadata.user_id } : {},
  };
  if (system.length > 0) request.system = system.join('\n\n');
  if (wire.max_tokens != null) request.maxOutputTokens = wire.max_tokens;
  if (wire.temperature != null) request.temperature = wire.temperature;
  if (wire.top_p != null) request.topP = wire.top_p;
  const reasoning = convertThinking(wire.thinking);
  if (reasoning) request.reasoning = reasoning;
  return request;
}

/** `POST /v1/messages` body → canonical request. `max_tokens` is required, as in the API. */
export function parseMessagesRequest(body: unknown): ParsedMessagesRequest {
  return { request: toRequest(validateBody(messagesBody, body)) };
}

/** `POST /v1/messages/count_tokens` body: the same shape, `max_tokens` optional, never streamed. */
export function parseCountTokensRequest(body: unknown): ParsedMessagesRequest {
  const request = toRequest(validateBody(countTokensBody, body));
  request.stream = false;
  return { request };
}
