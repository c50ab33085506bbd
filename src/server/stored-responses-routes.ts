import type { FastifyInstance } from 'fastify';
import type { Principal } from '../auth/principal.ts';
import { GatewayError } from '../core/errors.ts';
import { type InputItemsQuery, pageInputItems } from '../dialects/openai-responses/input-items-page.ts';
import type { ResponsesRepository } from '../store/responses-repository.ts';

function notFound(id: string): GatewayError {
  return new GatewayError('not_found', `Response with id '${id}' not found.`, { param: 'response_id' });
}

/**
 * The stored side of the Responses API, scoped to the calling key like `previous_response_id`:
 * `GET /v1/responses/{id}`, `DELETE /v1/responses/{id}`, `GET /v1/responses/{id}/input_items`.
 * Another key's response is "not found", exactly as an absent or expired one.
 */
export function registerStoredResponseRoutes(app: FastifyInstance, repository: ResponsesRepository): void {
  const apiKey = { config: { auth: 'api-key' as const } };
  const keyOf = (principal: unknown) => (principal as Principal).keyId;

  app.get('/v1/responses/:id', apiKey, async (request) => {
    const { id } = request.params as { id: string };
    const stored = await repository.get(id, keyOf(request.principal));
    // Rows from before migration 002 kept only the continuation state, not the object.
    if (!stored?.response) throw notFound(id);
    return stored.response;
  });

  app.delete('/v1/responses/:id', apiKey, async (request) => {
    const { id } = request.params as { id: string };
    if (!(await repository.delete(id, keyOf(request.principal)))) throw notFound(id);
    return { id, object: 'response', deleted: true };
  });

  app.get('/v1/responses/:id/input_items', apiKey, async (request) => {
    const { id } = request.params as { id: string };
    const stored = await repository.get(id, keyOf(request.principal));
    if (!stored?.inputItems) throw notFound(id);
    return pageInputItems(stored.inputItems, request.query as InputItemsQuery);
  });
}
