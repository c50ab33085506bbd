import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import type { ModelCapabilities } from '../../site-contract/site.ts';
import { matchesModelPattern, resolveCapabilities } from '../kit/model-capabilities-config.ts';
import { modelsFromListing } from './models-from-listing.ts';

const defaults: ModelCapabilities = {
  vision: true,
  files: false,
  nativeTools: true,
  reasoning: false,
  systemPrompt: true,
  maxInputChars: 400_000,
};

describe('modelsFromListing', () => {
  test('plain OpenAI entries take the defaults; duplicates are listed once', () => {
    const models = modelsFromListing([{ id: 'GPT-4o' }, { id: 'GPT-4o' }], {
      defaults,
      overrides: {},
      include: [],
    });
    assert.deepEqual(models, [{ id: 'GPT-4o', displayName: 'GPT-4o', capabilities: defaults }]);
  });

  test('router metadata is believed: modalities, parameters, context length', () => {
    const [model] = modelsFromListing(
      [
        {
          id: 'm',
          name: 'Model M',
          context_length: 1000,
          architecture: { input_modalities: ['text', 'file'] },
          supported_parameters: ['reasoning'],
        },
      ],
      { defaults, overrides: {}, include: [] },
    );
    assert.equal(model?.displayName, 'Model M');
    assert.deepEqual(model?.capabilities, {
      vision: false,
      files: true,
      nativeTools: false,
      reasoning: true,
      systemPrompt: true,
      maxInputChars: 3000,
    });
  });

  test('include keeps only matching ids', () => {
    const models = modelsFromListing(
      [{ id: 'Claude-Sonnet-4.6' }, { id: 'GPT-4o' }, { id: 'Claude-Haiku' }],
      {
        defaults,
        overrides: {},
        include: ['Claude-*'],
      },
    );
    assert.deepEqual(
      models.map((m) => m.id),
      ['Claude-Sonnet-4.6', 'Claude-Haiku'],
    );
  });
});

describe('resolveCapabilities', () => {
  test('exact override beats prefix override beats site beats defaults', () => {
    const caps = resolveCapabilities(
      'o3-mini',
      defaults,
      { reasoning: false, maxInputChars: 10 },
      {
        '*': { vision: false },
        'o3*': { reasoning: true, maxInputChars: 20 },
        'o3-mini': { maxInputChars: 30 },
      },
    );
    assert.equal(caps.vision, false);
    assert.equal(caps.reasoning, true);
    assert.equal(caps.maxInputChars, 30);
  });

  test('patterns', () => {
    assert.ok(matchesModelPattern('abc', 'abc'));
    assert.ok(matchesModelPattern('abc', 'ab*'));
    assert.ok(matchesModelPattern('abc', '*'));
    assert.ok(!matchesModelPattern('abc', 'ab'));
  });
});
