import type { FinishReason, Usage } from '../../core/chat-event.ts';
import type { ResponsesRenderContext } from './responses-render-context.ts';

export type ResponseStatus = 'in_progress' | 'completed' | 'incomplete' | 'failed';

export interface ResponseState {
  status: ResponseStatus;
  output: Record<string, unknown>[];
  usage?: Usage;
  error?: { code: string; message: string };
  incompleteReason?: string;
}

export function toResponsesUsage(usage: Usage): Record<string, unknown> {
  return {
    input_tokens: usage.inputTokens,
    input_tokens_details: { cached_tokens: 0 },
    output_tokens: usage.outputTokens,
    // The site does not separate reasoning tokens; they are counted in output_tokens.
    output_tokens_details: { reasoning_tokens: 0 },
    total_tokens: usage.inputTokens + usage.outputTokens,
  };
}

/** Finish reason → Response status; a length or filter stop makes the response `incomplete`. */
export function statusForFinish(reason: FinishReason): { status: ResponseStatus; incompleteReason?: string } {
  if (reason === 'length') return { status: 'incomplete', incompleteReason: 'max_output_tokens' };
  if (reason === 'content-filter') return { status: 'incomplete', incompleteReason: 'content_filter' };
  return { status: 'completed' };
}

/** The full Response object, used in `response.*` lifecycle events and as the non-stream body. */
export function buildResponseObject(
  ctx: ResponsesRenderContext,
  state: ResponseState,
): Record<string, unknown> {
  const finished = state.status !== 'in_progress';
  return {
    id: ctx.id,
    object: 'response',
    created_at: ctx.createdAt,
    status: state.status,
    background: false,
    error: state.error ?? null,
    incomplete_details: state.incompleteReason === undefined ? null : { reason: state.incompleteReason },
    instructions: ctx.echo.instructions,
    max_output_tokens: ctx.echo.max_output_tokens,
    model: ctx.model,
    output: state.output,
    parallel_tool_calls: ctx.echo.parallel_tool_calls,
    previous_response_id: ctx.echo.previous_response_id,
    reasoning: ctx.echo.reasoning,
    store: ctx.echo.store,
    temperature: ctx.echo.temperature,
    text: ctx.echo.text,
    tool_choice: ctx.echo.tool_choice,
    tools: ctx.echo.tools,
    top_p: ctx.echo.top_p,
    truncation: 'disabled',
    usage: finished && state.usage ? toResponsesUsage(state.usage) : null,
    user: ctx.echo.user,
    metadata: ctx.echo.metadata,
    // The SDKs add this convenience to `create()` results but not to `stream().finalResponse()`;
    // sending it makes both work, and clients that do not know it ignore it.
    output_text: outputText(state.output),
  };
}

function outputText(output: readonly Record<string, unknown>[]): string {
  let text = '';
  for (const item of output) {
    if (item.type !== 'message' || !Array.isArray(item.content)) continue;
    for (const part of item.content as { type?: unknown; text?: unknown }[]) {
      if (part.type === 'output_text' && typeof part.text === 'string') text += part.text;
    }
  }
  return text;
}
