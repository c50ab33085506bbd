import type { PublicModel } from './public-model.ts';

export function renderOpenAIModel(model: PublicModel): object {
  return { id: model.id, object: 'model', created: model.createdAt, owned_by: model.site };
}

export function renderOpenAIModelList(models: readonly PublicModel[]): object {
  return { object: 'list', data: models.map(renderOpenAIModel) };
}

export function renderAnthropicModel(model: PublicModel): object {
  return {
    type: 'model',
    id: model.id,
    display_name: model.displayName,
    // RFC 3339, as the Anthropic API returns it.
    created_at: new Date(model.createdAt * 1000).toISOString().replace('.000Z', 'Z'),
  };
}

/** The whole list in one page: the gateway's catalogue is small, so `has_more` is always false. */
export function renderAnthropicModelList(models: readonly PublicModel[]): object {
  return {
    data: models.map(renderAnthropicModel),
    has_more: false,
    first_id: models[0]?.id ?? null,
    last_id: models[models.length - 1]?.id ?? null,
  };
}
