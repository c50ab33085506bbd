/**
 * Conversation mapping cost at scale, and what continuation saves.
 * Run: node --import tsx bench/conversation-lookup.bench.ts [rows=100000]
 *
 * 1. Fills a temporary SQLite file with `rows` thread mappings (as 100k stored conversations would
 *    leave it), then times `findByTip` hits and misses and the whole `plan()` (hash of a 20-turn
 *    history + lookup + claim): p50 / p99 / max.
 * 2. On a 20-turn conversation, compares what is sent to the site with continuation (only the new
 *    turn) against re-sending the flattened history every turn: characters and tokens.
 */
import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { cpus, tmpdir } from 'node:os';
import { join } from 'node:path';
import { countTokens } from 'gpt-tokenizer';
import type { ChatMessage } from '../src/core/chat-request.ts';
import { createConversations } from '../src/features/conversations/conversation-planner.ts';
import { createConversationRepository } from '../src/features/conversations/conversation-repository.ts';
import { flattenHistory, renderNewTurn } from '../src/features/conversations/flatten-history.ts';
import { hashTranscript } from '../src/features/conversations/hash-transcript.ts';
import { openStore } from '../src/store/open-store.ts';

const ROWS = Number(process.argv[2] ?? 100_000);
const LOOKUPS = 10_000;
const PLANS = 2_000;
const BATCH = 1_000;

const scopeFor = (i: number) => ({ keyId: `key-${i % 50}`, siteId: 'demo', model: 'fast' });

function conversation(turns: number, seed: string): ChatMessage[] {
  const messages: ChatMessage[] = [];
  for (let t = 1; t <= turns; t++) {
    messages.push({
      role: 'user',
      content: [
        { type: 'text', text: `${seed} question ${t}: ${'please explain this in some detail. '.repeat(4)}` },
      ],
    });
    messages.push({
      role: 'assistant',
      content: [
        { type: 'text', text: `Answer ${t}: ${'here is a reasonably long explanation. '.repeat(12)}` },
      ],
    });
  }
  return messages;
}

/**
 * Wall-clock percentiles plus CPU time per operation: on a shared, loaded machine the tail is
 * mostly time spent waiting for a core, which the CPU figure leaves out.
 */
function percentiles(samplesNs: bigint[], cpu: NodeJS.CpuUsage): string {
  const ms = samplesNs.map((ns) => Number(ns) / 1e6).sort((a, b) => a - b);
  const at = (q: number) => ms[Math.min(ms.length - 1, Math.floor(q * ms.length))] ?? Number.NaN;
  const cpuMs = (cpu.user + cpu.system) / 1000 / ms.length;
  return `p50 ${at(0.5).toFixed(3)} ms · p99 ${at(0.99).toFixed(3)} ms · max ${at(1).toFixed(3)} ms · cpu ${cpuMs.toFixed(3)} ms/op (n=${ms.length})`;
}

