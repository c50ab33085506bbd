import type { ChatEvent } from '../../core/chat-event.ts';
import type { ToolDefinition } from '../../core/chat-request.ts';
import { matchCloseTag, matchFenceClose, matchOpenTag, matchResultTag } from './call-tag-syntax.ts';
import { decodeCallBody } from './decode-call-body.ts';
import { createToolIndex, type ToolIndex } from './resolve-tool-name.ts';
import { newToolCallId } from './tool-call-id.ts';
import type { ToolCallProblem } from './tool-call-problem.ts';

// Longer than 400 lines because the streaming parser is one state machine (openers, fences, JSON bodies, narration) whose states share one buffer; split, each part would need the whole state.

/**
 * Streaming parser for emulated tool calls: model text in, canonical events out.
 *
 * Text is forwarded as soon as it cannot be the start of a call tag; only a possible opener prefix
 * (`<tool_c`, ```` ```json\n<to ````…) is held back, bounded by MAX_OPEN_TAG_LENGTH. A call is emitted
 * whole (start, one arguments delta, end) when its closing tag arrives, because it must be parsed,
 * repaired and validated before anyone may execute it. Whitespace right after a call (and the
 * closing fence of a fenced call) is dropped; whitespace at the very start of the reply is held
 * until it is clear whether text or a call comes first. See README.md for the policy on unknown
 * tools, schema failures, narration and `parallel: false`.
 */
export interface ToolCallParserOptions {
  /** false: only the first call is emitted, later ones are dropped (`parallel_tool_calls: false`). */
  parallel: boolean;
  /** Prefix of generated ids; `call_` by default (`toolu_` suits Anthropic clients). */
  idPrefix?: string;
  /** Overrides id generation entirely (tests use a counter). */
  newId?: () => string;
}

export interface EmittedToolCall {
  id: string;
  name: string;
  kind: 'function' | 'custom';
  /** Known tool and arguments valid against its schema. */
  valid: boolean;
}

export interface ToolCallParserEndOptions {
  /** The reply was cut by the length limit: an unclosed call is then not trusted (see README). */
  truncated?: boolean;
}

export interface ToolCallParser {
  push(textDelta: string): ChatEvent[];
  end(options?: ToolCallParserEndOptions): ChatEvent[];
  /** Calls emitted so far (valid or with schema-invalid arguments). */
  readonly callCount: number;
  /** Emitted calls of a known tool whose arguments pass its schema. */
  readonly validCallCount: number;
  readonly calls: readonly EmittedToolCall[];
  readonly problems: readonly ToolCallProblem[];
  /**
   * Declared tool names that appear as words in the plain text of a reply that made no call: the
   * model probably described a call instead of making one. Never turned into a call.
   */
  readonly narratedToolNames: readonly string[];
}

/** Plain text kept for narration detection; narration shows up early, so a cap costs nothing. */
const NARRATION_SCAN_LIMIT = 32 * 1024;

export function createToolCallParser(
  tools: ToolDefinition[],
  options: ToolCallParserOptions,
): ToolCallParser {
  return new StreamingToolCallParser(tools, options);
}

type WhitespaceMode = 'hold' | 'drop' | 'none';

const NO_TAG = { kind: 'none' } as const;

function isSpace(ch: string | undefined): boolean {
  return ch === ' ' || ch === '\t' || ch === '\n' || ch === '\r';
}

/** Next index ≥ from of a character that can start an opener (`<` or a fence backtick), or -1. */
function nextCandidate(text: string, from: number): number {
  const lt = text.indexOf('<', from);
  const tick = text.indexOf('`', from);
  if (lt < 0) return tick;
  if (tick < 0) return lt;
  return Math.min(lt, tick);
}

class StreamingToolCallParser implements ToolCallParser {
  readonly calls: EmittedToolCall[] = [];
  readonly problems: ToolCallProblem[] = [];

  readonly #index: ToolIndex;
  readonly #parallel: boolean;
  readonly #newId: () => string;

