/** Function calling: native passthrough, prompt emulation, streaming call parsing, structured output. */
export type { ToolCallProblem, ToolCallProblemKind } from './tool-call-problem.ts';
export { planToolUse, type ToolPlan, type ToolPlanOptions } from './tool-plan.ts';
export {
  createToolCallParser,
  type EmittedToolCall,
  type ToolCallParser,
  type ToolCallParserEndOptions,
  type ToolCallParserOptions,
} from './tool-call-parser.ts';
export {
  createToolEventTransformer,
  type ToolEventTransformer,
  type ToolEventTransformerOptions,
} from './tool-event-transformer.ts';
export { type CorrectionFeedback, correctiveMessage, requiredCallFailure } from './corrective-message.ts';
export {
  DEFAULT_TOOL_RESULT_MAX_CHARS,
  renderToolCallAsText,
  renderToolResultAsText,
  type ToolResultLimits,
} from './render-tool-history.ts';
export {
  planStructuredOutput,
  type StructuredOutputCheck,
  type StructuredOutputPlan,
} from './structured-output.ts';
export { newToolCallId } from './tool-call-id.ts';
