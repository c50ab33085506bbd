import { randomBytes } from 'node:crypto';
import { GatewayError } from '../../core/errors.ts';
import type { CDPSession } from './browser-library.ts';
import { type AgentHead, type AgentMessage, IN_PAGE_FETCH_AGENT_SOURCE } from './in-page-fetch-agent.ts';
import { installInIsolatedWorld, isStaleContextError } from './isolated-world.ts';
import type { PageLease } from './page-lease.ts';
import type { WireBody } from './serialize-request-body.ts';

export interface PageFetchRequest {
  url: string;
  method: string;
  headers: Record<string, string>;
  body: WireBody | undefined;
}

/** Receives one response body's chunks as the page reads them. */
export interface PageFetchSink {
  chunk(bytes: Uint8Array): void;
  end(): void;
  fail(error: unknown): void;
}

/**
 * Runs fetches inside one leased page over a raw CDP session: an isolated world holds the agent and
 * a binding scoped to that world carries body chunks back. Nothing is added to the page's own
 * globals and `Runtime.enable` is never sent (both are automation tells).
 */
export class InPageFetcher {
  readonly lease: PageLease;
  readonly #session: CDPSession;
  readonly #bindingName = `b${randomBytes(8).toString('hex')}`;
  readonly #worldName = `w${randomBytes(8).toString('hex')}`;
  readonly #sinks = new Map<number, PageFetchSink>();
  #agent: Promise<string> | undefined;
  #deadReason: string | undefined;
  /** Rejects when the page dies, so no CDP call waits on a connection that will never answer. */
  readonly #death: Promise<never>;
  #markDead: (error: GatewayError) => void = () => undefined;
  #nextId = 1;

  private constructor(lease: PageLease, session: CDPSession) {
    this.lease = lease;
    this.#session = session;
    session.on('Runtime.bindingCalled', (event) => {
      if (event.name === this.#bindingName) this.#onMessage(event.payload);
    });
    session.on('Page.frameNavigated', (event) => {
      // A new document destroyed the world and any fetch running in it.
      if (event.frame.parentId) return;
      this.#agent = undefined;
      this.#failAll(
        new GatewayError('upstream', 'The site page navigated away while a request was running.'),
      );
    });
    this.#death = new Promise<never>((_, reject) => {
      this.#markDead = reject;
    });
    this.#death.catch(() => undefined);
    lease.onDeath((reason) => {
      this.#deadReason = reason;
      const error = new GatewayError('upstream', `The site request failed: ${reason}.`, { retryable: true });
      this.#markDead(error);
      this.#failAll(error);
    });
  }

  static async open(lease: PageLease): Promise<InPageFetcher> {
    const session = await lease.page.context().newCDPSession(lease.page);
    // Page events only (frame navigations); unlike Runtime.enable this is not visible to the page.
    await session.send('Page.enable');
    return new InPageFetcher(lease, session);
  }

  get dead(): boolean {
    return this.#deadReason !== undefined || this.lease.dead;
  }

  /**
   * Starts a fetch; chunks flow to `sink` from now on. The id is known at once (so an abort can
   * follow immediately), the head arrives with the response.
   */
  start(request: PageFetchRequest, sink: PageFetchSink): { id: number; head: Promise<AgentHead> } {
    const id = this.#nextId++;
    // Registered before the call: the first chunks can arrive before the call's own answer.
    this.#sinks.set(id, sink);
    const head = this.#callAgent<AgentHead>('function (id, request) { return this.start(id, request); }', [
      id,
      request,
    ]).then(
      (value) => {
        if (!value.ok) this.#sinks.delete(id);
        return value;
      },
      (error: unknown) => {
        this.#sinks.delete(id);
        throw error;
      },
    );
    return { id, head };
  }

  /** Aborts the in-page fetch; the sink is dropped (the caller already ended its side). */
  abort(id: number): void {
    this.#sinks.delete(id);
    if (this.dead) return;
    void this.#callAgent('function (id) { this.abort(id); }', [id]).catch(() => undefined);
  }

  async close(): Promise<void> {
    this.#failAll(new GatewayError('upstream', 'The browser transport closed.'));
    await this.#session.detach().catch(() => undefined);
  }

  async #callAgent<T>(functionDeclaration: string, args: unknown[]): Promise<T> {
    for (let attempt = 0; ; attempt++) {
      if (this.dead)
        throw new GatewayError('upstream', `The site request failed: ${this.#deadReason ?? 'page gone'}.`);
      try {
        const objectId = await this.#installedAgent();
        const result = await this.#send('Runtime.callFunctionOn', {
          objectId,
          functionDeclaration,
          arguments: args.map((value) => ({ value })),
          awaitPromise: true,
          returnByValue: true,
        });
        if (result.exceptionDetails) {
          throw new GatewayError('upstream', 'The in-page request failed.', {
            cause: new Error(result.exceptionDetails.exception?.description ?? result.exceptionDetails.text),
          });
        }
        return result.result.value as T;
      } catch (error) {
        if (error instanceof GatewayError) throw error;
        // The document was replaced since the agent was installed: nothing ran yet, so retry once.
        if (attempt === 0 && isStaleContextError(error) && !this.dead) {
          this.#agent = undefined;
          continue;
        }
        throw new GatewayError(
          'upstream',
          `The site request failed: ${this.#deadReason ?? 'the browser page is gone'}.`,
          {
            cause: error,
            retryable: true,
          },
        );
      }
    }
  }

  #send: CDPSession['send'] = (method, params) =>
    Promise.race([this.#session.send(method, params), this.#death]);

  #installedAgent(): Promise<string> {
    this.#agent ??= this.#install().catch((error: unknown) => {
      this.#agent = undefined;
      throw error;
    });
    return this.#agent;
  }

  async #install(): Promise<string> {
    const installed = await installInIsolatedWorld(this.#send, {
      source: IN_PAGE_FETCH_AGENT_SOURCE,
      worldName: this.#worldName,
      bindingName: this.#bindingName,
    });
    return installed.objectId;
  }

  #onMessage(payload: string): void {
    let message: AgentMessage;
    try {
      message = JSON.parse(payload) as AgentMessage;
    } catch {
      return;
    }
    const sink = this.#sinks.get(message.id);
    if (!sink) return;
    if (message.type === 'chunk') {
      sink.chunk(new Uint8Array(Buffer.from(message.data, 'base64')));
      return;
    }
    this.#sinks.delete(message.id);
    if (message.type === 'end') sink.end();
    else sink.fail(new GatewayError('upstream', `The site stream broke: ${message.message}`));
  }

  #failAll(error: GatewayError): void {
    const sinks = [...this.#sinks.values()];
    this.#sinks.clear();
    for (const sink of sinks) sink.fail(error);
  }
}
