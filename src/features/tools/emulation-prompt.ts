import type { ToolDefinition } from '../../core/chat-request.ts';
import { clipText, compactSchema, type SchemaDetail } from './compact-schema.ts';

/**
 * The prompt protocol that teaches a model without native function calling to call tools: a
 * strict, tag-delimited format and a compact list of the tools. Short on purpose (sites cap the
 * input) and literal on purpose (the demo site's text models key on the `<tool_call>` tag).
 */
export type ToolRequirement = { type: 'auto' } | { type: 'required' } | { type: 'tool'; name: string };

export interface ToolInstructionOptions {
  requirement: ToolRequirement;
  parallel: boolean;
  detail: SchemaDetail;
}

const TOOL_DESCRIPTION_CHARS: Record<SchemaDetail, number> = {
  full: Number.POSITIVE_INFINITY,
  brief: 600,
  minimal: 120,
};

export function renderToolInstructions(
  tools: readonly ToolDefinition[],
  options: ToolInstructionOptions,
): string {
  const { requirement, parallel, detail } = options;
  const hasFunction = tools.some((tool) => tool.kind === 'function');
  const hasCustom = tools.some((tool) => tool.kind === 'custom');
  const lines = ['# Tools', 'You can call the tools listed below. To call one, write exactly:'];
  if (hasFunction) lines.push('<tool_call>{"name": "TOOL_NAME", "arguments": {ARGUMENTS}}</tool_call>');
  if (hasCustom)
    lines.push('<tool_call name="TOOL_NAME">FREE TEXT INPUT</tool_call>   (for free-text tools)');
  lines.push('Rules:');
  if (hasFunction) lines.push('- "arguments" is one JSON object that matches the tool\'s parameters schema.');
  lines.push(
    parallel
      ? '- For several calls, write one <tool_call> block per call.'
      : '- Make at most one tool call per reply.',
  );
  lines.push(
    '- After your <tool_call> block(s), stop. Results come back in the next message inside <tool_result> tags; never write <tool_result> yourself or guess a result.',
  );
  lines.push('- Write the call itself, not a description of it, and not inside a code block.');
  if (requirement.type === 'auto') {
    lines.push('- Call a tool only when it helps; otherwise answer normally, without tags.');
  } else if (requirement.type === 'required') {
    lines.push('- In this reply you MUST call at least one tool.');
  } else {
    lines.push(`- In this reply you MUST call the tool "${requirement.name}".`);
  }
  lines.push('', 'Available tools:');
  for (const tool of tools) lines.push(...describeTool(tool, detail));
  return lines.join('\n');
}

function describeTool(tool: ToolDefinition, detail: SchemaDetail): string[] {
  const description =
    tool.description === undefined ? '' : clipText(tool.description, TOOL_DESCRIPTION_CHARS[detail]);
  const head = description === '' ? `## ${tool.name}` : `## ${tool.name}\n${description}`;
  if (tool.kind === 'custom') {
    return [head, `Input: free text. Call: <tool_call name="${tool.name}">INPUT</tool_call>`];
  }
  const parameters = tool.parameters ?? { type: 'object', properties: {} };
  return [head, `Parameters: ${JSON.stringify(compactSchema(parameters, detail))}`];
}
