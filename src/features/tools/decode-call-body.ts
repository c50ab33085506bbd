import type { ToolDefinition } from '../../core/chat-request.ts';
import { schemaValidator } from './argument-validator.ts';
import { parseLenientJson, stripCodeFence } from './json-text.ts';
import type { ToolIndex } from './resolve-tool-name.ts';
import type { ToolCallProblem } from './tool-call-problem.ts';

/**
 * Turns the text between a call's tags into calls. Accepted shapes (what models actually write):
 * - `{"name": "x", "arguments": {...}}` — the taught format; also `tool`/`tool_name` for the name,
 *   `args`/`parameters`/`input`/`params` for the arguments, arguments as a JSON string, and the
 *   OpenAI-ish `{"function": {"name": "x", "arguments": "..."}}`;
 * - an array of those (several calls in one tag);
 * - the name before the JSON arguments: `get_weather {"city": "Paris"}` or `get_weather({...})`;
 * - with a `name="x"` attribute on the tag: the body is the arguments (function tools) or the raw
 *   input text (custom tools); a full envelope naming the same tool is also accepted.
 * Arguments of function tools are re-serialised as compact JSON after repair, so clients always get
 * parseable JSON; custom tools get their text untouched.
 */
export type CallOutcome =
  | {
      kind: 'call';
      tool: ToolDefinition;
      arguments: string;
      /** Set when the arguments fail the tool's schema; the call is still a call. */
      invalid?: ToolCallProblem;
    }
  | { kind: 'rejected'; problem: ToolCallProblem };

const NAME_KEYS = ['name', 'tool', 'tool_name', 'toolName', 'function'] as const;
const ARGUMENT_KEYS = ['arguments', 'args', 'parameters', 'input', 'params'] as const;

const NAME_THEN_ARGUMENTS = /^([A-Za-z_][\w.:-]{0,127})\s*\(?\s*(\{[\s\S]*\})\s*\)?$/;

type JsonObject = Record<string, unknown>;

function isObject(value: unknown): value is JsonObject {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

export function decodeCallBody(
  body: string,
  attributes: Record<string, string>,
  index: ToolIndex,
): CallOutcome[] {
  const attributeName = attributes.name ?? attributes.tool;
  if (attributeName !== undefined) {
    const tool = index.resolve(attributeName);
    if (tool === undefined) return [unknownTool(attributeName)];
    if (tool.kind === 'custom') return [{ kind: 'call', tool, arguments: stripOneLineBreak(body) }];
  }
  const unfenced = stripCodeFence(body);
  const nameFirst = attributeName === undefined ? NAME_THEN_ARGUMENTS.exec(unfenced.trim()) : null;
  if (nameFirst !== null) {
    // `get_weather {"city": "Paris"}` or `get_weather({...})`: the name written outside the JSON.
    const [, name = '', args = ''] = nameFirst;
    const tool = index.resolve(name);
    if (tool === undefined) return [unknownTool(name)];
    return [tool.kind === 'custom' ? customCall(tool, args) : functionCall(tool, name, args)];
  }
  const parsed = parseLenientJson(unfenced);
  if (!parsed.ok) {
    return [{ kind: 'rejected', problem: { kind: 'unparseable', detail: `not JSON: ${parsed.error}` } }];
  }
  const entries = Array.isArray(parsed.value) ? parsed.value : [parsed.value];
  if (entries.length === 0)
    return [{ kind: 'rejected', problem: { kind: 'unparseable', detail: 'empty call list' } }];
  return entries.map((entry) => decodeEntry(entry, attributeName, index));
}

function decodeEntry(entry: unknown, attributeName: string | undefined, index: ToolIndex): CallOutcome {
  if (!isObject(entry)) {
    return { kind: 'rejected', problem: { kind: 'unparseable', detail: 'the call is not a JSON object' } };
  }
  const envelope = readEnvelope(entry);
  let name: string;
  let rawArguments: unknown;
  if (
    attributeName !== undefined &&
    (envelope.name === undefined || !sameTool(envelope.name, attributeName, index))
  ) {
    // `<tool_call name="x">{...}</tool_call>`: the whole body is the arguments.
    name = attributeName;
    rawArguments = entry;
  } else if (envelope.name !== undefined) {
    name = envelope.name;
    rawArguments = envelope.arguments;
  } else {
    return { kind: 'rejected', problem: { kind: 'unparseable', detail: 'the call has no tool name' } };
  }
  const tool = index.resolve(name);
  if (tool === undefined) return unknownTool(name);
  return tool.kind === 'custom' ? customCall(tool, rawArguments) : functionCall(tool, name, rawArguments);
}

function readEnvelope(entry: JsonObject): { name?: string; arguments?: unknown } {
  const fn = entry.function;
  if (isObject(fn) && typeof fn.name === 'string') {
    return { name: fn.name, arguments: fn.arguments ?? fn.parameters ?? fn.input };
  }
  const nameKey = NAME_KEYS.find((key) => typeof entry[key] === 'string');
  if (nameKey === undefined) return {};
  const argumentKey = ARGUMENT_KEYS.find((key) => key in entry);
  return {
    name: entry[nameKey] as string,
    arguments: argumentKey === undefined ? undefined : entry[argumentKey],
  };
}

function sameTool(a: string, b: string, index: ToolIndex): boolean {
  const tool = index.resolve(a);
  return tool !== undefined && tool === index.resolve(b);
}

function functionCall(tool: ToolDefinition, writtenName: string, raw: unknown): CallOutcome {
  let value: unknown = raw ?? {};
  if (typeof value === 'string') {
    // Arguments given as a JSON string (the OpenAI wire habit); an empty string means "no arguments".
    if (value.trim() === '') value = {};
    else {
      const parsed = parseLenientJson(value);
      if (!parsed.ok) {
        return rejectedArguments(writtenName, `arguments are not JSON: ${parsed.error}`);
      }
      value = parsed.value;
    }
  }
  // Clients parse function arguments as a JSON object (Anthropic `input` must be one): anything else
  // cannot be delivered as a call at all.
  if (!isObject(value)) return rejectedArguments(writtenName, 'arguments are not a JSON object');
  const check = schemaValidator(tool.parameters)(value);
  const argumentsText = JSON.stringify(value);
  if (check.ok) return { kind: 'call', tool, arguments: argumentsText };
  return {
    kind: 'call',
    tool,
    arguments: argumentsText,
    invalid: { kind: 'invalid-arguments', name: tool.name, detail: check.error },
  };
}

function customCall(tool: ToolDefinition, raw: unknown): CallOutcome {
  return { kind: 'call', tool, arguments: customInputText(raw) };
}

/** A custom tool's input is text; models often wrap it as `{"input": "…"}`, which is unwrapped. */
function customInputText(raw: unknown): string {
  if (raw === undefined || raw === null) return '';
  if (typeof raw === 'string') return raw;
  if (typeof raw === 'object' && !Array.isArray(raw)) {
    const values = Object.values(raw as Record<string, unknown>);
    if (values.length === 1 && typeof values[0] === 'string') return values[0];
  }
  return JSON.stringify(raw);
}

function unknownTool(name: string): CallOutcome {
  return { kind: 'rejected', problem: { kind: 'unknown-tool', name, detail: `no tool named "${name}"` } };
}

function rejectedArguments(name: string, detail: string): CallOutcome {
  return { kind: 'rejected', problem: { kind: 'unparseable', name, detail } };
}

/** Free-text input usually starts on the line after the opener and ends on the line before the closer. */
function stripOneLineBreak(text: string): string {
  return text.replace(/^\r?\n/, '').replace(/\r?\n$/, '');
}
