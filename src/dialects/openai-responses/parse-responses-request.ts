import type {
  ChatMessage,
  ChatRequest,
  ContentPart,
  MediaPart,
  ResponseFormat,
  Role,
  ToolChoice,
  ToolDefinition,
} from '../../core/chat-request.ts';
import { GatewayError } from '../../core/errors.ts';
import { decodeBase64 } from '../shared/base64.ts';
import { assertRemoteUrl, decodeDataUrl, isDataUrl } from '../shared/data-url.ts';
import { reasoningFromEffort } from '../shared/map-reasoning-effort.ts';
import { toStringRecord } from '../shared/metadata.ts';
import { formatParamPath, validateBody } from '../shared/validate-body.ts';
import { assertValidJsonSchema } from '../shared/validate-json-schema.ts';
import type { ResponsesEcho } from './responses-echo.ts';
import {
  type InputItem,
  type InputItemType,
  inputItemSchemas,
  knownTool,
  type MessageContentPart,
  type ResponsesBody,
  responsesBody,
} from './responses-schema.ts';

export interface ParsedResponsesRequest {
  request: ChatRequest;
  /** Resolved by the pipeline against its stored responses; the parser does not look it up. */
  previousResponseId?: string;
  store: boolean;
  echo: ResponsesEcho;
  /**
   * `item_reference`s found while parsing without `options.references`: the caller looks them up
   * (scoped to the API key) and parses again with them. Empty when there were none.
   */
  itemReferences: Array<{ id: string; param: string }>;
}

export interface ParseResponsesOptions {
  /** The stored items `item_reference`s name; absent = collect the references, resolve nothing. */
  references?: ItemReferences;
}

function invalid(message: string, param: string): GatewayError {
  return new GatewayError('invalid_request', message, { param });
}

function imagePart(part: Extract<MessageContentPart, { type: 'input_image' }>, param: string): MediaPart {
  if (part.file_id)
    throw invalid(`'${param}.file_id' is not supported; send 'image_url' instead.`, `${param}.file_id`);
  if (!part.image_url) throw invalid(`'${param}.image_url' is required.`, `${param}.image_url`);
  const out: MediaPart = { type: 'image', param };
  if (isDataUrl(part.image_url)) {
    const decoded = decodeDataUrl(part.image_url, `${param}.image_url`);
    out.data = decoded.data;
    out.mediaType = decoded.mediaType;
  } else {
    assertRemoteUrl(part.image_url, `${param}.image_url`);
    out.url = part.image_url;
  }
  if (part.detail) out.detail = part.detail;
  return out;
}

function filePart(part: Extract<MessageContentPart, { type: 'input_file' }>, param: string): MediaPart {
  if (part.file_id)
    throw invalid(`'${param}.file_id' is not supported; send 'file_data' instead.`, `${param}.file_id`);
  const out: MediaPart = { type: 'file', param };
  if (part.file_data) {
    // The documented form is a data URL; bare base64 is common too.
    if (isDataUrl(part.file_data)) {
      const decoded = decodeDataUrl(part.file_data, `${param}.file_data`);
      out.data = decoded.data;
      out.mediaType = decoded.mediaType;
    } else {
      out.data = decodeBase64(part.file_data, `${param}.file_data`);
    }
  } else if (part.file_url) {
    assertRemoteUrl(part.file_url, `${param}.file_url`);
    out.url = part.file_url;
  } else {
    throw invalid(`'${param}' needs 'file_data' or 'file_url'.`, param);
  }
  if (part.filename) out.filename = part.filename;
  return out;
}

function contentParts(content: string | MessageContentPart[], param: string): ContentPart[] {
  if (typeof content === 'string') return [{ type: 'text', text: content }];
  return content.map((part, index): ContentPart => {
    const partParam = `${param}[${index}]`;
    switch (part.type) {
      case 'input_text':
      case 'output_text':
        return { type: 'text', text: part.text };
      case 'refusal':
        return { type: 'text', text: part.refusal };
      case 'input_image':
        return imagePart(part, partParam);
      case 'input_file':
        return filePart(part, partParam);
    }
    throw invalid(`Audio input is not supported ('${partParam}').`, partParam);
  });
}

