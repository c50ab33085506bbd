import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import type { PublicModel } from './public-model.ts';
import {
  renderAnthropicModel,
  renderAnthropicModelList,
  renderOpenAIModel,
  renderOpenAIModelList,
} from './render-models.ts';

const MODELS: PublicModel[] = [
  { id: 'demo/fast', displayName: 'Fast', site: 'demo', createdAt: 1700000000 },
  { id: 'demo/smart', displayName: 'Smart', site: 'demo', createdAt: 1700000001 },
];

describe('model rendering', () => {
  test('OpenAI list and model', () => {
    assert.deepEqual(renderOpenAIModelList(MODELS), {
      object: 'list',
      data: [
        { id: 'demo/fast', object: 'model', created: 1700000000, owned_by: 'demo' },
        { id: 'demo/smart', object: 'model', created: 1700000001, owned_by: 'demo' },
      ],
    });
    assert.deepEqual(renderOpenAIModel(MODELS[0]!), {
      id: 'demo/fast',
      object: 'model',
      created: 1700000000,
      owned_by: 'demo',
    });
  });

  test('Anthropic list and model, RFC 3339 dates', () => {
    assert.deepEqual(renderAnthropicModelList(MODELS), {
      data: [
        { type: 'model', id: 'demo/fast', display_name: 'Fast', created_at: '2023-11-14T22:13:20Z' },
        { type: 'model', id: 'demo/smart', display_name: 'Smart', created_at: '2023-11-14T22:13:21Z' },
      ],
      has_more: false,
      first_id: 'demo/fast',
      last_id: 'demo/smart',
    });
    assert.deepEqual(renderAnthropicModel(MODELS[1]!), {
      type: 'model',
      id: 'demo/smart',
      display_name: 'Smart',
      created_at: '2023-11-14T22:13:21Z',
    });
  });

  test('empty Anthropic list has null ids', () => {
    assert.deepEqual(renderAnthropicModelList([]), {
      data: [],
      has_more: false,
      first_id: null,
      last_id: null,
    });
  });
});
