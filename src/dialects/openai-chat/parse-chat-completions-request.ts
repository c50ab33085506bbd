import type {
  ChatMessage,
  ChatRequest,
  ContentPart,
  MediaPart,
  ResponseFormat,
  ToolChoice,
  ToolDefinition,
} from '../../core/chat-request.ts';
import { GatewayError } from '../../core/errors.ts';
import { assertRemoteUrl, decodeDataUrl, isDataUrl } from '../shared/data-url.ts';
import { decodeBase64 } from '../shared/base64.ts';
import { reasoningFromEffort } from '../shared/map-reasoning-effort.ts';
import { toStringRecord } from '../shared/metadata.ts';
import { validateBody } from '../shared/validate-body.ts';
import { assertValidJsonSchema } from '../shared/validate-json-schema.ts';
import {
  type ChatCompletionsBody,
  chatCompletionsBody,
  type UserContentPart,
  type WireChatMessage,
} from './chat-completions-schema.ts';

export interface ParsedChatCompletionsRequest {
  request: ChatRequest;
  /** `stream_options.include_usage`: append a usage chunk with `choices: []`. */
  includeUsage: boolean;
}

type TextContent =
  | string
  | ReadonlyArray<{ type: 'text'; text: string } | { type: 'refusal'; refusal: string }>;

function textOf(content: TextContent | null | undefined): string {
  if (content === null || content === undefined) return '';
  if (typeof content === 'string') return content;
  return content.map((part) => (part.type === 'text' ? part.text : part.refusal)).join('\n');
}

function imagePart(url: string, detail: string | null | undefined, param: string): MediaPart {
  const part: MediaPart = { type: 'image' };
  if (isDataUrl(url)) {
    const decoded = decodeDataUrl(url, param);
    part.data = decoded.data;
    part.mediaType = decoded.mediaType;
  } else {
    assertRemoteUrl(url, param);
    part.url = url;
  }
  if (detail) part.detail = detail;
  return part;
}

function filePart(file: Extract<UserContentPart, { type: 'file' }>['file'], param: string): MediaPart {
  if (file.file_id) {
    throw new GatewayError(
      'invalid_request',
      `'${param}.file_id' is not supported; send the file as 'file_data'.`,
      {
        param: `${param}.file_id`,
      },
    );
  }
  if (!file.file_data) {
    throw new GatewayError('invalid_request', `'${param}.file_data' is required.`, {
      param: `${param}.file_data`,
    });
  }
  const part: MediaPart = { type: 'file' };
  // Clients send either a data URL (the documented form) or bare base64.
  if (isDataUrl(file.file_data)) {
    const decoded = decodeDataUrl(file.file_data, `${param}.file_data`);
    part.data = decoded.data;
    part.mediaType = decoded.mediaType;
  } else {
    part.data = decodeBase64(file.file_data, `${param}.file_data`);
  }
  if (file.filename) part.filename = file.filename;
  return part;
}

function userContent(content: string | UserContentPart[], param: string): ContentPart[] {
  if (typeof content === 'string') return [{ type: 'text', text: content }];
  return content.map((part, index): ContentPart => {
    const partParam = `${param}[${index}]`;
    switch (part.type) {
      case 'text':
        return { type: 'text', text: part.text };
      case 'image_url':
        return imagePart(part.image_url.url, part.image_url.detail, `${partParam}.image_url.url`);
      case 'file':
        return filePart(part.file, `${partParam}.file`);
    }
    throw new GatewayError('invalid_request', `Audio input is not supported ('${partParam}').`, {
      param: partParam,
    });
  });
}

/** Converts the message list; leading system/developer messages become `system`. */
function convertMessages(messages: WireChatMessage[]): { system?: string; messages: ChatMessage[] } {
  const systemTexts: string[] = [];
  const out: ChatMessage[] = [];
  const toolNames = new Map<string, string>();

  messages.forEach((message, index) => {
    const param = `messages[${index}]`;
    switch (message.role) {
      case 'system':
      case 'developer': {
        const text = textOf(message.content);
        if (out.length === 0) systemTexts.push(text);
        else out.push({ role: 'system', content: [{ type: 'text', text }] });
        break;
      }
      case 'user':
        out.push({ role: 'user', content: userContent(message.content, `${param}.content`) });
        break;
      case 'assistant': {
        const content: ContentPart[] = [];
        if (message.reasoning_content) content.push({ type: 'reasoning', text: message.reasoning_content });
        const text = textOf(message.content) || (message.refusal ?? '');
        if (text !== '') content.push({ type: 'text', text });
        for (const call of message.tool_calls ?? []) {
          const isFunction = call.type === 'function';
          const name = isFunction ? call.function.name : call.custom.name;
          toolNames.set(call.id, name);
          content.push({
            type: 'tool-call',
            id: call.id,
            name,
            arguments: isFunction ? call.function.arguments : call.custom.input,
            kind: call.type,
          });
        }
        out.push({ role: 'assistant', content });
        break;
      }
      case 'tool': {
        const name = toolNames.get(message.tool_call_id);
        out.push({
          role: 'tool',
          content: [
            {
              type: 'tool-result',
              toolCallId: message.tool_call_id,
              ...(name === undefined ? {} : { name }),
              content: textOf(message.content),
              isError: false,
            },
          ],
        });
        break;
      }
    }
  });
  return systemTexts.length > 0 ? { system: systemTexts.join('\n\n'), messages: out } : { messages: out };
}

