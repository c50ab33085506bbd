import { createHash } from 'node:crypto';
import type { ModelId } from './models.ts';

/**
 * The deterministic "model": a pure function from what the site received to what it answers.
 * Every rule is documented in CONTRACT.md ("Reply contract") and README.md.
 */

export interface ToolSpec {
  name: string;
  description?: string;
  parameters?: Record<string, unknown>;
}

export type ToolChoice = 'auto' | 'none' | 'required' | { name: string };

export interface ToolResultInput {
  toolCallId: string;
  name: string;
  content: string;
  isError?: boolean;
}

export interface ReplyInput {
  model: ModelId;
  turn: number;
  attachmentSha256: readonly string[];
  text: string;
  systemPrompt: string | null;
  /** Earlier user texts of the thread, oldest first. */
  history: readonly string[];
  tools: readonly ToolSpec[];
  toolChoice?: ToolChoice;
  toolResults: readonly ToolResultInput[];
  maxTokens?: number;
  fastChunks: number;
}

export type FinishReason = 'stop' | 'length' | 'tool_calls';

export interface ScriptedToolCall {
  name: string;
  /** Compact JSON text. */
  arguments: string;
}

export interface Reply {
  /** `thinking` deltas (reasoning-1 only), streamed before any text. */
  thinking: string[];
  /** `text` deltas; joined they are the whole answer. */
  text: string[];
  toolCalls: ScriptedToolCall[];
  finishReason: FinishReason;
}

const MAX_COUNT = 10_000;
const TOOL_TAG = '<tool_call>';

const SLOW_PARAGRAPH =
  'This is the slow model. It streams its words at a steady pace so that clients can watch a long ' +
  'reply arrive, show progress, press stop halfway, or time out while waiting. Every word here is ' +
  'fixed, so the whole reply stays deterministic.';

export function sha256Hex(data: string | Uint8Array): string {
  return createHash('sha256').update(data).digest('hex');
}

export function headerLine(input: ReplyInput): string {
  const shas = input.attachmentSha256.length > 0 ? input.attachmentSha256.join(',') : '-';
  const system = input.systemPrompt ? sha256Hex(input.systemPrompt).slice(0, 12) : '-';
  return (
    `[${input.model}] turn=${input.turn} attachments=${input.attachmentSha256.length} sha256=${shas}` +
    ` chars=${input.text.length} digest=${sha256Hex(input.text).slice(0, 12)} system=${system}`
  );
}

interface ParsedToolCall {
  name: string;
  /** undefined when the text after `with` is not a JSON object. */
  args: Record<string, unknown> | undefined;
  raw: string;
}

export type Instruction =
  | { kind: 'repeat'; word: string; times: number }
  | { kind: 'word'; value: string }
  | { kind: 'json' }
  | { kind: 'tool'; calls: ParsedToolCall[] }
  | { kind: 'count'; n: number }
  | { kind: 'recall' }
  | { kind: 'remember'; word: string };

interface Candidate {
  instruction: Instruction;
  start: number;
  end: number;
  priority: number;
}

type SimpleRule = { pattern: RegExp; build: (match: RegExpExecArray) => Instruction };

