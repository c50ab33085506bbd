import assert from 'node:assert/strict';
import { type ChildProcessWithoutNullStreams, spawn } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/** `webchat-gateway serve` as a real child process on the embedded demo site, past its banner. */
export interface ServeProcess {
  child: ChildProcessWithoutNullStreams;
  /** Gateway origin (Anthropic base URL); `${origin}/v1` is the OpenAI one. */
  origin: string;
  key: string;
  /** The embedded demo site's URL. */
  demo: string;
  dataDir: string;
  /** The admin token, when this start generated (and printed) it. */
  adminToken: string | undefined;
  /** Resolves with the exit code once the process has exited (and its data dir is removed). */
  exit: Promise<number | null>;
  output(): string;
}

/** Spawns `node <entry> serve` (default: bin/webchat-gateway.mjs, the sources through tsx). */
export async function startServeProcess(
  options: {
    entry?: string;
    env?: Record<string, string>;
    /** Reuse this data dir (and leave it in place on exit): a restart. Pass `key` then, it is not printed again. */
    dataDir?: string;
    key?: string;
  } = {},
): Promise<ServeProcess> {
  const dataDir = options.dataDir ?? (await mkdtemp(join(tmpdir(), 'wcg-serve-')));
  const child = spawn(process.execPath, [options.entry ?? 'bin/webchat-gateway.mjs', 'serve'], {
    env: {
      ...process.env,
      PORT: '0',
      GATEWAY_DATA_DIR: dataDir,
      LOG_LEVEL: 'warn',
      GATEWAY_API_KEY: '',
      ...options.env,
    },
    stdio: ['pipe', 'pipe', 'pipe'],
  });
  let output = '';
  const collect = (chunk: Buffer) => {
    output += chunk.toString();
  };
  child.stdout.on('data', collect);
  child.stderr.on('data', collect);
  const exit = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code))).finally(
    () => (options.dataDir ? undefined : rm(dataDir, { recursive: true, force: true })),
  );
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`no banner:\n${output}`)), 30_000);
    const onData = () => {
      if (!output.includes('Try it:') || !output.includes("'\n")) return;
      clearTimeout(timer);
      child.stdout.off('data', onData);
      resolve();
    };
    child.stdout.on('data', onData);
    void exit.then((code) => reject(new Error(`exited ${code} early:\n${output}`)));
  });
  const base = /OpenAI base URL:\s+(\S+)/.exec(output)?.[1];
  const key = /API key \(generated[^)]*\): (\S+)/.exec(output)?.[1] ?? options.key;
  const demo = /Embedded demo site 'demo': (\S+)/.exec(output)?.[1];
  assert.ok(base && key && demo, output);
  const adminToken = /Admin token for \S+ \(generated[^)]*\): (\S+)/.exec(output)?.[1];
  return {
    child,
    origin: base.replace(/\/v1$/, ''),
    key,
    adminToken,
    demo,
    dataDir,
    exit,
    output: () => output,
  };
}

/** One non-streamed chat that the demo site answers with PINEAPPLE at the end. */
export async function assertAnswersPineapple(openaiBaseUrl: string, key: string): Promise<void> {
  const response = await fetch(`${openaiBaseUrl}/chat/completions`, {
    method: 'POST',
    headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json' },
    body: JSON.stringify({
      model: 'demo/text-1',
      messages: [{ role: 'user', content: 'Reply with the word PINEAPPLE' }],
    }),
  });
  const body = (await response.json()) as { choices: Array<{ message: { content: string } }> };
  assert.match(body.choices[0]?.message.content ?? '', /PINEAPPLE$/);
}

/**
 * Opens a streamed `demo/slow-1` chat (~40 words, 50 ms each) and resolves once its first content
 * chunk has arrived; `rest` resolves with the whole SSE text when the stream ends or the
 * connection drops (a killed process).
 */
export async function openSlowStream(origin: string, key: string): Promise<{ rest: Promise<string> }> {
  const response = await fetch(`${origin}/v1/chat/completions`, {
    method: 'POST',
    headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json' },
    body: JSON.stringify({ model: 'demo/slow-1', stream: true, messages: [{ role: 'user', content: 'hi' }] }),
  });
  assert.equal(response.status, 200);
  const reader = response.body!.pipeThrough(new TextDecoderStream()).getReader();
  let text = '';
  while (!text.includes('"content":"')) {
    const { value, done } = await reader.read();
    assert.ok(!done, `stream ended before any content:\n${text}`);
    text += value;
  }
  const rest = (async () => {
    try {
      for (;;) {
        const { value, done } = await reader.read();
        if (done) return text;
        text += value;
      }
    } catch {
      return text;
    }
  })();
  return { rest };
}
