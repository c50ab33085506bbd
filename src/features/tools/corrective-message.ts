import type { ChatRequest, ToolDefinition } from '../../core/chat-request.ts';
import { compactSchema } from './compact-schema.ts';
import type { ToolCallProblem } from './tool-call-problem.ts';
import type { ToolPlan } from './tool-plan.ts';

/**
 * The text of the single corrective retry, sent into the same thread when a forced tool choice
 * (`required` or a named tool) produced no valid call. It names what went wrong when the parser
 * knows (pass the transformer as `feedback`) and restates only what is needed to get it right.
 */
export interface CorrectionFeedback {
  readonly problems: readonly ToolCallProblem[];
  readonly narratedToolNames: readonly string[];
}

const MAX_PROBLEMS_SHOWN = 3;
const MAX_TOOL_NAMES_SHOWN = 40;

export function correctiveMessage(
  plan: ToolPlan,
  tools: readonly ToolDefinition[],
  request: ChatRequest,
  feedback?: CorrectionFeedback,
): string {
  const named =
    plan.forcedToolName ?? (request.toolChoice.type === 'tool' ? request.toolChoice.name : undefined);
  const namedTool = named === undefined ? undefined : tools.find((tool) => tool.name === named);
  const lines: string[] = [];
  lines.push(
    named === undefined
      ? 'Your previous reply did not make a valid tool call, but this request requires at least one tool call.'
      : `Your previous reply did not make a valid call to the tool "${named}", which this request requires.`,
  );
  for (const problem of (feedback?.problems ?? []).slice(0, MAX_PROBLEMS_SHOWN))
    lines.push(`Problem: ${describe(problem)}`);
  if (feedback !== undefined && feedback.narratedToolNames.length > 0) {
    lines.push('You described a call in words; that does not run the tool. Make the call itself.');
  }
  if (plan.mode !== 'emulated') {
    lines.push(named === undefined ? 'Call one of the tools now.' : `Call "${named}" now.`);
    return lines.join('\n');
  }
  lines.push('Reply now with only the call, in exactly this format:');
  if (namedTool !== undefined) {
    lines.push(formatLine(namedTool));
    if (namedTool.kind === 'function' && namedTool.parameters !== undefined) {
      lines.push(
        `Parameters of "${namedTool.name}": ${JSON.stringify(compactSchema(namedTool.parameters, 'brief'))}`,
      );
    }
  } else {
    lines.push('<tool_call>{"name": "TOOL_NAME", "arguments": {ARGUMENTS}}</tool_call>');
    const names = tools.slice(0, MAX_TOOL_NAMES_SHOWN).map((tool) => tool.name);
    const more = tools.length > names.length ? `, … (${tools.length - names.length} more)` : '';
    lines.push(`Available tools: ${names.join(', ')}${more}`);
  }
  return lines.join('\n');
}

function formatLine(tool: ToolDefinition): string {
  return tool.kind === 'custom'
    ? `<tool_call name="${tool.name}">INPUT</tool_call>`
    : `<tool_call>{"name": "${tool.name}", "arguments": {ARGUMENTS}}</tool_call>`;
}

function describe(problem: ToolCallProblem): string {
  const name = problem.name === undefined ? '' : ` "${problem.name}"`;
  switch (problem.kind) {
    case 'unknown-tool':
      return `there is no tool${name}; use one of the listed names exactly.`;
    case 'invalid-arguments':
      return `the arguments for${name} do not match its schema: ${problem.detail}.`;
    case 'unparseable':
      return `a <tool_call> block could not be read (${problem.detail}); write one JSON object with "name" and "arguments".`;
    case 'truncated':
      return 'the reply was cut off inside the call; keep the call short.';
    case 'wrong-tool':
      return `the call to${name} is not the required tool.`;
    case 'extra-call':
      return 'make exactly one call.';
    case 'invented-result':
      return 'after a call, stop; never write a <tool_result> yourself.';
  }
}

/**
 * Why a forced tool choice failed after its retry, for the caller's error: it names the call the
 * model did make and what was wrong with it, not just that a valid one is missing.
 */
export function requiredCallFailure(feedback: CorrectionFeedback): string {
  const problem = feedback.problems[0];
  if (problem === undefined) {
    const narrated = feedback.narratedToolNames[0];
    return narrated === undefined
      ? 'the model did not make the required tool call'
      : `the model described a call to "${narrated}" in words instead of making the required tool call`;
  }
  const name = problem.name === undefined ? 'a tool' : `"${problem.name}"`;
  switch (problem.kind) {
    case 'invalid-arguments':
      return `the model called ${name} with arguments that do not match its schema: ${problem.detail}`;
    case 'unknown-tool':
      return `the model called ${name}, which is not one of the request's tools`;
    case 'unparseable':
      return `the model's tool call could not be read (${problem.detail})`;
    case 'truncated':
      return `the model's reply was cut off inside its call to ${name}`;
    case 'wrong-tool':
      return `the model called ${name} instead of the required tool`;
    case 'extra-call':
      return 'the model made more calls than the request allows';
    case 'invented-result':
      return `the model wrote a result for ${name} itself instead of stopping after the call`;
  }
}
