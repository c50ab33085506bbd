import type { FastifyInstance } from 'fastify';
import { GatewayError } from '../core/errors.ts';
import type { PublicModel } from '../dialects/models/public-model.ts';
import {
  renderAnthropicModel,
  renderAnthropicModelList,
  renderOpenAIModel,
  renderOpenAIModelList,
} from '../dialects/models/render-models.ts';
import type { CatalogEntry, ModelCatalog } from '../pipeline/model-catalog.ts';
import { isAnthropicRequest } from './request-dialect.ts';
import { requestPath } from './request-path.ts';

/** `GET /v1/models` and `/v1/models/{id}`, shaped for whichever SDK is asking. */
export function registerModelRoutes(app: FastifyInstance, catalog: ModelCatalog): void {
  const startedAt = Math.floor(Date.now() / 1000);
  const publicModels = (entries: CatalogEntry[]): PublicModel[] =>
    entries.flatMap((entry) =>
      [entry.publicName, ...entry.aliases].map((id) => ({
        id,
        displayName: entry.model.displayName,
        site: entry.site.id,
        createdAt: startedAt,
      })),
    );

  app.get('/v1/models', { config: { auth: 'api-key' } }, async (request) => {
    const models = publicModels(await catalog.list());
    return isAnthropicRequest(request) ? renderAnthropicModelList(models) : renderOpenAIModelList(models);
  });

  // Model ids contain a slash (`demo/text-1`), so the id is the rest of the path.
  app.get('/v1/models/*', { config: { auth: 'api-key' } }, async (request) => {
    const id = requestPath((request.params as { '*': string })['*']);
    const model = publicModels(await catalog.list()).find((m) => m.id === id);
    if (!model) {
      throw new GatewayError(
        'not_found',
        `The model '${id}' does not exist or you do not have access to it.`,
        {
          param: 'model',
        },
      );
    }
    return isAnthropicRequest(request) ? renderAnthropicModel(model) : renderOpenAIModel(model);
  });
}
