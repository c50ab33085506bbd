import type { StreamRecord } from '../stream-records.ts';
import { type Leaf, leavesOf, looksLikeId, toJsonPath } from './json-leaves.ts';

/** A recipe `when` condition as YAML data. */
export type DraftCondition = { event: string } | { path: string; equals?: string };

export interface DraftSelector {
  when?: DraftCondition;
  path: string;
  mode?: 'cumulative';
}

export interface InferredStream {
  text: DraftSelector;
  /** The reply as the stream carried it (for finding it on the page). */
  replyText: string;
  thinking?: DraftSelector;
  finish?: { when?: DraftCondition; reason?: string };
  endMarker?: string;
  /** Id-looking values the stream carried before the text (thread and message id candidates). */
  ids: Array<{ value: string; selector: DraftSelector; key: string }>;
}

const DISCRIMINATORS = ['type', 'event', 'kind', 'op', 'message_type', 'object', 'action'];
const FINISH_WORDS = new Set([
  'stop',
  'end_turn',
  'stop_sequence',
  'complete',
  'completed',
  'finished',
  'done',
  'length',
  'max_tokens',
  'tool_calls',
  'tool_use',
]);

interface Group {
  key: string;
  when?: DraftCondition;
}

function groupOf(record: StreamRecord): Group {
  if (record.event !== undefined && record.event !== 'message')
    return { key: `event:${record.event}`, when: { event: record.event } };
  const data = record.data;
  if (data !== null && typeof data === 'object' && !Array.isArray(data)) {
    for (const field of DISCRIMINATORS) {
      const value = (data as Record<string, unknown>)[field];
      if (typeof value === 'string' && value.length <= 40)
        return { key: `${field}=${value}`, when: { path: `$.${field}`, equals: value } };
    }
  }
  return { key: '*' };
}

interface Candidate {
  group: Group;
  path: string;
  values: string[];
  indexes: number[];
}

/**
 * Works out, from one recorded reply stream, where its text, thinking, end and ids are: the string
 * field whose values add up to a text containing the reply word (or that grows to contain it: a
 * cumulative stream), the kind of record that ends the stream, and the id-like values sent first.
 */
export function inferStream(records: readonly StreamRecord[], replyWord: string): InferredStream | undefined {
  const candidates = new Map<string, Candidate>();
  records.forEach((record, index) => {
    const group = groupOf(record);
    for (const leaf of leavesOf(record.data)) {
      if (typeof leaf.value !== 'string') continue;
      const path = toJsonPath(leaf.path);
      const key = `${group.key}|${path}`;
      const candidate = candidates.get(key) ?? { group, path, values: [], indexes: [] };
      candidate.values.push(leaf.value);
      candidate.indexes.push(index);
      candidates.set(key, candidate);
    }
  });
  const all = [...candidates.values()];
  const cumulative = all.filter(
    (c) => c.values.length >= 2 && (c.values.at(-1) ?? '').includes(replyWord) && isPrefixChain(c.values),
  );
  const delta = all
    .filter((c) => c.values.join('').includes(replyWord))
    .sort((a, b) => b.values.length - a.values.length || a.path.length - b.path.length);
  const chosen = cumulative[0] ?? delta[0];
  if (!chosen) return undefined;
  const isCumulative = chosen === cumulative[0];
  const text: DraftSelector = {
    ...(chosen.group.when ? { when: chosen.group.when } : {}),
    path: chosen.path,
    ...(isCumulative ? { mode: 'cumulative' as const } : {}),
  };
  const replyText = isCumulative ? (chosen.values.at(-1) ?? '') : chosen.values.join('');
  const firstText = chosen.indexes[0] ?? 0;

  const thinkingCandidate = all
    .filter(
      (c) =>
        c !== chosen &&
        c.values.length >= 2 &&
        c.indexes.every((index) => index < firstText) &&
        c.values.join('').trim() !== '' &&
        !c.values.join('').includes(replyWord),
    )
    .sort((a, b) => b.values.length - a.values.length)[0];

  let last = records.length - 1;
  let endMarker: string | undefined;
  const lastRaw = records[last]?.raw.trim();
  if (lastRaw !== undefined && /^\[[A-Z_]+\]$/.test(lastRaw)) {
    endMarker = lastRaw;
    last--;
  }
  const finish = inferFinish(records, last, chosen);

  const ids: InferredStream['ids'] = [];
  for (const record of records.slice(0, firstText + 1)) {
    const group = groupOf(record);
    for (const leaf of leavesOf(record.data)) {
      if (!looksLikeId(leaf.value) || ids.some((id) => id.value === leaf.value)) continue;
      ids.push({
        value: leaf.value,
        key: String(leaf.path.at(-1) ?? ''),
        selector: { ...(group.when ? { when: group.when } : {}), path: toJsonPath(leaf.path) },
      });
    }
  }

  return {
    text,
    replyText,
    ...(thinkingCandidate
      ? {
          thinking: {
            ...(thinkingCandidate.group.when ? { when: thinkingCandidate.group.when } : {}),
            path: thinkingCandidate.path,
          },
        }
      : {}),
    ...(finish ? { finish } : {}),
    ...(endMarker ? { endMarker } : {}),
    ids,
  };
}

function inferFinish(
  records: readonly StreamRecord[],
  last: number,
  text: Candidate,
): InferredStream['finish'] | undefined {
  const record = records[last];
  if (!record) return undefined;
  const group = groupOf(record);
  const reasonLeaf = leavesOf(record.data).find(
    (leaf: Leaf) => typeof leaf.value === 'string' && FINISH_WORDS.has(leaf.value),
  );
  const reason = reasonLeaf ? toJsonPath(reasonLeaf.path) : undefined;
  if (group.key !== text.group.key && group.when) {
    return { when: group.when, ...(reason ? { reason } : {}) };
  }
  // Same kind of record as the text (OpenAI-style chunks): the reason field marks the end.
  if (reason) return { when: { path: reason }, reason };
  return undefined;
}

function isPrefixChain(values: readonly string[]): boolean {
  let steps = 0;
  let prefixes = 0;
  for (let i = 1; i < values.length; i++) {
    steps++;
    if ((values[i] ?? '').startsWith(values[i - 1] ?? '') && (values[i] ?? '').length > 0) prefixes++;
  }
  return steps > 0 && prefixes / steps >= 0.8 && (values.at(-1) ?? '').length > (values[0] ?? '').length;
}
