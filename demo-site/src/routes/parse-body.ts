import type { z } from 'zod';
import { DemoError } from '../errors.ts';

/** Validates a JSON body; failures become 400 `bad_request` naming the offending fields. */
export function parseBody<T extends z.ZodType>(schema: T, body: unknown): z.infer<T> {
  const result = schema.safeParse(body ?? {});
  if (result.success) return result.data;
  const details = result.error.issues
    .map((issue) => `${issue.path.length > 0 ? issue.path.join('.') : 'body'}: ${issue.message}`)
    .join('; ');
  throw new DemoError(400, 'bad_request', `Invalid request body: ${details}`);
}