  /** Unconsumed input: in text mode at most a held opener prefix; in call mode the unscanned tail. */
  #buf = '';
  /** The stream character just before `#buf`, for the inline-code rule (`` `<tool_call>` `` is text). */
  #prevChar = '';
  /** `discard`: the model began inventing tool results; nothing after that point is used. */
  #mode: 'text' | 'call' | 'discard' = 'text';
  #whitespace: WhitespaceMode = 'hold';
  #heldWhitespace = '';
  /** A fenced call was opened and its closing fence not yet seen. */
  #fenceOpen = false;
  /**
   * The emitted text has an odd number of fence runs: a run now closes a code block instead of
   * possibly opening a fenced call (```` ```python … ``` ```` followed by a call).
   */
  #inCodeBlock = false;
  #ended = false;

  #callOpenText = '';
  #callAttributes: Record<string, string> = {};
  #callLeadingWhitespace = '';
  /** Body text already known to contain no closer, kept as parts so long bodies are not rescanned. */
  #callParts: string[] = [];

  #plainText = '';

  constructor(tools: ToolDefinition[], options: ToolCallParserOptions) {
    this.#index = createToolIndex(tools);
    this.#parallel = options.parallel;
    const prefix = options.idPrefix ?? 'call_';
    this.#newId = options.newId ?? (() => newToolCallId(prefix));
  }

  get callCount(): number {
    return this.calls.length;
  }

  get validCallCount(): number {
    return this.calls.filter((call) => call.valid).length;
  }