function textOnly(parts: ContentPart[]): string {
  return parts.map((part) => (part.type === 'text' ? part.text : '')).join('\n');
}

/** Builds the message list; consecutive assistant items (text, calls, reasoning) form one turn. */
class MessageBuilder {
  readonly messages: ChatMessage[] = [];
  readonly systemTexts: string[] = [];
  /** `item_reference` items seen while parsing without the stored items. */
  readonly references: Array<{ id: string; param: string }> = [];
  private readonly toolNames = new Map<string, string>();

  add(role: Role, parts: ContentPart[], mergeable: boolean): void {
    const last = this.messages[this.messages.length - 1];
    if (mergeable && last?.role === role) last.content.push(...parts);
    else this.messages.push({ role, content: parts });
  }

  message(item: InputItem<'message'>, param: string): void {
    const parts = contentParts(item.content, `${param}.content`);
    if (item.role === 'system' || item.role === 'developer') {
      if (this.messages.length === 0) this.systemTexts.push(textOnly(parts));
      else this.add('system', [{ type: 'text', text: textOnly(parts) }], false);
    } else {
      this.add(item.role, parts, item.role === 'assistant');
    }
  }

  toolCall(id: string, name: string, args: string, kind: 'function' | 'custom'): void {
    this.toolNames.set(id, name);
    this.add('assistant', [{ type: 'tool-call', id, name, arguments: args, kind }], true);
  }

  toolOutput(callId: string, output: string | MessageContentPart[], param: string): void {
    const parts = contentParts(output, param);
    const name = this.toolNames.get(callId);
    const media = parts.filter((part) => part.type === 'image' || part.type === 'file');
    this.add(
      'tool',
      [
        {
          type: 'tool-result',
          toolCallId: callId,
          ...(name === undefined ? {} : { name }),
          content: textOnly(parts.filter((part) => part.type === 'text')),
          isError: false,
        },
        // Tool results are text canonically; images a tool returned ride along in the same turn.
        ...media,
      ],
      true,
    );
  }

  reasoning(item: InputItem<'reasoning'>): void {
    const texts = (item.summary?.length ? item.summary : (item.content ?? [])).map((part) => part.text);
    const part: ContentPart = { type: 'reasoning', text: texts.join('\n') };
    if (item.encrypted_content) part.signature = item.encrypted_content;
    this.add('assistant', [part], true);
  }
}

function isItemType(type: string): type is InputItemType {
  return Object.hasOwn(inputItemSchemas, type);
}

/** Stored items by id, for `item_reference` input items (see `parseResponsesRequest`'s options). */
export type ItemReferences = ReadonlyMap<string, Record<string, unknown>>;

/** The official API's answer when a referenced item is not (or no longer, or never) stored. */
export function itemNotFound(id: string, param: string): GatewayError {
  return new GatewayError(
    'not_found',
    `Item with id '${id}' not found. Items are not persisted when \`store\` is set to false. Try again with \`store\` set to true, or remove this item from your input.`,
    { param },
  );
}

