import type { ChatRequest, MediaPart } from '../core/chat-request.ts';
import { GatewayError } from '../core/errors.ts';
import type { ConversationPlan } from '../features/conversations/conversation-planner.ts';
import { assertTurnFits, type ContextPolicy, fitContext } from '../features/conversations/context-limit.ts';
import { renderNewTurn, type ToolRenderers } from '../features/conversations/flatten-history.ts';
import type { ToolPlan } from '../features/tools/index.ts';
import type {
  ModelCapabilities,
  SiteCapabilities,
  SiteToolResult,
  SiteTurn,
  UploadInput,
} from '../site-contract/site.ts';

export interface PreparedTurn {
  /** The turn without attachments; `media` still has to be uploaded. */
  turn: Omit<SiteTurn, 'attachments'>;
  media: MediaPart[];
  /** Under the `upload-file` context policy: the earlier turns, to upload and attach first. */
  historyFile?: UploadInput;
  /** Oldest turns left out by the `drop-oldest` policy (said in a response header and the log). */
  droppedTurns: number;
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
  context: {
    policy: ContextPolicy;
    site: Pick<SiteCapabilities, 'uploads' | 'acceptedMediaTypes' | 'maxUploadBytes'>;
  },
): PreparedTurn {
  const system = [request.system, toolPlan.instructions, ...extraInstructions]
    .filter((s): s is string => typeof s === 'string' && s.trim() !== '')
    .join('\n\n');
  const newMessages = plan.mode === 'continue' ? plan.newMessages : plan.messages;
  let text: string;
  let media: MediaPart[];
  let systemPrompt: string | undefined;
  let historyFile: UploadInput | undefined;
  let droppedTurns = 0;
  if (plan.mode === 'continue') {
    const rendered = renderNewTurn(plan.newMessages, renderers);
    assertTurnFits(rendered.text, model.capabilities);
    text = rendered.text;
    media = rendered.attachments;
  } else {
    const fitted = fitContext({
      system: system || undefined,
      messages: plan.messages,
      policy: context.policy,
      model: model.capabilities,
      site: context.site,
      renderers,
    });
    text = fitted.text;
    media = fitted.attachments;
    systemPrompt = fitted.systemPrompt;
    historyFile = fitted.historyFile;
    droppedTurns = fitted.droppedTurns;
  }
  if (text.trim() === '' && media.length === 0 && !historyFile) {
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
  return { turn, media, historyFile, droppedTurns };
}
