import type { RenderContext } from '../shared/render-context.ts';

/** `inputTokens` goes into `message_start`, before the site has produced anything. */
export type MessagesRenderContext = Omit<RenderContext, 'createdAt' | 'newId'>;
