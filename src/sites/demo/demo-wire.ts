import { z } from 'zod';

/** Shapes of the demo site's JSON, as documented in demo-site/CONTRACT.md. */
export const DemoErrorBody = z.object({
  error: z.object({ code: z.string(), message: z.string().optional() }),
});

export const DemoModelsBody = z.object({
  models: z.array(
    z.object({
      id: z.string(),
      name: z.string(),
      capabilities: z.object({
        vision: z.boolean().optional(),
        files: z.boolean().optional(),
        tools: z.boolean().optional(),
        reasoning: z.boolean().optional(),
        systemPrompt: z.boolean().optional(),
      }),
      maxInputChars: z.number().optional(),
    }),
  ),
});

export const DemoUploadBody = z.object({
  id: z.string(),
  mediaType: z.string(),
  name: z.string().optional(),
});

export const DemoMeta = z.object({
  threadId: z.string(),
  messageId: z.string(),
  turn: z.number().optional(),
});
export const DemoDelta = z.object({ delta: z.string() });
export const DemoToolCall = z.object({ id: z.string(), name: z.string(), arguments: z.string() });
export const DemoDone = z.object({ finishReason: z.enum(['stop', 'length', 'tool_calls']).default('stop') });
export const DemoStreamError = z.object({ code: z.string(), message: z.string().optional() });

export const CSRF_META = /<meta\s+name=["']csrf-token["']\s+content=["']([^"']+)["']/i;
