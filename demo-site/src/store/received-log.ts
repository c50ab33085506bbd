import type { ToolChoice, ToolResultInput, ToolSpec } from '../reply-script.ts';

/** Exactly what one send delivered to the site, kept for tests (`/__control/...`). */
export interface ReceivedMessage {
  threadId: string;
  messageId: string;
  username: string;
  turn: number;
  model: string;
  text: string;
  systemPrompt: string | null;
  fileIds: string[];
  tools: ToolSpec[];
  toolChoice?: ToolChoice;
  toolResults: ToolResultInput[];
  maxTokens?: number;
  transport: 'sse' | 'ws';
  receivedAt: string;
}

const RECENT_LIMIT = 1000;

/** Outlives thread deletion on purpose: a client that deletes its threads can still be checked. */
export class ReceivedLog {
  private readonly byThread = new Map<string, ReceivedMessage[]>();
  private recentEntries: ReceivedMessage[] = [];

  record(entry: ReceivedMessage): void {
    const list = this.byThread.get(entry.threadId) ?? [];
    list.push(entry);
    this.byThread.set(entry.threadId, list);
    this.recentEntries.push(entry);
    if (this.recentEntries.length > RECENT_LIMIT)
      this.recentEntries = this.recentEntries.slice(-RECENT_LIMIT);
  }

  forThread(threadId: string): ReceivedMessage[] | undefined {
    return this.byThread.get(threadId)?.map((entry) => ({ ...entry }));
  }

  recent(limit = RECENT_LIMIT): ReceivedMessage[] {
    return this.recentEntries.slice(-limit).map((entry) => ({ ...entry }));
  }
}
