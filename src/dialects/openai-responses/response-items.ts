/** Output items of a Response, in wire shape; shared by the stream and non-stream renderers. */

export type ItemStatus = 'in_progress' | 'completed' | 'incomplete';

export function outputTextPart(text: string): Record<string, unknown> {
  return { type: 'output_text', text, annotations: [], logprobs: [] };
}

export function messageItem(
  id: string,
  text: string | undefined,
  status: ItemStatus,
): Record<string, unknown> {
  return {
    id,
    type: 'message',
    status,
    role: 'assistant',
    content: text === undefined ? [] : [outputTextPart(text)],
  };
}

/**
 * Reasoning goes out as a summary (`summary_text`): the summary events are the ones Codex, the
 * openai SDK and the AI SDK all read. The signature rides in `encrypted_content`, which clients
 * send back verbatim in the next request's input.
 */
export function reasoningItem(
  id: string,
  text: string | undefined,
  signature?: string,
): Record<string, unknown> {
  const item: Record<string, unknown> = {
    id,
    type: 'reasoning',
    summary: text === undefined ? [] : [{ type: 'summary_text', text }],
  };
  if (signature !== undefined) item.encrypted_content = signature;
  return item;
}

export function toolCallItem(
  id: string,
  call: { callId: string; name: string; kind: 'function' | 'custom'; arguments: string },
  status: ItemStatus,
): Record<string, unknown> {
  if (call.kind === 'custom') {
    return {
      id,
      type: 'custom_tool_call',
      status,
      call_id: call.callId,
      name: call.name,
      input: call.arguments,
    };
  }
  return {
    id,
    type: 'function_call',
    status,
    call_id: call.callId,
    name: call.name,
    arguments: call.arguments,
  };
}
