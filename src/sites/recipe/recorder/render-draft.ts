import { Document, isMap, isScalar, type Node, type Pair, type Scalar, type YAMLMap } from 'yaml';
import { RECIPE_FORMAT_VERSION } from '../recipe-schema.ts';
import type { ApiDraft, ReviewNote } from './draft-api.ts';
import type { UiDraft } from './draft-ui.ts';

export interface RenderedDraft {
  yaml: string;
  /** How many `# REVIEW:` marks the draft carries. */
  reviews: number;
  findings: string[];
}

/** The drafted recipe as YAML, every guess marked `# REVIEW:` above the key it concerns. */
export function renderDraft(
  api: ApiDraft,
  ui: UiDraft,
  source: { url: string; recordedAt: Date },
): RenderedDraft {
  const host = new URL(source.url).host;
  const recipe: Record<string, unknown> = {
    recipe: RECIPE_FORMAT_VERSION,
    name: `${host} (recorded)`,
    baseUrl: api.baseUrl,
    ...(api.models ? { models: api.models } : {}),
    ...(Object.keys(api.api).length > 0 ? { api: api.api } : {}),
    ...(ui.ui ? { ui: ui.ui } : {}),
  };
  const document = new Document(recipe);
  const notes: ReviewNote[] = [...api.reviews, ...ui.reviews];
  for (const note of notes) attachReview(document, note);
  document.commentBefore = [
    ` Drafted by \`webchat-gateway record ${source.url}\` on ${source.recordedAt.toISOString().slice(0, 10)}.`,
    ' Every guess is marked REVIEW: check each one, then run `webchat-gateway check <this file>`.',
    ' Format: docs/recipes.md.',
  ].join('\n');
  return {
    yaml: document.toString({ lineWidth: 0 }),
    reviews: notes.length,
    findings: [...api.findings, ...ui.findings],
  };
}

/** Puts the note above the deepest key of its path that exists in the document. */
function attachReview(document: Document, note: ReviewNote): void {
  let map: unknown = document.contents;
  let target: Pair<unknown, unknown> | undefined;
  for (const segment of note.path) {
    if (!isMap(map)) break;
    const pair = (map as YAMLMap<unknown, unknown>).items.find(
      (item) => isScalar(item.key) && String(item.key.value) === String(segment),
    );
    if (!pair) break;
    target = pair;
    map = pair.value;
  }
  const key = target?.key as Scalar | undefined;
  const holder: Node | undefined = key ?? (document.contents as Node | undefined) ?? undefined;
  if (!holder) return;
  const line = ` REVIEW: ${note.note}`;
  holder.commentBefore = holder.commentBefore ? `${holder.commentBefore}\n${line}` : line;
}
