import type { ChatMessage } from '../../core/chat-request.ts';

export interface SplitTranscript {
  /** Every message up to and including the last assistant answer. */
  history: ChatMessage[];
  /** What came after it: the user turn(s), tool results or late system notes to send now. */
  newTurn: ChatMessage[];
}

/**
 * Splits a stateless request into what the site thread may already hold and what is new. The
 * cut is after the last assistant message because that is the last thing a site thread produced.
 */
export function splitAtLastAnswer(messages: ChatMessage[]): SplitTranscript {
  let cut = 0;
  messages.forEach((message, index) => {
    if (message.role === 'assistant') cut = index + 1;
  });
  return { history: messages.slice(0, cut), newTurn: messages.slice(cut) };
}