function convertInput(input: ResponsesBody['input'], references: ItemReferences | undefined): MessageBuilder {
  const builder = new MessageBuilder();
  if (typeof input === 'string') {
    builder.add('user', [{ type: 'text', text: input }], false);
    return builder;
  }
  const addItem = (
    raw: Record<string, unknown> & { type?: string | undefined },
    index: number,
    resolved: boolean,
  ) => {
    const param = `input[${index}]`;
    const type = raw.type ?? 'message';
    // Hosted-tool items (web_search_call, …) mean nothing to a web chat site; skip them.
    if (!isItemType(type)) return;
    switch (type) {
      case 'message':
        builder.message(validateBody(inputItemSchemas.message, raw, ['input', index]), param);
        break;
      case 'function_call': {
        const item = validateBody(inputItemSchemas.function_call, raw, ['input', index]);
        builder.toolCall(item.call_id, item.name, item.arguments, 'function');
        break;
      }
      case 'custom_tool_call': {
        const item = validateBody(inputItemSchemas.custom_tool_call, raw, ['input', index]);
        builder.toolCall(item.call_id, item.name, item.input, 'custom');
        break;
      }
      case 'function_call_output':
      case 'custom_tool_call_output': {
        const item = validateBody(inputItemSchemas[type], raw, ['input', index]);
        builder.toolOutput(item.call_id, item.output, `${param}.output`);
        break;
      }
      case 'reasoning':
        builder.reasoning(validateBody(inputItemSchemas.reasoning, raw, ['input', index]));
        break;
      case 'item_reference': {
        const { id } = validateBody(inputItemSchemas.item_reference, raw, ['input', index]);
        // Without the store's answer yet: the front door looks the ids up and parses again.
        if (references === undefined) {
          builder.references.push({ id, param });
          return;
        }
        const stored = references.get(id);
        if (stored === undefined || resolved) throw itemNotFound(id, param);
        addItem(stored, index, true);
        break;
      }
    }
  };
  input.forEach((raw, index) => {
    addItem(raw, index, false);
  });
  return builder;
}

type WireTool = NonNullable<ResponsesBody['tools']>[number];

/**
 * Tools as Codex and newer clients send them: top-level `tools`, `namespace` groups (flattened),
 * and `additional_tools` input items carrying more tools.
 */
function collectWireTools(wire: ResponsesBody): Array<{ raw: WireTool; path: (string | number)[] }> {
  const out: Array<{ raw: WireTool; path: (string | number)[] }> = [];
  const visit = (raw: unknown, path: (string | number)[]) => {
    if (raw === null || typeof raw !== 'object') return;
    const record = raw as { type?: unknown; tools?: unknown };
    if (record.type === 'namespace' && Array.isArray(record.tools)) {
      record.tools.forEach((inner, index) => {
        visit(inner, [...path, 'tools', index]);
      });
      return;
    }
    out.push({ raw: raw as WireTool, path });
  };
  (wire.tools ?? []).forEach((raw, index) => {
    visit(raw, ['tools', index]);
  });
  if (Array.isArray(wire.input)) {
    wire.input.forEach((item, index) => {
      const record = item as { type?: unknown; tools?: unknown };
      if (record.type === 'additional_tools' && Array.isArray(record.tools)) {
        record.tools.forEach((raw, toolIndex) => {
          visit(raw, ['input', index, 'tools', toolIndex]);
        });
      }
    });
  }
  return out;
}

function convertTools(wire: ResponsesBody): ToolDefinition[] {
  const out: ToolDefinition[] = [];
  collectWireTools(wire).forEach(({ raw, path }) => {
    // Hosted tools (web_search, file_search, …) are accepted and ignored: the site cannot run them.
    if (raw.type !== 'function' && raw.type !== 'custom') return;
    const tool = validateBody(knownTool, raw, path);
    const def: ToolDefinition = { name: tool.name, kind: tool.type };
    if (tool.description) def.description = tool.description;
    if (tool.type === 'function') {
      if (tool.parameters) {
        assertValidJsonSchema(tool.parameters, {
          param: formatParamPath([...path, 'parameters']),
          name: tool.name,
          role: 'function',
          dialect: 'openai',
        });
        def.parameters = tool.parameters;
      }
      if (typeof tool.strict === 'boolean') def.strict = tool.strict;
    }
    out.push(def);
  });
  return out;
}

