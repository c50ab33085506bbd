import type { FastifyInstance } from 'fastify';
import { pathOf } from '../auth/guard.ts';

/**
 * Option `storageThreadId`: the app page is told (by a `<meta name="thread-storage">` added to its
 * HTML) to keep the open chat's id in sessionStorage (`demo.chatId`) only, never in the URL.
 */
export function registerThreadStorage(app: FastifyInstance): void {
  app.addHook('onSend', async (request, reply, payload) => {
    if (request.method !== 'GET' || pathOf(request.url) !== '/' || typeof payload !== 'string')
      return payload;
    if (!String(reply.getHeader('content-type') ?? '').startsWith('text/html')) return payload;
    return payload.replace('</head>', '  <meta name="thread-storage" content="session" />\n  </head>');
  });
}
