import type { ChatMessage, ChatRequest, ContentPart } from '../core/chat-request.ts';
import { GatewayError } from '../core/errors.ts';
import type { SiteAttachment, SiteTurn } from '../sites/site.ts';
import type { ResolvedModel } from './model-catalog.ts';

/**
 * Renders a canonical request into one site turn: system prompt, the text to send (the whole
 * history flattened when it is longer than one user message) and the uploaded attachments.
 */
export async function buildSiteTurn(
  request: ChatRequest,
  resolved: ResolvedModel,
  signal: AbortSignal,
): Promise<SiteTurn> {
  const caps = resolved.model.capabilities;
  const text = renderMessages(request.messages);
  const system = request.system?.trim() ? request.system : undefined;
  const fullText =
    system && !caps.systemPrompt
      ? `[System instructions]\n${system}\n[/System instructions]\n\n${text}`
      : text;
  if (fullText.length > caps.maxInputChars) {
    throw new GatewayError(
      'context_length_exceeded',
      `This model's maximum context is ${caps.maxInputChars} characters; the request has ${fullText.length}.`,
      { param: 'messages' },
    );
  }
  const attachments: SiteAttachment[] = [];
  for (const [index, message] of request.messages.entries()) {
    for (const part of message.content) {
      if (part.type !== 'image' && part.type !== 'file') continue;
      if (part.type === 'image' && !caps.vision) {
        throw new GatewayError('invalid_request', `The model '${request.model}' does not accept images.`, {
          param: `messages[${index}].content`,
        });
      }
      if (!part.data) {
        throw new GatewayError('invalid_request', 'Remote attachment URLs are not supported yet.', {
          param: `messages[${index}].content`,
        });
      }
      attachments.push(
        await resolved.site.upload(
          {
            data: part.data,
            filename: part.filename ?? 'attachment',
            mediaType: part.mediaType ?? 'application/octet-stream',
          },
          signal,
        ),
      );
    }
  }
  return {
    model: resolved.model.id,
    text: fullText,
    systemPrompt: caps.systemPrompt ? system : undefined,
    attachments,
    maxOutputTokens: request.maxOutputTokens,
    temperature: request.temperature,
  };
}

function renderMessages(messages: ChatMessage[]): string {
  if (messages.length === 1 && messages[0]?.role === 'user') return partsText(messages[0].content);
  return messages.map((m) => `[${m.role}]\n${partsText(m.content)}`).join('\n\n');
}

function partsText(parts: ContentPart[]): string {
  return parts
    .map((part) => (part.type === 'text' ? part.text : ''))
    .filter((t) => t.length > 0)
    .join('\n');
}
