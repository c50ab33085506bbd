import type { RenderContext } from '../shared/render-context.ts';

export interface ChatCompletionsRenderContext extends RenderContext {
  /** `stream_options.include_usage`: every chunk gets `usage: null`, then one usage chunk at the end. */
  includeUsage: boolean;
}
