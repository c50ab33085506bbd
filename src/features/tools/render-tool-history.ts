import type { ToolCallPart, ToolResultPart } from '../../core/chat-request.ts';
import { parseLenientJson } from './json-text.ts';

/**
 * Renders earlier tool calls and results into the site's text when history is flattened into a
 * message. Calls use the very format the model is taught to write (plus the call id, so parallel
 * calls of one tool pair with their results); results use `<tool_result>`.
 *
 * Truncation rule for long results: content longer than `maxChars` (default 20 000) keeps its first
 * two thirds and last third of `maxChars`, each cut snapped to a line break when one lies within 200
 * characters, with `[… N characters omitted …]` in between. Head and tail because both matter for
 * tool output: the start says what it is, the end holds the totals, errors and exit codes.
 */
export interface ToolResultLimits {
  maxChars: number;
}

export const DEFAULT_TOOL_RESULT_MAX_CHARS = 20_000;
const LINE_SNAP_CHARS = 200;

export function renderToolCallAsText(part: ToolCallPart): string {
  const id = attribute('id', part.id);
  if (part.kind === 'custom') {
    return `<tool_call name="${escapeAttribute(part.name)}"${id}>\n${part.arguments}\n</tool_call>`;
  }
  // Re-serialised so the model sees the same compact JSON it is asked to write; arguments that are
  // not JSON at all are shown as the string they were.
  const parsed =
    part.arguments.trim() === '' ? { ok: true as const, value: {} } : parseLenientJson(part.arguments);
  const args = parsed.ok ? parsed.value : part.arguments;
  return `<tool_call${id}>${JSON.stringify({ name: part.name, arguments: args })}</tool_call>`;
}

export function renderToolResultAsText(part: ToolResultPart, limits?: ToolResultLimits): string {
  const maxChars = limits?.maxChars ?? DEFAULT_TOOL_RESULT_MAX_CHARS;
  const attributes =
    attribute('id', part.toolCallId) +
    (part.name === undefined ? '' : attribute('name', part.name)) +
    (part.isError ? ' is_error="true"' : '');
  // A literal closing tag inside the content would end the result early in the model's eyes.
  const content = truncateMiddle(part.content, maxChars).replace(/<\/tool_result/gi, '<\\/tool_result');
  return `<tool_result${attributes}>\n${content}\n</tool_result>`;
}

/** Keeps head and tail of `text` within about `maxChars` (see the rule above). */
export function truncateMiddle(text: string, maxChars: number): string {
  if (text.length <= maxChars) return text;
  let headEnd = snapToLineBreak(text, Math.floor((maxChars * 2) / 3), -1);
  let tailStart = snapToLineBreak(text, text.length - (maxChars - Math.floor((maxChars * 2) / 3)), 1);
  headEnd = avoidSplitSurrogate(text, headEnd);
  tailStart = avoidSplitSurrogate(text, tailStart);
  if (tailStart <= headEnd) return text;
  const omitted = tailStart - headEnd;
  return `${text.slice(0, headEnd)}\n[… ${omitted} characters omitted …]\n${text.slice(tailStart)}`;
}

/** Moves `at` to just after a nearby line break: backwards for the head end, forwards for the tail start. */
function snapToLineBreak(text: string, at: number, direction: -1 | 1): number {
  if (direction < 0) {
    const nl = text.lastIndexOf('\n', at - 1);
    return nl >= 0 && at - (nl + 1) <= LINE_SNAP_CHARS ? nl + 1 : at;
  }
  const nl = text.indexOf('\n', at);
  return nl >= 0 && nl + 1 - at <= LINE_SNAP_CHARS ? nl + 1 : at;
}

function avoidSplitSurrogate(text: string, at: number): number {
  const code = text.charCodeAt(at);
  return code >= 0xdc00 && code <= 0xdfff ? at - 1 : at;
}

function attribute(name: string, value: string): string {
  return value === '' ? '' : ` ${name}="${escapeAttribute(value)}"`;
}

function escapeAttribute(value: string): string {
  return value.replace(/&/g, '&amp;').replace(/"/g, '&quot;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}
