/**
 * Request fields a Response object repeats back, already in wire shape. The parser builds it from
 * the body so the pipeline only passes it on to the renderer.
 */
export interface ResponsesEcho {
  instructions: string | null;
  /** The tools as the caller sent them, hosted ones included. */
  tools: Record<string, unknown>[];
  tool_choice: unknown;
  parallel_tool_calls: boolean;
  temperature: number | null;
  top_p: number | null;
  max_output_tokens: number | null;
  metadata: Record<string, string>;
  store: boolean;
  previous_response_id: string | null;
  text: { format: Record<string, unknown> };
  reasoning: { effort: string | null; summary: string | null };
  user: string | null;
}
