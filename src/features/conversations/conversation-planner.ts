import type { ChatMessage, ChatRequest } from '../../core/chat-request.ts';
import { GatewayError } from '../../core/errors.ts';
import type { SiteCapabilities } from '../../site-contract/site.ts';
import type { ConversationRepository, ThreadRef } from './conversation-repository.ts';
import { hashTranscript, type TranscriptScope } from './hash-transcript.ts';
import { splitAtLastAnswer } from './split-turns.ts';

export type ConversationScope = TranscriptScope;

/** Why a request opens a new site thread; logged by the pipeline and asserted in tests. */
export type NewThreadReason =
  /** The site cannot continue threads: every turn carries the whole history. */
  | 'site-without-threads'
  /** Nothing was answered before (first turn, or the request ends without a new turn). */
  | 'no-history'
  /** The history is not the continuation of any live thread: edit, regenerate, changed system or tools. */
  | 'no-match'
  /** The matching thread is taken by a concurrent request. */
  | 'thread-busy'
  /** An `x-conversation-id` the key has not used yet (or whose thread is gone). */
  | 'named-new';

export type ConversationPlan =
  | {
      mode: 'continue';
      thread: ThreadRef;
      /** Same as `thread.threadId`, for the SiteTurn. */
      threadId: string;
      /** Only these go to the site, rendered with `renderNewTurn`. */
      newMessages: ChatMessage[];
      conversationName?: string;
      /** Internal: the tip taken for this turn, given back by `release`. */
      claim?: { rowId: string; tipHash: string };
    }
  | {
      mode: 'new';
      /** The whole history, to flatten into the new thread's first message. */
      messages: ChatMessage[];
      reason: NewThreadReason;
      conversationName?: string;
    };

export interface PlanInput {
  request: Pick<ChatRequest, 'system' | 'tools' | 'messages'>;
  scope: ConversationScope;
  site: Pick<SiteCapabilities, 'threads'>;
  /** Value of the `x-conversation-id` header, if the caller sent one. */
  conversationId?: string;
}

export interface CompletedTurn {
  scope: ConversationScope;
  /** The request exactly as planned (system, tools and all its messages). */
  request: Pick<ChatRequest, 'system' | 'tools' | 'messages'>;
  /** The assistant message the site produced, as the client will send it back (see answer-message.ts). */
  answer: ChatMessage;
  /** The thread the site reported for this turn. */
  thread: ThreadRef;
  conversationId?: string;
}

export interface Conversations {
  plan(input: PlanInput): Promise<ConversationPlan>;
  /** Call only after the site finished the answer; aborted or failed turns record nothing. */
  recordCompletedTurn(turn: CompletedTurn): Promise<void>;
  /** Call when a planned turn was never sent to the site, so its thread stays continuable. */
  release(plan: ConversationPlan): Promise<void>;
  /** Call when the site says the thread is gone; plan again and the request goes to a new thread. */
  forgetThread(thread: ThreadRef): Promise<void>;
}

export interface ConversationsOptions {
  repository: ConversationRepository;
  /** How long a thread is kept after its last use before the sweeper deletes it (default 24 h). */
  retentionMs?: number;
  now?: () => Date;
}

export const DEFAULT_THREAD_RETENTION_MS = 24 * 60 * 60 * 1000;
const MAX_CONVERSATION_ID_LENGTH = 200;

export function createConversations(options: ConversationsOptions): Conversations {
  const repository = options.repository;
  const retentionMs = options.retentionMs ?? DEFAULT_THREAD_RETENTION_MS;
  const now = options.now ?? (() => new Date());

  async function planNamed(input: PlanInput, name: string): Promise<ConversationPlan> {
    const { newTurn } = splitAtLastAnswer(input.request.messages);
    if (newTurn.length === 0) {
      throw new GatewayError(
        'invalid_request',
        'A request with x-conversation-id must end with a new user turn.',
        {
          param: 'messages',
        },
      );
    }
    const found = await repository.findByName(input.scope, name, now());
    if (found === undefined) {
      return { mode: 'new', messages: input.request.messages, reason: 'named-new', conversationName: name };
    }
    return {
      mode: 'continue',
      thread: refOf(found),
      threadId: found.threadId,
      newMessages: newTurn,
      conversationName: name,
    };
  }

  return {
    async plan(input) {
      if (!input.site.threads) {
        return { mode: 'new', messages: input.request.messages, reason: 'site-without-threads' };
      }
      if (input.conversationId !== undefined) return planNamed(input, validName(input.conversationId));

      const { history, newTurn } = splitAtLastAnswer(input.request.messages);
      if (history.length === 0 || newTurn.length === 0) {
        return { mode: 'new', messages: input.request.messages, reason: 'no-history' };
      }
      const tipHash = hashTranscript(input.scope, { ...input.request, messages: history });
      const found = await repository.findByTip(input.scope, tipHash, now());
      if (found === undefined) return { mode: 'new', messages: input.request.messages, reason: 'no-match' };
      const at = now();
      if (!(await repository.claimTip(found.rowId, tipHash, at, new Date(at.getTime() + retentionMs)))) {
        return { mode: 'new', messages: input.request.messages, reason: 'thread-busy' };
      }
      return {
        mode: 'continue',
        thread: refOf(found),
        threadId: found.threadId,
        newMessages: newTurn,
        claim: { rowId: found.rowId, tipHash },
      };
    },

    async recordCompletedTurn(turn) {
      const at = now();
      const input = {
        scope: turn.scope,
        thread: turn.thread,
        now: at,
        deleteAfter: new Date(at.getTime() + retentionMs),
      };
      if (turn.conversationId !== undefined) {
        // A named thread holds more than the request shows (callers send only the new turn), so it
        // gets no tip: a hash match must never hand it context the caller did not send.
        await repository.recordTurn({ ...input, conversationName: validName(turn.conversationId) });
        return;
      }
      const transcript = { ...turn.request, messages: [...turn.request.messages, turn.answer] };
      await repository.recordTurn({ ...input, tipHash: hashTranscript(turn.scope, transcript) });
    },

    async release(plan) {
      if (plan.mode === 'continue' && plan.claim !== undefined) {
        await repository.restoreTip(plan.claim.rowId, plan.claim.tipHash);
      }
    },

    async forgetThread(thread) {
      await repository.forget(thread);
    },
  };
}

function refOf(thread: ThreadRef): ThreadRef {
  const ref: ThreadRef = { siteId: thread.siteId, threadId: thread.threadId };
  if (thread.accountId !== undefined) ref.accountId = thread.accountId;
  return ref;
}

/** Names are opaque to the gateway but bounded, so a header cannot bloat the index. */
function validName(raw: string): string {
  const name = raw.trim();
  if (name === '' || name.length > MAX_CONVERSATION_ID_LENGTH || /[\u0000-\u001f\u007f]/.test(name)) {
    throw new GatewayError(
      'invalid_request',
      `x-conversation-id must be 1 to ${MAX_CONVERSATION_ID_LENGTH} printable characters.`,
      { param: 'x-conversation-id' },
    );
  }
  return name;
}
