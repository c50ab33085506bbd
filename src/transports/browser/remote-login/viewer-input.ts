import { z } from 'zod';

/** What a viewer sends: pointer and key events in page CSS pixels, pasted text, and "done". */
export const ViewerMessage = z.discriminatedUnion('type', [
  z.object({
    type: z.literal('mouse'),
    action: z.enum(['down', 'up', 'move', 'wheel']),
    x: z.number().finite(),
    y: z.number().finite(),
    button: z.enum(['left', 'middle', 'right', 'none']).default('none'),
    clickCount: z.number().int().min(0).max(3).default(0),
    deltaX: z.number().finite().default(0),
    deltaY: z.number().finite().default(0),
    modifiers: z.number().int().min(0).max(15).default(0),
  }),
  z.object({
    type: z.literal('key'),
    action: z.enum(['down', 'up']),
    key: z.string().min(1).max(32),
    code: z.string().max(32).default(''),
    modifiers: z.number().int().min(0).max(15).default(0),
  }),
  z.object({ type: z.literal('text'), text: z.string().max(10_000) }),
  z.object({ type: z.literal('done') }),
]);

export type ViewerMessage = z.infer<typeof ViewerMessage>;

export type CdpInput =
  | { method: 'Input.dispatchMouseEvent'; params: MouseParams }
  | { method: 'Input.dispatchKeyEvent'; params: KeyParams }
  | { method: 'Input.insertText'; params: { text: string } };

interface MouseParams {
  type: 'mousePressed' | 'mouseReleased' | 'mouseMoved' | 'mouseWheel';
  x: number;
  y: number;
  button: 'left' | 'middle' | 'right' | 'none';
  clickCount: number;
  deltaX?: number;
  deltaY?: number;
  modifiers: number;
}

interface KeyParams {
  type: 'keyDown' | 'keyUp' | 'rawKeyDown';
  key: string;
  code: string;
  modifiers: number;
  windowsVirtualKeyCode?: number;
  text?: string;
  unmodifiedText?: string;
}

/** Windows virtual key codes of the non-character keys a login form needs. */
const SPECIAL_KEYS: Record<string, { keyCode: number; text?: string }> = {
  Enter: { keyCode: 13, text: '\r' },
  Backspace: { keyCode: 8 },
  Tab: { keyCode: 9 },
  Escape: { keyCode: 27 },
  Delete: { keyCode: 46 },
  Home: { keyCode: 36 },
  End: { keyCode: 35 },
  PageUp: { keyCode: 33 },
  PageDown: { keyCode: 34 },
  ArrowLeft: { keyCode: 37 },
  ArrowUp: { keyCode: 38 },
  ArrowRight: { keyCode: 39 },
  ArrowDown: { keyCode: 40 },
  Shift: { keyCode: 16 },
  Control: { keyCode: 17 },
  Alt: { keyCode: 18 },
  Meta: { keyCode: 91 },
};

const CTRL = 2;
const META = 4;
const MOUSE_TYPES = {
  down: 'mousePressed',
  up: 'mouseReleased',
  move: 'mouseMoved',
  wheel: 'mouseWheel',
} as const;

/**
 * A viewer's input as the CDP call that replays it in the page (events dispatched this way arrive
 * as trusted input). Coordinates are clamped to the page's viewport.
 */
export function toCdpInput(
  message: ViewerMessage,
  viewport: { width: number; height: number },
): CdpInput | undefined {
  switch (message.type) {
    case 'mouse': {
      const params: MouseParams = {
        type: MOUSE_TYPES[message.action],
        x: clamp(message.x, viewport.width),
        y: clamp(message.y, viewport.height),
        button: message.button,
        clickCount: message.clickCount,
        modifiers: message.modifiers,
      };
      if (message.action === 'wheel')
        Object.assign(params, { deltaX: message.deltaX, deltaY: message.deltaY });
      return { method: 'Input.dispatchMouseEvent', params };
    }
    case 'key':
      return { method: 'Input.dispatchKeyEvent', params: keyParams(message) };
    case 'text':
      return { method: 'Input.insertText', params: { text: message.text } };
    default:
      return undefined;
  }
}

function keyParams(message: Extract<ViewerMessage, { type: 'key' }>): KeyParams {
  const base = { key: message.key, code: message.code, modifiers: message.modifiers };
  if (message.action === 'up')
    return { type: 'keyUp', ...base, windowsVirtualKeyCode: keyCodeOf(message.key) };
  const special = SPECIAL_KEYS[message.key];
  if (special) {
    return special.text
      ? {
          type: 'keyDown',
          ...base,
          windowsVirtualKeyCode: special.keyCode,
          text: special.text,
          unmodifiedText: special.text,
        }
      : { type: 'rawKeyDown', ...base, windowsVirtualKeyCode: special.keyCode };
  }
  // With Ctrl or Meta held a character key is a shortcut (select all, copy), not typed text.
  const shortcut = (message.modifiers & (CTRL | META)) !== 0;
  if ([...message.key].length !== 1 || shortcut) {
    return { type: 'rawKeyDown', ...base, windowsVirtualKeyCode: keyCodeOf(message.key) };
  }
  return {
    type: 'keyDown',
    ...base,
    windowsVirtualKeyCode: keyCodeOf(message.key),
    text: message.key,
    unmodifiedText: message.key,
  };
}

function keyCodeOf(key: string): number {
  const special = SPECIAL_KEYS[key];
  if (special) return special.keyCode;
  if (/^[a-z]$/i.test(key)) return key.toUpperCase().charCodeAt(0);
  if (/^[0-9]$/.test(key)) return key.charCodeAt(0);
  return 0;
}

function clamp(value: number, max: number): number {
  return Math.min(Math.max(0, value), Math.max(0, max - 1));
}
