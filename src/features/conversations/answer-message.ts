import type { ChatEvent } from '../../core/chat-event.ts';
import type { ChatMessage, ContentPart } from '../../core/chat-request.ts';

/**
 * Builds the assistant message a finished stream produced, in the canonical form the client will
 * send back next turn; `recordCompletedTurn` hashes it. Returns undefined unless the stream ended
 * with `finish`: an aborted or failed answer must never become a continuation point.
 */
export function answerFromEvents(events: Iterable<ChatEvent>): ChatMessage | undefined {
  const content: ContentPart[] = [];
  const calls = new Map<string, { name: string; kind: 'function' | 'custom'; arguments: string }>();
  let text = '';
  let reasoning = '';
  let finished = false;
  const flushText = () => {
    if (text !== '') content.push({ type: 'text', text });
    text = '';
  };
  for (const event of events) {
    switch (event.type) {
      case 'text-delta':
        text += event.text;
        break;
      case 'reasoning-delta':
        reasoning += event.text;
        break;
      case 'reasoning-end':
        content.push({ type: 'reasoning', text: reasoning, signature: event.signature });
        reasoning = '';
        break;
      case 'tool-call-start':
        calls.set(event.id, { name: event.name, kind: event.kind, arguments: '' });
        break;
      case 'tool-call-delta': {
        const call = calls.get(event.id);
        if (call !== undefined) call.arguments += event.argumentsDelta;
        break;
      }
      case 'tool-call-end': {
        const call = calls.get(event.id);
        if (call !== undefined) {
          flushText();
          content.push({ type: 'tool-call', id: event.id, ...call });
        }
        break;
      }
      case 'finish':
        finished = true;
        break;
      case 'error':
        return undefined;
      case 'usage':
        break;
    }
  }
  flushText();
  return finished ? { role: 'assistant', content } : undefined;
}
