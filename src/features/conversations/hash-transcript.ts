import { createHash } from 'node:crypto';
import type { ChatMessage, ContentPart, MediaPart, Role, ToolDefinition } from '../../core/chat-request.ts';
import { canonicalJson } from './canonical-json.ts';

/** Who is talking to what: a transcript only ever matches within the same scope. */
export interface TranscriptScope {
  /** The caller's API key id (principal). */
  keyId: string;
  siteId: string;
  /** The site's model id (after alias resolution, so two aliases of one model share threads). */
  model: string;
}

export interface Transcript {
  system?: string;
  tools: ToolDefinition[];
  messages: ChatMessage[];
}

/** Bumped whenever the canonical form changes; old mappings then simply stop matching. */
const FORMAT_VERSION = 1;

/**
 * SHA-256 (hex) of the canonical form of a transcript prefix, scoped to key, site and model.
 * See README.md "Transcript hash" for what is in and out and why.
 */
export function hashTranscript(scope: TranscriptScope, transcript: Transcript): string {
  return createHash('sha256').update(canonicalTranscript(scope, transcript)).digest('hex');
}

/** The exact text that is hashed; exported for tests and for debugging a mismatch. */
export function canonicalTranscript(scope: TranscriptScope, transcript: Transcript): string {
  return canonicalJson({
    v: FORMAT_VERSION,
    scope: { keyId: scope.keyId, siteId: scope.siteId, model: scope.model },
    system: (transcript.system ?? '').trim(),
    tools: canonicalTools(transcript.tools),
    messages: mergeSameRole(transcript.messages).map(canonicalMessage),
  });
}

/** Hex SHA-256 of media bytes; shared with the flattener's attachment references. */
export function sha256Hex(data: Uint8Array): string {
  return createHash('sha256').update(data).digest('hex');
}

function canonicalTools(tools: ToolDefinition[]): unknown[] {
  // Order-insensitive: some clients rebuild their tool list from a map between turns.
  return [...tools]
    .sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0))
    .map((tool) => ({
      name: tool.name,
      kind: tool.kind,
      description: (tool.description ?? '').trim(),
      parameters: tool.parameters ?? null,
      strict: tool.strict ?? null,
    }));
}

/**
 * Dialects split one answer differently (a Responses `message` item plus separate
 * `function_call` items, OpenAI `content` plus `tool_calls`), so consecutive messages of one role
 * count as one message.
 */
function mergeSameRole(messages: ChatMessage[]): ChatMessage[] {
  const merged: ChatMessage[] = [];
  for (const message of messages) {
    const last = merged[merged.length - 1];
    if (last !== undefined && last.role === message.role) {
      merged[merged.length - 1] = { role: last.role, content: [...last.content, ...message.content] };
    } else {
      merged.push(message);
    }
  }
  return merged;
}

interface CanonicalMessage {
  role: Role;
  text: string;
  media: unknown[];
  calls: unknown[];
  results: unknown[];
}

/**
 * Groups parts by kind instead of keeping their interleaving: OpenAI Chat cannot express text
 * after a tool call, so an answer comes back from the client with its parts reordered.
 */
function canonicalMessage(message: ChatMessage): CanonicalMessage {
  const canonical: CanonicalMessage = { role: message.role, text: '', media: [], calls: [], results: [] };
  for (const part of message.content) addPart(canonical, part);
  // Clients often trim the answer they store; whitespace at the edges carries no meaning.
  canonical.text = canonical.text.trim();
  return canonical;
}

function addPart(canonical: CanonicalMessage, part: ContentPart): void {
  switch (part.type) {
    case 'text':
      canonical.text += part.text;
      return;
    case 'image':
    case 'file':
      canonical.media.push(mediaIdentity(part));
      return;
    case 'tool-call':
      canonical.calls.push({
        id: part.id,
        name: part.name,
        kind: part.kind,
        arguments: canonicalArguments(part.arguments),
      });
      return;
    case 'tool-result':
      // The name is left out: Anthropic does not send it back, so it is resolved, not echoed.
      canonical.results.push({ id: part.toolCallId, content: part.content.trim(), isError: part.isError });
      return;
    case 'reasoning':
      // Left out: many clients drop reasoning when they resend history, and the site thread
      // does not need it to continue.
      return;
  }
}

/**
 * Media count by their bytes, so an inline data URL and the same bytes already decoded by the
 * attachments stage hash alike; only a remote URL that was never fetched counts by its address.
 */
function mediaIdentity(part: MediaPart): unknown {
  const bytes = part.data ?? decodeDataUrl(part.url);
  if (bytes !== undefined) return { type: part.type, sha256: sha256Hex(bytes) };
  return { type: part.type, url: part.url ?? null };
}

function decodeDataUrl(url: string | undefined): Uint8Array | undefined {
  const match = url === undefined ? null : /^data:[^,]*;base64,/i.exec(url);
  if (match === null || url === undefined) return undefined;
  return new Uint8Array(Buffer.from(url.slice(match[0].length), 'base64'));
}

/** JSON arguments are compared by value: SDKs re-serialize them with other spacing or key order. */
function canonicalArguments(text: string): string {
  try {
    return canonicalJson(JSON.parse(text));
  } catch {
    return text.trim();
  }
}
