import type { Page } from './browser-library.ts';

/**
 * Exclusive use of one warm page of an account. The holder learns when the page dies (renderer
 * crash, context or browser gone) and hands it back when done; a dead page is never reused.
 */
export interface PageLease {
  readonly page: Page;
  /** True once the renderer crashed or the page closed. */
  readonly dead: boolean;
  /** Called once when the page dies while leased; returns an unsubscribe function. */
  onDeath(listener: (reason: string) => void): () => void;
  /** Returns a healthy page to the warm pool (or closes it when the pool is full or it is dead). */
  release(): void;
  /** Closes the page instead of reusing it (e.g. after a UI operation left it in an unknown state). */
  discard(): Promise<void>;
}

/** Watches a page for crash and close and tells every listener once. */
export class PageWatch {
  readonly page: Page;
  #deathReason: string | undefined;
  readonly #listeners = new Set<(reason: string) => void>();
  readonly #unwatch: () => void;

  constructor(page: Page) {
    this.page = page;
    const context = page.context();
    const browser = context.browser();
    const onCrash = () => this.#die('the browser page crashed');
    const onClose = () => this.#die('the browser page closed');
    const onContextClose = () => this.#die('the browser context closed');
    // A killed browser is noticed here first; its pages may never report their own close.
    const onDisconnect = () => this.#die('the browser disconnected');
    page.on('crash', onCrash);
    page.on('close', onClose);
    context.on('close', onContextClose);
    browser?.on('disconnected', onDisconnect);
    this.#unwatch = () => {
      page.off('crash', onCrash);
      page.off('close', onClose);
      context.off('close', onContextClose);
      browser?.off('disconnected', onDisconnect);
    };
  }

  get dead(): boolean {
    return this.#deathReason !== undefined || this.page.isClosed();
  }

  get deathReason(): string | undefined {
    return this.#deathReason;
  }

  onDeath(listener: (reason: string) => void): () => void {
    if (this.#deathReason !== undefined) {
      queueMicrotask(() => listener(this.#deathReason ?? 'the browser page closed'));
      return () => undefined;
    }
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }

  #die(reason: string): void {
    if (this.#deathReason !== undefined) return;
    this.#deathReason = reason;
    this.#unwatch();
    for (const listener of this.#listeners) listener(reason);
    this.#listeners.clear();
  }
}
