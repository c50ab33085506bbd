import type { ModelId } from '../models.ts';
import { newId } from './ids.ts';

export type MessageStatus = 'streaming' | 'complete' | 'stopped' | 'error';

export interface StoredToolCall {
  id: string;
  name: string;
  arguments: string;
}

export interface StoredMessage {
  id: string;
  role: 'user' | 'assistant';
  text: string;
  thinking?: string;
  toolCalls?: StoredToolCall[];
  fileIds?: string[];
  status: MessageStatus;
  turn: number;
}

export interface Thread {
  id: string;
  owner: string;
  title: string;
  model: ModelId;
  systemPrompt: string | null;
  createdAt: string;
  updatedAt: string;
  turns: number;
  messages: StoredMessage[];
  /** Monotonic order of the last change: timestamps tie within a millisecond. */
  touched: number;
}

export interface ThreadJson {
  id: string;
  title: string;
  model: ModelId;
  systemPrompt: string | null;
  createdAt: string;
  updatedAt: string;
  turns: number;
}

export const DEFAULT_TITLE = 'New chat';

export function threadJson(thread: Thread): ThreadJson {
  const { id, title, model, systemPrompt, createdAt, updatedAt, turns } = thread;
  return { id, title, model, systemPrompt, createdAt, updatedAt, turns };
}

export function messageJson(message: StoredMessage): StoredMessage {
  return {
    ...message,
    ...(message.toolCalls ? { toolCalls: message.toolCalls.map((call) => ({ ...call })) } : {}),
    ...(message.fileIds ? { fileIds: [...message.fileIds] } : {}),
  };
}

/** In-memory threads; every read is scoped to the owning account. */
export class ThreadStore {
  private readonly threads = new Map<string, Thread>();
  private clock = 0;

  create(owner: string, init: { model: ModelId; title?: string; systemPrompt?: string | null }): Thread {
    const now = new Date().toISOString();
    const thread: Thread = {
      id: newId('thr'),
      owner,
      title: init.title?.trim() || DEFAULT_TITLE,
      model: init.model,
      systemPrompt: init.systemPrompt || null,
      createdAt: now,
      updatedAt: now,
      turns: 0,
      messages: [],
      touched: ++this.clock,
    };
    this.threads.set(thread.id, thread);
    return thread;
  }

  get(owner: string, id: string): Thread | undefined {
    const thread = this.threads.get(id);
    return thread?.owner === owner ? thread : undefined;
  }

  list(owner: string): Thread[] {
    return [...this.threads.values()].filter((t) => t.owner === owner).sort((a, b) => b.touched - a.touched);
  }

  touch(thread: Thread): void {
    thread.updatedAt = new Date().toISOString();
    thread.touched = ++this.clock;
  }

  delete(owner: string, id: string): boolean {
    if (!this.get(owner, id)) return false;
    return this.threads.delete(id);
  }
}
