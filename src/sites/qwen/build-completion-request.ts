import type { SiteTurn } from '../../site-contract/site.ts';
import { fromQwenAttachment, qwenFileDescriptor } from './qwen-file.ts';

export interface CompletionRequestInput {
  turn: SiteTurn;
  chatId: string;
  /** The previous reply's `response_id`; null on a new chat. */
  parentId: string | null;
  thinking: boolean;
  /** `true`: the site streams deltas; `false`: each frame repeats the text so far. */
  incremental: boolean;
  /** Fresh uuid for the user message (`fid`). */
  messageId: string;
  now: Date;
}

/**
 * One turn → the body of `POST /api/v2/chat/completions?chat_id=…` (shape: xiaoY233/Chat2API
 * qwen-ai.ts @ 5f9fc4d3 and xtekky/gpt4free Qwen.py @ 079a5fd2). Only the new user message is sent;
 * the chat's earlier turns are linked through `parent_id`. `output_schema: "phase"` is what makes the
 * site label think/answer phases (Qwen2API commit 1198003: without it the answer comes back empty).
 * Qwen Chat has no system prompt field and no sampling settings: the pipeline puts the system prompt
 * in the text (the model capability says so) and temperature/output limits are not sent.
 */
export function buildCompletionRequest(input: CompletionRequestInput): Record<string, unknown> {
  const { turn, chatId, parentId } = input;
  const nowMs = input.now.getTime();
  const seconds = Math.floor(nowMs / 1000);
  const featureConfig: Record<string, unknown> = { thinking_enabled: input.thinking, output_schema: 'phase' };
  return {
    stream: true,
    version: '2.1',
    incremental_output: input.incremental,
    chat_id: chatId,
    chat_mode: 'normal',
    model: turn.model,
    parent_id: parentId,
    messages: [
      {
        fid: input.messageId,
        parentId,
        childrenIds: [],
        role: 'user',
        content: turn.text,
        user_action: 'chat',
        files: turn.attachments.map((a) => qwenFileDescriptor(fromQwenAttachment(a), nowMs)),
        timestamp: seconds,
        models: [turn.model],
        chat_type: 't2t',
        feature_config: featureConfig,
        extra: { meta: { subChatType: 't2t' } },
        sub_chat_type: 't2t',
        parent_id: parentId,
      },
    ],
    timestamp: seconds,
  };
}
