import type { RecipeCheckProbes } from '../recipe-schema.ts';

/** The prompts and expectations of each checker row; defaults suit a real chat model. */
export interface CheckProbes {
  /** The model to chat with (default: the first listed). */
  model?: string;
  /** A model that takes images (default: the first listed with vision). */
  visionModel?: string;
  prompt: string;
  /** Text the one-word reply must contain. */
  expected: string;
  /** A prompt whose reply streams for a while (incremental streaming, abort). */
  longPrompt: string;
  memory: { first: string; second: string; word: string };
  systemPrompt: { system: string; text: string; expect: RegExp };
  image: { text: string; expect: RegExp; data: Uint8Array; filename: string; mediaType: string };
  /** Each row gives up (fails) after this long. */
  rowTimeoutMs: number;
}

/** A 16×16 red PNG. */
const RED_PNG = Buffer.from(
  'iVBORw0KGgoAAAANSUhEUgAAABAAAAAQCAIAAACQkWg2AAAACXBIWXMAAAPoAAAD6AG1e1JrAAAAGUlEQVQokWO4IyJCEmIY1SAyGkp3hmvSAAACcQQQe09N1gAAAABJRU5ErkJggg==',
  'base64',
);

export const DEFAULT_PROBES: CheckProbes = {
  prompt: 'Reply with the word PINEAPPLE',
  expected: 'PINEAPPLE',
  longPrompt: 'Count to 40, one number per line.',
  memory: {
    first: 'Please remember KIWI for later. Reply with OK.',
    second: 'What did I ask you to remember? Answer with just the word.',
    word: 'KIWI',
  },
  systemPrompt: {
    system: 'Answer every message with the single word MANGO, whatever it says.',
    text: 'Say hello',
    expect: /mango/i,
  },
  image: {
    text: 'What colour is this image? Answer with one word.',
    expect: /red/i,
    data: new Uint8Array(RED_PNG),
    filename: 'red.png',
    mediaType: 'image/png',
  },
  rowTimeoutMs: 60_000,
};

/** Defaults with a recipe's `check` section applied. */
export function probesFor(
  check: RecipeCheckProbes | undefined,
  base: CheckProbes = DEFAULT_PROBES,
): CheckProbes {
  if (!check) return base;
  return {
    ...base,
    ...(check.model ? { model: check.model } : {}),
    ...(check.visionModel ? { visionModel: check.visionModel } : {}),
    ...(check.longPrompt ? { longPrompt: check.longPrompt } : {}),
    systemPrompt: check.systemPrompt ?? base.systemPrompt,
    image: check.image ? { ...base.image, ...check.image } : base.image,
  };
}
