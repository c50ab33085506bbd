import { z } from 'zod';
import { SiteIdSchema } from '../kit/model-capabilities-config.ts';

/** A `kind: demo` entry: the local demo chat site (the default target and the test bed). */
export const DemoSiteConfigSchema = z
  .object({
    id: SiteIdSchema,
    kind: z.literal('demo'),
    /** Start the demo chat site inside the gateway process (the default target). */
    embedded: z.boolean().default(true),
    /** Where the demo site runs when not embedded. */
    baseUrl: z.string().url().optional(),
    /** Port for the embedded demo site (0 = any free port). */
    embeddedPort: z.number().int().min(0).max(65535).default(0),
    /** Which of the site's streaming transports the adapter uses. */
    streaming: z.enum(['sse', 'ws']).default('sse'),
    /** `browser`: drive the site inside Chromium (see `browserMode`) instead of plain HTTP. */
    transport: z.enum(['http', 'browser']).default('http'),
    /** In the browser: call the site's API from the page, or drive its UI (network capture / DOM). */
    browserMode: z.enum(['in-page-fetch', 'network-capture', 'dom']).default('in-page-fetch'),
    credentials: z
      .object({ username: z.string().min(1), password: z.string().min(1) })
      .strict()
      .default({ username: 'demo', password: 'demo-password' }),
  })
  .strict();

export type DemoSiteConfig = z.infer<typeof DemoSiteConfigSchema>;
