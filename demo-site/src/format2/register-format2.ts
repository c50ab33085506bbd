import type { FastifyInstance } from 'fastify';
import type { RequestGuard } from '../auth/guard.ts';
import type { SiteContext } from '../context.ts';
import { registerConversationChat } from './conversation-chat.ts';
import { registerLoginCsrf } from './login-csrf.ts';
import { registerThreadStorage } from './thread-storage.ts';

/**
 * The behaviours real web chat apps have that recipe format 2 describes, each behind its own option
 * (off by default, so the site and its tests are unchanged without them).
 */
export function registerFormat2Behaviours(app: FastifyInstance, ctx: SiteContext, guard: RequestGuard): void {
  if (ctx.options.loginCsrf) registerLoginCsrf(app);
  if (ctx.options.conversationApi) registerConversationChat(app, ctx, guard);
  if (ctx.options.storageThreadId) registerThreadStorage(app);
}