function convertTools(tools: ChatCompletionsBody['tools']): ToolDefinition[] {
  return (tools ?? []).map((tool, index): ToolDefinition => {
    if (tool.type === 'custom') {
      const def: ToolDefinition = { name: tool.custom.name, kind: 'custom' };
      if (tool.custom.description) def.description = tool.custom.description;
      return def;
    }
    const def: ToolDefinition = { name: tool.function.name, kind: 'function' };
    if (tool.function.description) def.description = tool.function.description;
    if (tool.function.parameters) {
      assertValidJsonSchema(tool.function.parameters, {
        param: `tools[${index}].function.parameters`,
        name: tool.function.name,
        role: 'function',
        dialect: 'openai',
      });
      def.parameters = tool.function.parameters;
    }
    if (typeof tool.function.strict === 'boolean') def.strict = tool.function.strict;
    return def;
  });
}

function convertToolChoice(choice: ChatCompletionsBody['tool_choice'], tools: ToolDefinition[]): ToolChoice {
  if (choice === null || choice === undefined) return { type: 'auto' };
  if (typeof choice === 'string') return { type: choice };
  const name = choice.type === 'function' ? choice.function.name : choice.custom.name;
  if (!tools.some((tool) => tool.name === name)) {
    throw new GatewayError(
      'invalid_request',
      `'tool_choice' names the tool '${name}', which is not in 'tools'.`,
      {
        param: 'tool_choice',
      },
    );
  }
  return { type: 'tool', name };
}

function convertResponseFormat(format: ChatCompletionsBody['response_format']): ResponseFormat {
  if (!format || format.type === 'text') return { type: 'text' };
  if (format.type === 'json_object') return { type: 'json_object' };
  const schema = format.json_schema.schema ?? {};
  assertValidJsonSchema(schema, {
    param: 'response_format.json_schema.schema',
    name: format.json_schema.name,
    role: 'response_format',
    dialect: 'openai',
  });
  const out: ResponseFormat = { type: 'json_schema', name: format.json_schema.name, schema };
  if (typeof format.json_schema.strict === 'boolean') out.strict = format.json_schema.strict;
  return out;
}

/** `POST /v1/chat/completions` body → canonical request. Throws GatewayError('invalid_request') on bad input. */
export function parseChatCompletionsRequest(body: unknown): ParsedChatCompletionsRequest {
  const wire = validateBody(chatCompletionsBody, body);
  if (wire.messages.length === 0) {
    throw new GatewayError('invalid_request', "'messages' must contain at least one message.", {
      param: 'messages',
    });
  }
  if (wire.n !== null && wire.n !== undefined && wire.n > 1) {
    throw new GatewayError('invalid_request', "Only 'n' = 1 is supported.", { param: 'n' });
  }
  const { system, messages } = convertMessages(wire.messages);
  const tools = convertTools(wire.tools);
  const metadata = toStringRecord(wire.metadata);
  if (wire.user) metadata.user = wire.user;

  const request: ChatRequest = {
    model: wire.model,
    messages,
    tools,
    toolChoice: convertToolChoice(wire.tool_choice, tools),
    parallelToolCalls: wire.parallel_tool_calls ?? true,
    stop: typeof wire.stop === 'string' ? [wire.stop] : (wire.stop ?? []),
    responseFormat: convertResponseFormat(wire.response_format),
    stream: wire.stream ?? false,
    metadata,
  };
  if (system !== undefined) request.system = system;
  const maxOutputTokens = wire.max_completion_tokens ?? wire.max_tokens;
  if (maxOutputTokens !== null && maxOutputTokens !== undefined) request.maxOutputTokens = maxOutputTokens;
  if (wire.temperature !== null && wire.temperature !== undefined) request.temperature = wire.temperature;
  if (wire.top_p !== null && wire.top_p !== undefined) request.topP = wire.top_p;
  const reasoning = reasoningFromEffort(wire.reasoning_effort);
  if (reasoning) request.reasoning = reasoning;

  return { request, includeUsage: request.stream && wire.stream_options?.include_usage === true };
}
