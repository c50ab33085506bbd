import type { FastifyReply } from 'fastify';
import type { Principal } from '../auth/principal.ts';
import type { ChatRequest } from '../core/chat-request.ts';
import type { ModelCatalog } from '../pipeline/model-catalog.ts';
import { estimateRequestTokens } from '../pipeline/token-estimate.ts';
import type { Admission } from './admission.ts';
import { renderRateLimitHeaders } from './rate-limit-headers.ts';
import { LimitExceeded } from './request-limits.ts';

export interface ChatAdmission {
  admission: Admission;
  catalog: ModelCatalog;
  /** Output tokens reserved when the request sets no maximum. */
  reserveOutputTokens: number;
}

export interface AdmittedChat {
  headers: Record<string, string>;
  release(actualTokens?: number): void;
}

const NOT_ADMITTED: AdmittedChat = { headers: {}, release: () => {} };

/**
 * The request path's one admission step, before anything is sent to the site or to the client
 * (so a refusal is a real 429 status, and queued requests send no bytes). A refusal carries the
 * dialect's rate-limit headers on the reply before the error propagates to the error renderer.
 */
export async function admitChat(
  deps: ChatAdmission | undefined,
  call: {
    chat: ChatRequest;
    principal: Principal;
    dialect: 'openai' | 'anthropic';
    reply: FastifyReply;
    signal: AbortSignal;
  },
): Promise<AdmittedChat> {
  if (!deps) return NOT_ADMITTED;
  const resolved = await deps.catalog.resolve(call.chat.model, call.signal);
  const reservedTokens =
    estimateRequestTokens(call.chat) + (call.chat.maxOutputTokens ?? deps.reserveOutputTokens);
  try {
    const ticket = await deps.admission.admit({
      principal: call.principal,
      siteId: resolved.site.id,
      reservedTokens,
      signal: call.signal,
    });
    const headers = renderRateLimitHeaders(
      call.dialect,
      { requests: ticket.requests, tokens: ticket.tokens },
      Date.now(),
    );
    return { headers, release: (actual) => ticket.release(actual) };
  } catch (error) {
    if (error instanceof LimitExceeded) {
      const view = error.limit === 'tpm' ? { tokens: error.state } : { requests: error.state };
      call.reply.headers(renderRateLimitHeaders(call.dialect, view, Date.now()));
    }
    throw error;
  }
}
