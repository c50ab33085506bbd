import type { ChatRequest, MediaPart } from '../core/chat-request.ts';
import { GatewayError } from '../core/errors.ts';
import type { ConversationPlan } from '../features/conversations/conversation-planner.ts';
import {
  type FlattenedThreadStart,
  flattenHistory,
  renderNewTurn,
  type ToolRenderers,
} from '../features/conversations/flatten-history.ts';
import type { ToolPlan } from '../features/tools/index.ts';
import type { ModelCapabilities, SiteToolResult, SiteTurn } from '../sites/site.ts';

export interface PreparedTurn {
  /** The turn without attachments; `media` still has to be uploaded. */
  turn: Omit<SiteTurn, 'attachments'>;
  media: MediaPart[];
}

/**
 * Renders what goes to the site for this request: only the new turn into a continued thread, or
 * the whole history flattened into a new one; the system prompt (plus tool or JSON instructions)
 * in the site's own field when the model has one, otherwise as a delimited preamble.
 */
export function prepareSiteTurn(
  request: ChatRequest,
  plan: ConversationPlan,
  model: { id: string; capabilities: ModelCapabilities },
  toolPlan: ToolPlan,
  extraInstructions: string[],
  renderers: ToolRenderers,
): PreparedTurn {
  const system = [request.system, toolPlan.instructions, ...extraInstructions]
    .filter((s): s is string => typeof s === 'string' && s.trim() !== '')
    .join('\n\n');
  const newMessages = plan.mode === 'continue' ? plan.newMessages : plan.messages;
  const rendered =
    plan.mode === 'continue'
      ? renderNewTurn(plan.newMessages, renderers)
      : flattenHistory({
          system: system || undefined,
          messages: plan.messages,
          nativeSystemPrompt: model.capabilities.systemPrompt,
          renderers,
        });
  const systemPrompt = plan.mode === 'new' ? (rendered as FlattenedThreadStart).systemPrompt : undefined;
  const text = rendered.text;
  if (text.length > model.capabilities.maxInputChars) {
    throw new GatewayError(
      'context_length_exceeded',
      `This model's maximum context length is ${model.capabilities.maxInputChars} characters; the rendered request has ${text.length}. Shorten the conversation.`,
      { param: 'messages' },
    );
  }
  if (text.trim() === '' && rendered.attachments.length === 0) {
    throw new GatewayError('invalid_request', 'The request has no new user content to send.', {
      param: 'messages',
    });
  }
  const turn: Omit<SiteTurn, 'attachments'> = {
    model: model.id,
    text,
    threadId: plan.mode === 'continue' ? plan.threadId : undefined,
    systemPrompt,
    maxOutputTokens: request.maxOutputTokens,
    temperature: request.temperature,
  };
  if (toolPlan.mode === 'native') {
    turn.tools = toolPlan.nativeTools;
    turn.toolChoice = toolPlan.nativeToolChoice;
    const results: SiteToolResult[] = [];
    for (const message of newMessages) {
      for (const part of message.content) {
        if (part.type === 'tool-result') {
          results.push({
            toolCallId: part.toolCallId,
            name: part.name ?? 'unknown',
            content: part.content,
            isError: part.isError,
          });
        }
      }
    }
    if (results.length > 0) turn.toolResults = results;
  }
  return { turn, media: rendered.attachments };
}