function convertToolChoice(choice: ResponsesBody['tool_choice'], tools: ToolDefinition[]): ToolChoice {
  if (choice === null || choice === undefined) return { type: 'auto' };
  if (typeof choice === 'string') return { type: choice };
  if ('mode' in choice && choice.type === 'allowed_tools')
    return { type: choice.mode === 'required' ? 'required' : 'auto' };
  if ((choice.type === 'function' || choice.type === 'custom') && typeof choice.name === 'string') {
    const name = choice.name;
    if (!tools.some((tool) => tool.name === name)) {
      throw invalid(`'tool_choice' names the tool '${name}', which is not in 'tools'.`, 'tool_choice');
    }
    return { type: 'tool', name };
  }
  return { type: 'auto' };
}

function convertFormat(format: NonNullable<ResponsesBody['text']>['format']): ResponseFormat {
  if (!format || format.type === 'text') return { type: 'text' };
  if (format.type === 'json_object') return { type: 'json_object' };
  assertValidJsonSchema(format.schema, {
    param: 'text.format.schema',
    name: format.name,
    role: 'response_format',
    dialect: 'openai',
  });
  const out: ResponseFormat = { type: 'json_schema', name: format.name, schema: format.schema };
  if (typeof format.strict === 'boolean') out.strict = format.strict;
  return out;
}

function buildEcho(wire: ResponsesBody, metadata: Record<string, string>): ResponsesEcho {
  return {
    instructions: wire.instructions ?? null,
    tools: wire.tools ?? [],
    tool_choice: wire.tool_choice ?? 'auto',
    parallel_tool_calls: wire.parallel_tool_calls ?? true,
    temperature: wire.temperature ?? null,
    top_p: wire.top_p ?? null,
    max_output_tokens: wire.max_output_tokens ?? null,
    metadata,
    store: wire.store ?? true,
    previous_response_id: wire.previous_response_id ?? null,
    text: { format: wire.text?.format ?? { type: 'text' } },
    reasoning: { effort: wire.reasoning?.effort ?? null, summary: wire.reasoning?.summary ?? null },
    user: wire.user ?? null,
  };
}

/** `POST /v1/responses` body → canonical request plus what the pipeline and renderer need. */
export function parseResponsesRequest(
  body: unknown,
  options: ParseResponsesOptions = {},
): ParsedResponsesRequest {
  const wire = validateBody(responsesBody, body);
  const built = convertInput(wire.input, options.references);
  if (built.messages.length === 0 && wire.previous_response_id == null && built.references.length === 0) {
    throw invalid("'input' must contain at least one message or item.", 'input');
  }
  const tools = convertTools(wire);
  const metadata = toStringRecord(wire.metadata);
  const requestMetadata = { ...metadata };
  if (wire.user) requestMetadata.user = wire.user;

  const request: ChatRequest = {
    model: wire.model,
    messages: built.messages,
    tools,
    toolChoice: convertToolChoice(wire.tool_choice, tools),
    parallelToolCalls: wire.parallel_tool_calls ?? true,
    stop: [],
    responseFormat: convertFormat(wire.text?.format),
    stream: wire.stream ?? false,
    metadata: requestMetadata,
  };
  const system = [wire.instructions ?? '', ...built.systemTexts].filter((text) => text !== '');
  if (system.length > 0) request.system = system.join('\n\n');
  if (wire.max_output_tokens != null) request.maxOutputTokens = wire.max_output_tokens;
  if (wire.temperature != null) request.temperature = wire.temperature;
  if (wire.top_p != null) request.topP = wire.top_p;
  const reasoning = reasoningFromEffort(wire.reasoning?.effort);
  if (reasoning) request.reasoning = reasoning;

  const parsed: ParsedResponsesRequest = {
    request,
    store: wire.store ?? true,
    echo: buildEcho(wire, metadata),
    itemReferences: built.references,
  };
  if (wire.previous_response_id) parsed.previousResponseId = wire.previous_response_id;
  return parsed;
}
