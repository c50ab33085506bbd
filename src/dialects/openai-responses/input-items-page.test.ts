import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { GatewayError } from '../../core/errors.ts';
import { type InputItemsQuery, pageInputItems } from './input-items-page.ts';

const items = ['a', 'b', 'c', 'd', 'e'].map((id) => ({ id, type: 'message' }));
const ids = (query: InputItemsQuery) => {
  const page = pageInputItems(items, query);
  return {
    ids: page.data.map((item) => item.id),
    more: page.has_more,
    first: page.first_id,
    last: page.last_id,
  };
};

describe('pageInputItems', () => {
  const cases: Array<[string, InputItemsQuery, ReturnType<typeof ids>]> = [
    [
      'default: newest first, up to 20',
      {},
      { ids: ['e', 'd', 'c', 'b', 'a'], more: false, first: 'e', last: 'a' },
    ],
    [
      'limit 2 (query strings are strings)',
      { limit: '2' },
      { ids: ['e', 'd'], more: true, first: 'e', last: 'd' },
    ],
    ['asc', { order: 'asc', limit: 2 }, { ids: ['a', 'b'], more: true, first: 'a', last: 'b' }],
    ['after a cursor', { limit: 2, after: 'd' }, { ids: ['c', 'b'], more: true, first: 'c', last: 'b' }],
    ['after the last page', { limit: 2, after: 'b' }, { ids: ['a'], more: false, first: 'a', last: 'a' }],
    ['asc after', { order: 'asc', after: 'c' }, { ids: ['d', 'e'], more: false, first: 'd', last: 'e' }],
    ['before a cursor', { limit: 2, before: 'b' }, { ids: ['d', 'c'], more: true, first: 'd', last: 'c' }],
    ['before near the start', { limit: 2, before: 'd' }, { ids: ['e'], more: false, first: 'e', last: 'e' }],
    ['after the very last item', { after: 'a' }, { ids: [], more: false, first: null, last: null }],
  ];
  for (const [name, query, expected] of cases) test(name, () => assert.deepEqual(ids(query), expected));

  const bad: Array<[string, InputItemsQuery, string]> = [
    ['limit 0', { limit: 0 }, 'limit'],
    ['limit 101', { limit: '101' }, 'limit'],
    ['limit not a number', { limit: 'ten' }, 'limit'],
    ['order sideways', { order: 'sideways' }, 'order'],
    ['an unknown cursor', { after: 'zz' }, 'after'],
  ];
  for (const [name, query, param] of bad) {
    test(`400 for ${name}`, () => {
      assert.throws(
        () => pageInputItems(items, query),
        (error: unknown) => error instanceof GatewayError && error.status === 400 && error.param === param,
      );
    });
  }
});
