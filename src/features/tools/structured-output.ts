import type { ResponseFormat } from '../../core/chat-request.ts';
import { schemaValidator } from './argument-validator.ts';
import { compactSchema } from './compact-schema.ts';
import { parseLenientJson } from './json-text.ts';

/**
 * Structured output (`response_format` json_object / json_schema, Anthropic forced-tool JSON) for
 * sites that only produce text: an instruction for the prompt, and a validator for the finished
 * reply that strips code fences and prose, repairs the JSON (same repair as tool arguments) and
 * checks the schema. `text` is the repaired, compact JSON the pipeline should return to the client.
 * Validation needs the whole reply, so the pipeline buffers it.
 */
export type StructuredOutputCheck = { ok: true; value: unknown; text: string } | { ok: false; error: string };

export interface StructuredOutputPlan {
  instructions?: string;
  validate(text: string): StructuredOutputCheck;
}

const JSON_ONLY = 'Reply with one JSON object only: no text before or after it, no code fence.';

export function planStructuredOutput(format: ResponseFormat): StructuredOutputPlan {
  switch (format.type) {
    case 'text':
      return { validate: (text) => ({ ok: true, value: text, text }) };
    case 'json_object':
      return { instructions: JSON_ONLY, validate: (text) => validateJson(text, undefined) };
    case 'json_schema': {
      const check = schemaValidator(format.schema);
      const schemaText = JSON.stringify(compactSchema(format.schema, 'full'));
      return {
        instructions: `${JSON_ONLY} It must match this JSON Schema ("${format.name}"):\n${schemaText}`,
        validate: (text) => validateJson(text, check),
      };
    }
  }
}

function validateJson(
  text: string,
  check: ReturnType<typeof schemaValidator> | undefined,
): StructuredOutputCheck {
  const candidate = extractJsonText(text);
  if (candidate === undefined) return { ok: false, error: 'the reply contains no JSON object' };
  const parsed = parseLenientJson(candidate);
  if (!parsed.ok) return { ok: false, error: `the reply is not valid JSON: ${parsed.error}` };
  if (typeof parsed.value !== 'object' || parsed.value === null || Array.isArray(parsed.value)) {
    return { ok: false, error: 'the reply is not a JSON object' };
  }
  if (check !== undefined) {
    const result = check(parsed.value);
    if (!result.ok) return { ok: false, error: `the reply does not match the schema: ${result.error}` };
  }
  return { ok: true, value: parsed.value, text: JSON.stringify(parsed.value) };
}

const FENCED_BLOCK = /```[A-Za-z0-9_+.-]*[ \t]*\r?\n([\s\S]*?)(?:\r?\n[ \t]*```|$)/;

/** The JSON part of a reply: a fenced block's content if there is one, else from the first `{`. */
export function extractJsonText(text: string): string | undefined {
  const fenced = FENCED_BLOCK.exec(text);
  const body = fenced?.[1] ?? text;
  const start = body.indexOf('{');
  return start < 0 ? undefined : body.slice(start).trim();
}
