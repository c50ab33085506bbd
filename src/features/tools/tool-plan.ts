import type { ChatRequest, ToolChoice, ToolDefinition } from '../../core/chat-request.ts';
import { GatewayError } from '../../core/errors.ts';
import type { ModelCapabilities } from '../../site-contract/site.ts';
import type { SchemaDetail } from './compact-schema.ts';
import { renderToolInstructions, type ToolRequirement } from './emulation-prompt.ts';

/**
 * How one request uses tools, decided once before the turn is sent:
 * - `none`: no tools, or `tool_choice: none` (tools hidden from the model entirely);
 * - `native`: the site's model has function calling; tools and choice go to the site as they are;
 * - `emulated`: `instructions` describe the tools and the call format; the pipeline puts them in the
 *   site's system prompt when the model has one, else at the head of the turn, and runs the reply
 *   through the streaming parser.
 */
export interface ToolPlan {
  mode: 'none' | 'native' | 'emulated';
  /** Emulation only: the prompt protocol text. */
  instructions?: string;
  /** Native only: the tools and choice for `SiteTurn.tools` / `SiteTurn.toolChoice`. */
  nativeTools?: ToolDefinition[];
  nativeToolChoice?: ToolChoice;
  /** `required` or a named tool: a reply without a valid call gets one corrective retry. */
  forced: boolean;
  /** Added: the tool a named `tool_choice` forces. */
  forcedToolName?: string;
  /** Added: whether more than one call per reply is allowed (`parallel_tool_calls`). */
  parallel: boolean;
}

export interface ToolPlanOptions {
  /**
   * Most characters the emulation instructions may take; descriptions and schemas are shortened
   * step by step to fit. Default: 40 % of the model's input cap (the rest is the conversation).
   */
  maxInstructionChars?: number;
}

const INSTRUCTION_SHARE = 0.4;
const DETAIL_STEPS: readonly SchemaDetail[] = ['full', 'brief', 'minimal'];

export function planToolUse(
  request: ChatRequest,
  model: ModelCapabilities,
  options: ToolPlanOptions = {},
): ToolPlan {
  const { tools, toolChoice } = request;
  const parallel = request.parallelToolCalls;
  if (tools.length === 0 || toolChoice.type === 'none') return { mode: 'none', forced: false, parallel };

  if (toolChoice.type === 'tool' && !tools.some((tool) => tool.name === toolChoice.name)) {
    throw new GatewayError(
      'invalid_request',
      `tool_choice names "${toolChoice.name}", which is not in tools.`,
      {
        param: 'tool_choice',
      },
    );
  }
  const requirement: ToolRequirement = toolChoice;
  const forced = requirement.type !== 'auto';
  const forcedToolName = requirement.type === 'tool' ? requirement.name : undefined;
  const base = forcedToolName === undefined ? { forced, parallel } : { forced, parallel, forcedToolName };

  if (model.nativeTools) {
    return { mode: 'native', nativeTools: tools.map(asNativeTool), nativeToolChoice: toolChoice, ...base };
  }

  // A named choice lists only that tool: shorter, and the model cannot pick another one.
  const listed = forcedToolName === undefined ? tools : tools.filter((tool) => tool.name === forcedToolName);
  const budget = options.maxInstructionChars ?? Math.floor(model.maxInputChars * INSTRUCTION_SHARE);
  let instructions = '';
  for (const detail of DETAIL_STEPS) {
    instructions = renderToolInstructions(listed, { requirement, parallel, detail });
    if (instructions.length <= budget) break;
  }
  // Still over budget at `minimal`: sent anyway; the pipeline's input-length check decides.
  return { mode: 'emulated', instructions, ...base };
}

/** The free-text argument a custom (grammar/free-form) tool becomes on a site with only function tools. */
export const CUSTOM_TOOL_INPUT_PROPERTY = 'input';

/**
 * Sites with native tools know only JSON-schema functions, so a custom tool (free-text input, such
 * as Codex's `apply_patch`) goes to them as a function taking one string; the transformer unwraps it.
 */
function asNativeTool(tool: ToolDefinition): ToolDefinition {
  if (tool.kind !== 'custom') return tool;
  return {
    ...tool,
    parameters: {
      type: 'object',
      properties: {
        [CUSTOM_TOOL_INPUT_PROPERTY]: { type: 'string', description: 'The raw input for the tool.' },
      },
      required: [CUSTOM_TOOL_INPUT_PROPERTY],
    },
  };
}