  get narratedToolNames(): readonly string[] {
    if (this.calls.length > 0 || this.#plainText === '') return [];
    return this.#index.tools
      .map((tool) => tool.name)
      .filter((name) => new RegExp(`(?<![\\w-])${escapeRegExp(name)}(?![\\w-])`).test(this.#plainText));
  }

  push(textDelta: string): ChatEvent[] {
    if (this.#ended) throw new Error('ToolCallParser.push after end()');
    if (textDelta === '') return [];
    if (
      this.#mode === 'text' &&
      this.#whitespace === 'none' &&
      this.#buf === '' &&
      nextCandidate(textDelta, 0) < 0
    ) {
      // The common case, kept allocation-light: plain text with nothing that could start a tag.
      const out: ChatEvent[] = [];
      this.#emitText(out, textDelta);
      this.#prevChar = textDelta[textDelta.length - 1] ?? '';
      return out;
    }
    this.#buf += textDelta;
    return this.#drain(false);
  }

  end(options: ToolCallParserEndOptions = {}): ChatEvent[] {
    if (this.#ended) return [];
    const out = this.#drain(true);
    if (this.#mode === 'call') {
      const body = this.#callParts.join('') + this.#buf;
      const raw = this.#callOpenText + body;
      this.#buf = '';
      this.#callParts = [];
      this.#mode = 'text';
      if (options.truncated === true) {
        this.problems.push({
          kind: 'truncated',
          detail: 'the reply hit the length limit inside a tool call',
        });
        this.#emitRejected(out, this.#callLeadingWhitespace + raw);
      } else {
        this.#finishCall(out, body, raw);
      }
    }
    if (this.#heldWhitespace !== '') {
      // Only reachable when the whole reply was whitespace: forward it like any text.
      this.#emitText(out, this.#heldWhitespace);
      this.#heldWhitespace = '';
    }
    this.#ended = true;
    return out;
  }

  #drain(final: boolean): ChatEvent[] {
    const out: ChatEvent[] = [];
    for (;;) {
      if (this.#mode === 'discard') {
        this.#buf = '';
        return out;
      }
      if (this.#mode === 'text') {
        this.#drainText(out, final);
        if (this.#mode === 'text') return out;
        if (this.#mode === 'discard') continue;
      }
      if (!this.#drainCall(out, final)) return out;
    }
  }

  /** Consumes text until it runs out, has to wait for more, or a call opens. */
  #drainText(out: ChatEvent[], final: boolean): void {
    const buf = this.#buf;
    const n = buf.length;
    let p = 0;
    while (p < n) {
      if (this.#whitespace !== 'none') {
        let q = p;
        while (q < n && isSpace(buf[q])) q++;
        if (this.#whitespace === 'hold') this.#heldWhitespace += buf.slice(p, q);
        p = q;
        if (p >= n) break;
        if (this.#fenceOpen && buf[p] === '`') {
          const fence = matchFenceClose(buf, p, final);
          if (fence.kind === 'partial') {
            this.#keepFrom(buf, p);
            return;
          }
          this.#fenceOpen = false;
          if (fence.kind === 'match') {
            p = fence.end;
            continue;
          }
        }
        const invented = this.#matchInventedResult(buf, p, final);
        if (invented.kind === 'match') {
          this.#startDiscarding();
          return;
        }
        // Inside a code block a backtick run closes the block; the scan below accounts for it.
        const open =
          invented.kind === 'partial'
            ? invented
            : buf[p] === '`' && this.#inCodeBlock
              ? NO_TAG
              : matchOpenTag(buf, p, final);
        if (open.kind === 'partial') {
          this.#keepFrom(buf, p);
          return;
        }
        if (open.kind === 'match') {
          this.#callLeadingWhitespace = this.#heldWhitespace;
          this.#heldWhitespace = '';
          this.#openCall(buf, p, open.end, open.fenced, open.attributes);
          return;
        }
        this.#emitText(out, this.#heldWhitespace);
        this.#heldWhitespace = '';
        this.#whitespace = 'none';
        this.#fenceOpen = false;
      }
      let c = nextCandidate(buf, p);
      while (c >= 0) {
        const prev = c > 0 ? buf[c - 1] : this.#prevChar;
        let next = c + 1;
        let open: ReturnType<typeof matchOpenTag> = NO_TAG;
        if (buf[c] === '`') {
          if (prev !== '`') {
            // A backtick run: a fence opener of a call (outside a code block), or a code block
            // fence whose parity decides whether the next run opens or closes a block.
            next = c;
            while (next < n && buf[next] === '`') next++;
            if (!this.#inCodeBlock) open = matchOpenTag(buf, c, final);
            else if (next === n && next - c < 3 && !final) open = { kind: 'partial' };
            if (open.kind === 'none' && next - c >= 3) this.#inCodeBlock = !this.#inCodeBlock;
          }
        } else if (prev !== '`') {
          // `<tool_call>` inside inline code is the model talking about the format, not using it.
          const invented = this.#matchInventedResult(buf, c, final);
          if (invented.kind === 'match') {
            this.#emitText(out, buf.slice(p, c));
            this.#startDiscarding();
            return;
          }
          open = invented.kind === 'partial' ? invented : matchOpenTag(buf, c, final);
        }
        if (open.kind === 'partial') {
          this.#emitText(out, buf.slice(p, c));
          this.#keepFrom(buf, c);
          return;
        }
        if (open.kind === 'match') {
          this.#emitText(out, buf.slice(p, c));
          this.#callLeadingWhitespace = '';
          this.#openCall(buf, c, open.end, open.fenced, open.attributes);
          return;
        }
        c = nextCandidate(buf, next);
      }
      this.#emitText(out, buf.slice(p));
      p = n;
    }
    this.#keepFrom(buf, p);
  }

  /** Only after a call: before it, `<tool_result>` in text is just text. */
  #matchInventedResult(buf: string, at: number, final: boolean): ReturnType<typeof matchResultTag> {
    return this.calls.length === 0 ? NO_TAG : matchResultTag(buf, at, final);
  }

  #startDiscarding(): void {
    this.#mode = 'discard';
    this.#buf = '';
    this.#heldWhitespace = '';
    this.problems.push({
      kind: 'invented-result',
      detail: 'the model wrote a tool result itself after calling; the rest of the reply was dropped',
    });
  }

  /** Everything before `at` is consumed; the rest waits for more input. */
  #keepFrom(buf: string, at: number): void {
    if (at > 0) this.#prevChar = buf[at - 1] ?? '';
    this.#buf = buf.slice(at);
  }

  #openCall(
    buf: string,
    start: number,
    end: number,
    fenced: boolean,
    attributes: Record<string, string>,
  ): void {
    this.#mode = 'call';
    this.#callOpenText = buf.slice(start, end);
    this.#callAttributes = attributes;
    this.#callParts = [];
    this.#fenceOpen = this.#fenceOpen || fenced;
    this.#prevChar = buf[end - 1] ?? '';
    this.#buf = buf.slice(end);
  }

  /**
   * Scans the call body for its end: a closing tag, or a new opener (a forgotten closer between
   * two calls). Returns true when the call ended and was handled.
   */
  #drainCall(out: ChatEvent[], final: boolean): boolean {
    const buf = this.#buf;
    let c = buf.indexOf('<');
    while (c >= 0) {
      const close = matchCloseTag(buf, c, final);
      if (close.kind === 'match') {
        this.#closeCall(out, buf, c, close.end);
        return true;
      }
      const open = close.kind === 'none' ? matchOpenTag(buf, c, final) : close;
      if (open.kind === 'match') {
        this.#closeCall(out, buf, c, c);
        return true;
      }
      if (close.kind === 'partial' || open.kind === 'partial') break;
      c = buf.indexOf('<', c + 1);
    }
    const safe = c < 0 ? buf.length : c;
    if (safe > 0) this.#callParts.push(buf.slice(0, safe));
    this.#buf = buf.slice(safe);
    return false;
  }

  #closeCall(out: ChatEvent[], buf: string, closeStart: number, closeEnd: number): void {
    const body = this.#callParts.join('') + buf.slice(0, closeStart);
    const raw = this.#callOpenText + body + buf.slice(closeStart, closeEnd);
    this.#callParts = [];
    this.#buf = buf.slice(closeEnd);
    this.#prevChar = raw[raw.length - 1] ?? '';
    this.#mode = 'text';
    this.#finishCall(out, body, raw);
  }

  #finishCall(out: ChatEvent[], body: string, raw: string): void {
    let handled = 0;
    for (const outcome of decodeCallBody(body, this.#callAttributes, this.#index)) {
      if (outcome.kind === 'rejected') {
        this.problems.push(outcome.problem);
        continue;
      }
      handled++;
      if (!this.#parallel && this.calls.length > 0) {
        this.problems.push({
          kind: 'extra-call',
          name: outcome.tool.name,
          detail: 'parallel tool calls are disabled; only the first call is kept',
        });
        continue;
      }
      if (outcome.invalid !== undefined) this.problems.push(outcome.invalid);
      const id = this.#newId();
      const { tool } = outcome;
      this.calls.push({ id, name: tool.name, kind: tool.kind, valid: outcome.invalid === undefined });
      out.push({ type: 'tool-call-start', id, name: tool.name, kind: tool.kind });
      if (outcome.arguments !== '')
        out.push({ type: 'tool-call-delta', id, argumentsDelta: outcome.arguments });
      out.push({ type: 'tool-call-end', id });
    }
    if (handled > 0) {
      this.#whitespace = 'drop';
      return;
    }
    // Nothing usable: the model's text is shown as written rather than silently lost, and the
    // fence state ends with it (a closing fence that follows is then ordinary text too).
    this.#emitRejected(out, this.#callLeadingWhitespace + raw);
  }

  /** A block that looked like a call but is none: shown as written, not counted as narration. */
  #emitRejected(out: ChatEvent[], raw: string): void {
    this.#emitText(out, raw, false);
    this.#whitespace = 'none';
    this.#fenceOpen = false;
    if (countFenceRuns(raw) % 2 === 1) this.#inCodeBlock = !this.#inCodeBlock;
  }

  #emitText(out: ChatEvent[], text: string, plain = true): void {
    if (text === '') return;
    if (plain && this.#plainText.length < NARRATION_SCAN_LIMIT) {
      this.#plainText += text.slice(0, NARRATION_SCAN_LIMIT);
    }
    this.#whitespace = 'none';
    this.#fenceOpen = false;
    const last = out[out.length - 1];
    if (last?.type === 'text-delta') last.text += text;
    else out.push({ type: 'text-delta', text });
  }
}

function countFenceRuns(text: string): number {
  return text.match(/`{3,}/g)?.length ?? 0;
}

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}
