import type { CDPSession, Page } from './browser-library.ts';

export interface Box {
  x: number;
  y: number;
  width: number;
  height: number;
}

/**
 * Clicks and typing sent straight over CDP (`Input.*`), so they reach the page as trusted user input
 * in one or two round trips, without the library's actionability checks: the caller has just read
 * where the element is. One session per page, reused by every operation on it.
 */
export class TrustedInput {
  readonly #session: Promise<CDPSession>;

  private constructor(page: Page) {
    this.#session = page.context().newCDPSession(page);
    this.#session.catch(() => undefined);
  }

  static #byPage = new WeakMap<Page, TrustedInput>();

  static for(page: Page): TrustedInput {
    let input = TrustedInput.#byPage.get(page);
    if (!input) {
      input = new TrustedInput(page);
      TrustedInput.#byPage.set(page, input);
    }
    return input;
  }

  /** Presses and releases the left button at the middle of `box`. */
  async click(box: Box): Promise<void> {
    const session = await this.#session;
    const at = { x: box.x + box.width / 2, y: box.y + box.height / 2 };
    await session.send('Input.dispatchMouseEvent', { type: 'mouseMoved', ...at, button: 'none' });
    await session.send('Input.dispatchMouseEvent', {
      type: 'mousePressed',
      ...at,
      button: 'left',
      clickCount: 1,
    });
    await session.send('Input.dispatchMouseEvent', {
      type: 'mouseReleased',
      ...at,
      button: 'left',
      clickCount: 1,
    });
  }

  /** Types into the focused element as one input, the way a paste or an IME commit arrives. */
  async insertText(text: string): Promise<void> {
    const session = await this.#session;
    await session.send('Input.insertText', { text });
  }
}
