import type { ChatEvent } from '../core/chat-event.ts';
import type { ChatMessage, ContentPart } from '../core/chat-request.ts';

/**
 * The canonical assistant message a finished generation amounts to, as a client would send it
 * back in its next request (text, tool calls, signed reasoning).
 */
export function assistantMessageFromEvents(events: readonly ChatEvent[]): ChatMessage {
  const content: ContentPart[] = [];
  let text = '';
  let reasoning = '';
  const calls = new Map<string, { name: string; kind: 'function' | 'custom'; args: string }>();
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
        calls.set(event.id, { name: event.name, kind: event.kind, args: '' });
        break;
      case 'tool-call-delta': {
        const call = calls.get(event.id);
        if (call) call.args += event.argumentsDelta;
        break;
      }
      default:
        break;
    }
  }
  if (text) content.push({ type: 'text', text });
  for (const [id, call] of calls) {
    content.push({ type: 'tool-call', id, name: call.name, arguments: call.args, kind: call.kind });
  }
  return { role: 'assistant', content };
}