// Order = precedence between instructions found on the same line.
const SIMPLE_RULES: ReadonlyArray<SimpleRule> = [
  {
    pattern: /\brepeat\s+(\S+)\s+(\d+)\s+times\b/gi,
    build: (m) => ({ kind: 'repeat', word: m[1] ?? '', times: clampCount(m[2]) }),
  },
  {
    pattern: /\breply with the word\s+["'`]?([^\s"'`]+?)["'`]?(?=[\s.,!?;:]|$)/gi,
    build: (m) => ({ kind: 'word', value: m[1] ?? '' }),
  },
  { pattern: /\bsay[ \t]+([^\n]*\S)/gi, build: (m) => ({ kind: 'word', value: m[1] ?? '' }) },
  { pattern: /\breply in json\b/gi, build: () => ({ kind: 'json' }) },
  { pattern: /\bcount to\s+(\d+)\b/gi, build: (m) => ({ kind: 'count', n: clampCount(m[1]) }) },
  { pattern: /\bwhat did i ask you to remember\b/gi, build: () => ({ kind: 'recall' }) },
  { pattern: /\bremember\s+([^\s.,!?;:]+)/gi, build: (m) => ({ kind: 'remember', word: m[1] ?? '' }) },
];
const TOOL_PRIORITY = 3.5;

function clampCount(digits: string | undefined): number {
  return Math.min(Number.parseInt(digits ?? '0', 10), MAX_COUNT);
}

/** End index (exclusive) of the JSON object starting at `start`, or -1 when it is not closed. */
function scanJsonObject(text: string, start: number): number {
  let depth = 0;
  let inString = false;
  for (let i = start; i < text.length; i++) {
    const ch = text[i];
    if (inString) {
      if (ch === '\\') i++;
      else if (ch === '"') inString = false;
    } else if (ch === '"') inString = true;
    else if (ch === '{') depth++;
    else if (ch === '}') {
      depth--;
      if (depth === 0) return i + 1;
    }
  }
  return -1;
}

function findToolCandidates(text: string): Candidate[] {
  const out: Candidate[] = [];
  for (const m of text.matchAll(/\bcall tool\s+([A-Za-z0-9_.:-]+)\s+with\s*/gi)) {
    const start = m.index;
    const jsonStart = start + m[0].length;
    let end = jsonStart;
    let args: Record<string, unknown> | undefined;
    let raw = '';
    if (text[jsonStart] === '{') {
      const jsonEnd = scanJsonObject(text, jsonStart);
      raw = text.slice(jsonStart, jsonEnd === -1 ? undefined : jsonEnd);
      if (jsonEnd !== -1) {
        end = jsonEnd;
        args = parseObject(raw);
      }
    } else {
      raw = text.slice(jsonStart).split('\n', 1)[0] ?? '';
    }
    const call: ParsedToolCall = { name: m[1] ?? '', args, raw };
    out.push({ instruction: { kind: 'tool', calls: [call] }, start, end, priority: TOOL_PRIORITY });
  }
  return out;
}

function parseObject(raw: string): Record<string, unknown> | undefined {
  try {
    const value: unknown = JSON.parse(raw);
    return typeof value === 'object' && value !== null && !Array.isArray(value)
      ? (value as Record<string, unknown>)
      : undefined;
  } catch {
    return undefined;
  }
}

function lineOf(text: string, index: number): number {
  let line = 0;
  for (let i = 0; i < index; i++) if (text.charCodeAt(i) === 10) line++;
  return line;
}

/**
 * The instruction that drives the scripted part: the last line holding one wins (so a transcript
 * flattened into one message answers its final request); on that line the rule order decides.
 */
export function findInstruction(text: string): Instruction | undefined {
  const tools = findToolCandidates(text);
  const insideTool = (index: number) => tools.some((t) => index > t.start && index < t.end);
  const candidates: Candidate[] = [...tools];
  SIMPLE_RULES.forEach((rule, priority) => {
    for (const m of text.matchAll(rule.pattern)) {
      if (insideTool(m.index)) continue;
      candidates.push({ instruction: rule.build(m), start: m.index, end: m.index + m[0].length, priority });
    }
  });
  const recalls = candidates.filter((c) => c.instruction.kind === 'recall');
  const kept = candidates.filter(
    (c) => c.instruction.kind !== 'remember' || !recalls.some((r) => c.start >= r.start && c.start < r.end),
  );
  if (kept.length === 0) return undefined;
  const lastLine = Math.max(...kept.map((c) => lineOf(text, c.start)));
  const onLine = kept.filter((c) => lineOf(text, c.start) === lastLine);
  onLine.sort((a, b) => a.priority - b.priority || a.start - b.start);
  const winner = onLine[0];
  if (!winner) return undefined;
  if (winner.instruction.kind === 'tool') {
    const calls = onLine.flatMap((c) => (c.instruction.kind === 'tool' ? c.instruction.calls : []));
    return { kind: 'tool', calls };
  }
  return winner.instruction;
}

/** The word the thread was last asked to remember, searching earlier turns and then this one. */
function recalledWord(texts: readonly string[]): string | undefined {
  let word: string | undefined;
  for (const text of texts) word = lastRemembered(text) ?? word;
  return word;
}

function lastRemembered(text: string): string | undefined {
  let word: string | undefined;
  const recallSpans = [...text.matchAll(/\bwhat did i ask you to remember\b/gi)].map((m) => ({
    start: m.index,
    end: m.index + m[0].length,
  }));
  for (const m of text.matchAll(/\bremember\s+([^\s.,!?;:]+)/gi)) {
    if (recallSpans.some((s) => m.index >= s.start && m.index < s.end)) continue;
    word = m[1];
  }
  return word;
}

function describeArgs(call: ParsedToolCall): string {
  return call.args ? JSON.stringify(call.args) : call.raw;
}

interface Scripted {
  text: string;
  toolCalls: ScriptedToolCall[];
  fallback: boolean;
}

function toolScript(input: ReplyInput, calls: ParsedToolCall[]): Scripted {
  const first = calls[0];
  if (!first) return { text: '', toolCalls: [], fallback: false };
  if (input.model === 'tools-1') {
    if (input.toolChoice === 'none') {
      return {
        text: `Tool calls are disabled; I would call tool ${first.name} with ${describeArgs(first)}.`,
        toolCalls: [],
        fallback: false,
      };
    }
    const known = new Set(input.tools.map((tool) => tool.name));
    const usable = calls.filter((call) => call.args !== undefined && known.has(call.name));
    if (usable.length > 0) {
      return {
        text: '',
        toolCalls: usable.map((call) => ({ name: call.name, arguments: JSON.stringify(call.args) })),
        fallback: false,
      };
    }
    const reason =
      first.args === undefined ? 'the arguments are not a JSON object' : 'it is not in the tools list';
    return { text: `I cannot call tool ${first.name}: ${reason}.`, toolCalls: [], fallback: false };
  }
  const protocol = input.text.includes(TOOL_TAG) || (input.systemPrompt ?? '').includes(TOOL_TAG);
  const valid = calls.filter((call) => call.args !== undefined);
  if (protocol && valid.length > 0) {
    const tags = valid.map(
      (call) => `${TOOL_TAG}${JSON.stringify({ name: call.name, arguments: call.args })}</tool_call>`,
    );
    return { text: tags.join('\n'), toolCalls: [], fallback: false };
  }
  return {
    text: `I would call tool ${first.name} with ${describeArgs(first)}, but no tools are available.`,
    toolCalls: [],
    fallback: false,
  };
}

function scriptedPart(input: ReplyInput, instruction: Instruction | undefined): Scripted {
  const plain = (text: string): Scripted => ({ text, toolCalls: [], fallback: false });
  if (input.model === 'tools-1' && input.toolResults.length > 0) {
    return plain(input.toolResults.map((r) => `Tool ${r.name} returned: ${r.content}`).join('\n'));
  }
  if (!instruction) {
    const choice = input.toolChoice;
    if (input.model === 'tools-1' && input.tools.length > 0 && choice !== undefined && choice !== 'auto') {
      const name =
        typeof choice === 'object' ? choice.name : choice === 'required' ? input.tools[0]?.name : '';
      if (name) return { text: '', toolCalls: [{ name, arguments: '{}' }], fallback: false };
    }
    return { text: `You said: ${input.text.slice(0, 200)}`, toolCalls: [], fallback: true };
  }
  switch (instruction.kind) {
    case 'repeat':
      return plain(Array.from({ length: instruction.times }, () => instruction.word).join(' '));
    case 'word':
      return plain(instruction.value);
    case 'json':
      return plain(JSON.stringify({ ok: true, turn: input.turn, model: input.model }));
    case 'tool':
      return toolScript(input, instruction.calls);
    case 'count':
      return plain(Array.from({ length: instruction.n }, (_, i) => String(i + 1)).join(' '));
    case 'remember':
      return plain(`OK, I will remember ${instruction.word}.`);
    case 'recall': {
      const word = recalledWord([...input.history, input.text]);
      return plain(word ? `You asked me to remember ${word}.` : 'You did not ask me to remember anything.');
    }
  }
}

function countWords(text: string): number {
  return text.match(/\S+/g)?.length ?? 0;
}

function truncateWords(text: string, max: number): { text: string; truncated: boolean } {
  const words = [...text.matchAll(/\S+/g)];
  const last = words[max - 1];
  if (words.length <= max || !last) return { text, truncated: false };
  return { text: text.slice(0, last.index + last[0].length), truncated: true };
}

/** Word-sized deltas (a word and the whitespace after it); joined they give back `text`. */
export function splitDeltas(text: string): string[] {
  const leading = /^\s*/.exec(text)?.[0] ?? '';
  const words = text.slice(leading.length).match(/\S+\s*/g) ?? [];
  if (words.length === 0) return text ? [text] : [];
  words[0] = leading + words[0];
  return words;
}

function padForFastModel(header: string, scripted: string, chunks: number): string {
  const missing = chunks - countWords(header) - countWords(scripted);
  if (missing <= 0) return scripted;
  const ticks = Array.from({ length: missing }, (_, i) => `tick${i + 1}`).join(' ');
  return `${scripted}\n\n${ticks}`;
}

function thinkingFor(input: ReplyInput, instruction: Instruction | undefined): string {
  const plan = instruction ? `follow the "${instruction.kind}" instruction` : 'echo the message back';
  return (
    `Thinking about turn ${input.turn}: the message has ${input.text.length} characters and ` +
    `${input.attachmentSha256.length} attachments. I will ${plan}.`
  );
}

export function scriptReply(input: ReplyInput): Reply {
  const header = headerLine(input);
  const instruction = findInstruction(input.text);
  const scripted = scriptedPart(input, instruction);
  let body = scripted.text;
  if (scripted.fallback && input.model === 'slow-1') body = `${body}\n\n${SLOW_PARAGRAPH}`;
  if (scripted.fallback && input.model === 'fast-1') body = padForFastModel(header, body, input.fastChunks);
  let truncated = false;
  if (input.maxTokens !== undefined) ({ text: body, truncated } = truncateWords(body, input.maxTokens));
  const answer = body ? `${header}\n\n${body}` : header;
  const finishReason: FinishReason =
    scripted.toolCalls.length > 0 ? 'tool_calls' : truncated ? 'length' : 'stop';
  return {
    thinking: input.model === 'reasoning-1' ? splitDeltas(thinkingFor(input, instruction)) : [],
    text: splitDeltas(answer),
    toolCalls: scripted.toolCalls,
    finishReason,
  };
}
