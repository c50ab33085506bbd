/**
 * Why something that looked like a tool call did not become a valid one. Collected by the parser so
 * the pipeline can log it and the corrective retry message can name the actual mistake.
 * - `unparseable`: the tag's body was not a call even after JSON repair (no name, not JSON…).
 * - `unknown-tool`: the name matches no declared tool.
 * - `invalid-arguments`: the call was emitted, but its arguments fail the tool's JSON Schema.
 * - `extra-call`: dropped because `parallel_tool_calls` is false and a call was already emitted.
 * - `truncated`: the reply hit the length limit inside an unclosed call; not executed half-written.
 * - `wrong-tool`: a declared tool other than the one the request forced (counted, not valid).
 * - `invented-result`: after its call(s) the model wrote a `<tool_result>` itself; the rest of the
 *   reply was dropped.
 */
export type ToolCallProblemKind =
  | 'unparseable'
  | 'unknown-tool'
  | 'invalid-arguments'
  | 'extra-call'
  | 'truncated'
  | 'wrong-tool'
  | 'invented-result';

export interface ToolCallProblem {
  kind: ToolCallProblemKind;
  /** The tool name as the model wrote it, when there was one. */
  name?: string;
  detail: string;
}