async function lookupBenchmark(): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'wcg-bench-'));
  const path = join(dir, 'bench.sqlite');
  const store = await openStore({ kind: 'sqlite', path });
  try {
    const repository = createConversationRepository(store.db);
    const history = conversation(20, 'bench');
    const hashes: string[] = [];
    const started = performance.now();
    const now = Date.now();
    for (let start = 0; start < ROWS; start += BATCH) {
      const rows = [];
      for (let i = start; i < Math.min(ROWS, start + BATCH); i++) {
        // Each row's tip is a real transcript hash, so the index holds realistic keys.
        const tip = hashTranscript(scopeFor(i), {
          tools: [],
          messages: [...history.slice(0, -2), ...conversation(1, `c${i}`)],
        });
        hashes.push(tip);
        rows.push({
          id: randomUUID(),
          key_id: scopeFor(i).keyId,
          site_id: 'demo',
          account_id: '',
          model: 'fast',
          thread_id: `thread-${i}`,
          conversation_name: null,
          tip_hash: tip,
          turns: 20,
          created_at: now,
          last_used_at: now,
          delete_after: now + 24 * 3600 * 1000,
        });
      }
      await store.db.insertInto('conversation_threads').values(rows).execute();
    }
    const fillMs = performance.now() - started;
    console.log(
      `filled ${ROWS} mappings in ${(fillMs / 1000).toFixed(1)} s; file ${(statSync(path).size / 1e6).toFixed(1)} MB`,
    );

    const at = new Date();
    const hits: bigint[] = [];
    let cpu = process.cpuUsage();
    for (let n = 0; n < LOOKUPS; n++) {
      const i = Math.floor(Math.random() * ROWS);
      const hash = hashes[i] ?? '';
      const t = process.hrtime.bigint();
      const found = await repository.findByTip(scopeFor(i), hash, at);
      hits.push(process.hrtime.bigint() - t);
      if (found === undefined) throw new Error('lookup missed an existing mapping');
    }
    const hitCpu = process.cpuUsage(cpu);
    const misses: bigint[] = [];
    cpu = process.cpuUsage();
    for (let n = 0; n < LOOKUPS; n++) {
      const t = process.hrtime.bigint();
      await repository.findByTip(scopeFor(n), `missing-${n}`, at);
      misses.push(process.hrtime.bigint() - t);
    }
    const missCpu = process.cpuUsage(cpu);
    console.log(`findByTip hit:   ${percentiles(hits, hitCpu)}`);
    console.log(`findByTip miss:  ${percentiles(misses, missCpu)}`);

    // The whole hot-path call: hash a 20-turn history, look it up, claim the tip. Its CPU figure
    // also covers building the request and the release that undoes the claim.
    const conversations = createConversations({ repository });
    const plans: bigint[] = [];
    cpu = process.cpuUsage();
    for (let n = 0; n < PLANS; n++) {
      const i = Math.floor(Math.random() * ROWS);
      const messages = [
        ...history.slice(0, -2),
        ...conversation(1, `c${i}`),
        ...conversation(1, 'next').slice(0, 1),
      ];
      const t = process.hrtime.bigint();
      const plan = await conversations.plan({
        request: { tools: [], messages },
        scope: scopeFor(i),
        site: { threads: true },
      });
      plans.push(process.hrtime.bigint() - t);
      if (plan.mode !== 'continue') throw new Error(`expected a continuation, got ${plan.reason}`);
      await conversations.release(plan);
    }
    console.log(`plan() 20 turns: ${percentiles(plans, process.cpuUsage(cpu))}`);
  } finally {
    await store.close();
    rmSync(dir, { recursive: true, force: true });
  }
}

function savingsBenchmark(): void {
  const full = conversation(20, 'savings');
  let continuedChars = 0;
  let continuedTokens = 0;
  let flattenedChars = 0;
  let flattenedTokens = 0;
  for (let turn = 1; turn <= 20; turn++) {
    const request = full.slice(0, turn * 2 - 1);
    const flattened = flattenHistory({
      system: 'Be helpful.',
      messages: request,
      nativeSystemPrompt: false,
    }).text;
    // Turn 1 opens the thread either way; afterwards continuation sends only the new message.
    const sent = turn === 1 ? flattened : renderNewTurn(request.slice(-1)).text;
    continuedChars += sent.length;
    continuedTokens += countTokens(sent);
    flattenedChars += flattened.length;
    flattenedTokens += countTokens(flattened);
  }
  const saved = (a: number, b: number) => `${(100 * (1 - a / b)).toFixed(1)} % saved`;
  console.log(`20-turn input sent, continuation: ${continuedChars} chars / ${continuedTokens} tokens`);
  console.log(`20-turn input sent, re-flattened: ${flattenedChars} chars / ${flattenedTokens} tokens`);
  console.log(
    `→ ${saved(continuedChars, flattenedChars)} (chars), ${saved(continuedTokens, flattenedTokens)} (tokens)`,
  );
}

console.log(
  `node ${process.version}, ${cpus()[0]?.model ?? 'unknown cpu'} × ${cpus().length}, ${new Date().toISOString()}`,
);
await lookupBenchmark();
savingsBenchmark();
