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
  /** Where the last move left the pointer. */
  #pointer: { x: number; y: number } | undefined;

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

  /**
   * Moves the pointer to the middle of `box` (a person's hand on its way to a control). Moves wait
   * for the next frame, so a caller that will click there soon sends this early and goes on.
   */
  hover(box: Box): Promise<void> {
    const at = centre(box);
    this.#pointer = at;
    return this.#session.then(async (session) => {
      await session.send('Input.dispatchMouseEvent', { type: 'mouseMoved', ...at, button: 'none' });
    });
  }

  /**
   * Presses and releases the left button at the middle of `box`, moving there first unless the
   * pointer already rests inside it. The events are sent together and applied in order.
   */
  async click(box: Box): Promise<void> {
    const session = await this.#session;
    const pointer = this.#pointer;
    const inside =
      pointer !== undefined &&
      pointer.x >= box.x &&
      pointer.x <= box.x + box.width &&
      pointer.y >= box.y &&
      pointer.y <= box.y + box.height;
    const at = inside ? pointer : centre(box);
    this.#pointer = at;
    await Promise.all([
      inside
        ? undefined
        : session.send('Input.dispatchMouseEvent', { type: 'mouseMoved', ...at, button: 'none' }),
      session.send('Input.dispatchMouseEvent', {
        type: 'mousePressed',
        ...at,
        button: 'left',
        clickCount: 1,
      }),
      session.send('Input.dispatchMouseEvent', {
        type: 'mouseReleased',
        ...at,
        button: 'left',
        clickCount: 1,
      }),
    ]);
  }

  /** Types into the focused element as one input, the way a paste or an IME commit arrives. */
  async insertText(text: string): Promise<void> {
    const session = await this.#session;
    await session.send('Input.insertText', { text });
  }
}

function centre(box: Box): { x: number; y: number } {
  return { x: box.x + box.width / 2, y: box.y + box.height / 2 };
}
