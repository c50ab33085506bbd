import type { IdGenerator } from '../shared/ids.ts';
import type { ItemReferences } from './parse-responses-request.ts';

/** A Responses input item as stored and listed by `GET /v1/responses/{id}/input_items`. */
export type StoredInputItem = Record<string, unknown> & { id: string };

const ID_PREFIX: Record<string, string> = {
  message: 'msg_',
  function_call: 'fc_',
  function_call_output: 'fco_',
  custom_tool_call: 'ctc_',
  custom_tool_call_output: 'ctco_',
  reasoning: 'rs_',
};

/**
 * The request's input as the official API lists it back: one item per input entry, messages with
 * a `type` and content parts (a plain string becomes one `input_text` / `output_text` part),
 * every item with an id (the caller's, or a new one), and `item_reference`s replaced by the item
 * they name. Call after `parseResponsesRequest` accepted the same input with the same references.
 */
export function inputItemsForStorage(
  input: string | ReadonlyArray<Record<string, unknown>>,
  references: ItemReferences | undefined,
  newId: IdGenerator,
): StoredInputItem[] {
  if (typeof input === 'string') {
    return [
      { id: newId('msg_'), type: 'message', role: 'user', content: [{ type: 'input_text', text: input }] },
    ];
  }
  const out: StoredInputItem[] = [];
  for (const raw of input) {
    if (raw.type === 'item_reference') {
      const stored = typeof raw.id === 'string' ? references?.get(raw.id) : undefined;
      if (stored !== undefined && typeof stored.id === 'string') out.push(stored as StoredInputItem);
      continue;
    }
    const type = typeof raw.type === 'string' ? raw.type : 'message';
    const item: Record<string, unknown> = { ...raw, type };
    if (type === 'message' && typeof raw.content === 'string') {
      item.content = [{ type: raw.role === 'assistant' ? 'output_text' : 'input_text', text: raw.content }];
    }
    const id = typeof raw.id === 'string' && raw.id !== '' ? raw.id : newId(ID_PREFIX[type] ?? 'item_');
    out.push({ ...item, id });
  }
  return out;
}
