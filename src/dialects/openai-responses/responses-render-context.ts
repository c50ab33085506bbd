import type { RenderContext } from '../shared/render-context.ts';
import type { ResponsesEcho } from './responses-echo.ts';

export interface ResponsesRenderContext extends RenderContext {
  /** Request fields the Response object repeats (from `parseResponsesRequest(...).echo`). */
  echo: ResponsesEcho;
}
