import { GatewayError } from '../../core/errors.ts';
import type { Logger } from '../../core/logger.ts';
import type { Transport, TransportResponse } from '../../transports/transport.ts';
import {
  type ModelCapabilitiesPatch,
  matchesModelPattern,
  resolveCapabilities,
} from '../kit/model-capabilities-config.ts';
import { NeedsLoginError, parseRetryAfter, ThreadNotFoundError } from '../../site-contract/site-errors.ts';
import {
  type ModelCapabilities,
  SITE_INTERFACE_VERSION,
  type SessionState,
  type Site,
  type SiteAttachment,
  type SiteCapabilities,
  type SiteEvent,
  type SiteModel,
  type SiteTurn,
  type UploadInput,
} from '../../site-contract/site.ts';
import { mapPoeSendStatus } from './map-poe-status.ts';
import type { OperationHashes, PoeOperation } from './operation-hashes.ts';
import { PoeChannel } from './poe-channel.ts';
import { buildGqlRequest, poeNonce } from './poe-gql-request.ts';
import {
  channelUrl as defaultChannelUrl,
  isChallengePage,
  type PoePageSecrets,
  type PoePageSecretsProvider,
  type TchannelData,
} from './poe-page-secrets.ts';
import { AvailableBots, type BotNode, GqlResponse, MessageEdgeCreate } from './poe-wire.ts';
import { PoeReplyTranslator } from './translate-poe-frame.ts';

// Longer than 400 lines because it is one adapter class covering Poe's web protocol end to end (GraphQL operations, upload, update channel, stop, threads); translation lives in its own modules.

export interface PoeWebSiteOptions {
  id: string;
  baseUrl: string;
  transport: Transport;
  logger: Logger;
  pageSecrets: PoePageSecretsProvider;
  operations: OperationHashes;
  tagSalt: string;
  include: string[];
  maxBotPages: number;
  defaults: ModelCapabilities;
  overrides: Record<string, ModelCapabilitiesPatch>;
  acceptedMediaTypes: string[];
  maxUploadBytes: number;
  replyIdleMs: number;
  /** The account's proxy, for the update socket (the transport carries the HTTP requests). */
  proxy?: string | undefined;
  /** Where the update socket connects; tests point it at a local server. */
  channelUrl?: (tchannel: TchannelData, secure: boolean) => string;
}

export const POE_WEB_DEFAULT_CAPABILITIES: ModelCapabilities = {
  vision: false,
  files: false,
  nativeTools: false,
  reasoning: false,
  // A Poe chat has no system prompt field; the pipeline writes instructions into the message.
  systemPrompt: false,
  maxInputChars: 100_000,
};

const FILE_PREFIX = 'poe-file:';

/**
 * poe.com driven as its web client does: signed GraphQL persisted queries over HTTP, replies over
 * the account's update WebSocket as whole-message snapshots (turned into deltas), bots as models,
 * chats as threads. Built from the reverse-engineered protocol (see docs/sites.md); the operation
 * hashes rotate and live in operation-hashes.json.
 */
export class PoeWebSite implements Site {
  readonly interfaceVersion = SITE_INTERFACE_VERSION;
  readonly id: string;
  readonly capabilities: SiteCapabilities;
  readonly #options: PoeWebSiteOptions;
  readonly #base: string;
  readonly #channel: PoeChannel;
  #secrets: PoePageSecrets | undefined;
  #loadingSecrets: Promise<PoePageSecrets> | undefined;
  /** handle → bot, from the last listing (the send mutation names the bot's codename). */
  readonly #bots = new Map<string, BotNode>();

  constructor(options: PoeWebSiteOptions) {
    this.id = options.id;
    this.#options = options;
    this.#base = options.baseUrl.replace(/\/+$/, '');
    this.capabilities = {
      threads: true,
      deleteThreads: true,
      uploads: true,
      acceptedMediaTypes: options.acceptedMediaTypes,
      maxUploadBytes: options.maxUploadBytes,
      models: options.defaults,
    };
    this.#channel = new PoeChannel({
      logger: options.logger,
      proxy: options.proxy,
      endpoint: async (fresh, signal) => {
        const secrets = await this.#loadSecrets(signal, fresh);
        const secure = this.#base.startsWith('https:');
        const url = (options.channelUrl ?? defaultChannelUrl)(secrets.tchannel, secure);
        return {
          url,
          headers: { origin: new URL(this.#base).origin, pragma: 'no-cache', 'cache-control': 'no-cache' },
        };
      },
      // The server only pushes what the channel subscribed to.
      afterOpen: async (signal) => {
        await this.#gql('SubscriptionsMutation', { subscriptions: options.operations.subscriptions }, signal);
      },
    });
  }

  async #loadSecrets(signal: AbortSignal, fresh = false): Promise<PoePageSecrets> {
    if (this.#secrets && !fresh) return this.#secrets;
    this.#loadingSecrets ??= this.#options
      .pageSecrets(signal)
      .then((secrets) => {
        this.#secrets = secrets;
        return secrets;
      })
      .finally(() => {
        this.#loadingSecrets = undefined;
      });
    return this.#loadingSecrets;
  }

  #pageHeaders(secrets: PoePageSecrets): Record<string, string> {
    return {
      accept: '*/*',
      origin: new URL(this.#base).origin,
      referer: `${this.#base}/`,
      'poe-formkey': secrets.formkey,
      ...(secrets.revision ? { 'poe-revision': secrets.revision } : {}),
      'poe-tchannel': secrets.tchannel.channel,
    };
  }

  /** One persisted-query call; returns `data` or throws a clear error (outdated hash, session, limits). */
  async #gql(
    name: PoeOperation,
    variables: Record<string, unknown>,
    signal: AbortSignal,
  ): Promise<Record<string, unknown>> {
    const secrets = await this.#loadSecrets(signal);
    const operation = this.#options.operations.operation(name);
    const request = buildGqlRequest(operation, variables, {
      formkey: secrets.formkey,
      revision: secrets.revision,
      channel: secrets.tchannel.channel,
      salt: this.#options.tagSalt,
    });
    const response = await this.#options.transport.fetch(`${this.#base}/api/gql_POST`, {
      method: 'POST',
      headers: { ...this.#pageHeaders(secrets), ...request.headers },
      body: request.body,
      signal,
    });
    const text = await response.text().catch(() => '');
    if (response.status !== 200) throw this.#httpFailure(response, text, name);
    let parsed: ReturnType<typeof GqlResponse.safeParse>;
    try {
      parsed = GqlResponse.safeParse(JSON.parse(text));
    } catch {
      throw new GatewayError('upstream', `Poe answered ${name} with something that is not JSON.`);
    }
    if (!parsed.success) throw new GatewayError('upstream', `Poe answered ${name} in an unknown shape.`);
    const errors = (parsed.data.errors ?? []).map((e) => e.message ?? '').filter((m) => m !== '');
    if (!parsed.data.data) {
      const said = errors.join('; ') || 'no data';
      if (/persisted ?query|PersistedQueryNotFound|unknown (query|operation)/i.test(said)) {
        throw new GatewayError(
          'upstream',
          `Poe no longer knows the ${name} operation (hash ${operation.hash.slice(0, 8)}…, table ${this.#options.operations.version}): update operation-hashes.json (poe-web config: operationHashesPath).`,
        );
      }
      if (/formkey|not logged in|unauthori[sz]ed|login required/i.test(said)) {
        throw new NeedsLoginError(`Poe refused the session for ${name} (${said})`);
      }
      throw new GatewayError('upstream', `Poe failed ${name}: ${said}`);
    }
    return parsed.data.data;
  }

  #httpFailure(response: TransportResponse, text: string, action: string): GatewayError {
    if (isChallengePage(response.status, text)) {
      return new NeedsLoginError(
        'poe.com answered with a Cloudflare challenge; refresh cf_clearance or use the browser transport',
      );
    }
    if (response.status === 401 || response.status === 403) {
      return new NeedsLoginError(
        `Poe refused ${action} (${response.status}): the p-b cookie or the formkey expired`,
      );
    }
    if (response.status === 429) {
      return new GatewayError('rate_limit', `Poe rate-limited ${action}.`, {
        retryAfterSeconds: parseRetryAfter(response.headers.get('retry-after')) ?? 5,
      });
    }
    return new GatewayError('upstream', `Poe failed ${action} (${response.status}).`);
  }

  async listModels(signal: AbortSignal = AbortSignal.timeout(60_000)): Promise<SiteModel[]> {
    const variables: Record<string, unknown> = {
      botSelectorFilter: 'all',
      cursor: null,
      filterCanvasOnlyBots: false,
      includeHomePageBotSelectorFragment: false,
      limit: 10,
    };
    const bots: BotNode[] = [];
    for (let page = 0; page < this.#options.maxBotPages; page++) {
      const parsed = AvailableBots.safeParse(
        await this.#gql('AvailableBotsSelectorModalPaginationQuery', variables, signal),
      );
      if (!parsed.success) throw new GatewayError('upstream', 'The Poe bot list has an unknown shape.');
      const connection = parsed.data.viewer.availableBotsConnection;
      const nodes = connection.edges.map((edge) => edge.node);
      bots.push(...nodes);
      const cursor = connection.pageInfo.endCursor;
      // The reference stops on an empty page; hasNextPage is honoured when the server sends it.
      if (
        nodes.length === 0 ||
        !cursor ||
        connection.pageInfo.hasNextPage === false ||
        cursor === variables.cursor
      )
        break;
      variables.cursor = cursor;
    }
    const { include, defaults, overrides } = this.#options;
    const models: SiteModel[] = [];
    const seen = new Set<string>();
    for (const bot of bots) {
      if (bot.deletionState && bot.deletionState !== 'not_deleted') continue;
      if (seen.has(bot.handle)) continue;
      seen.add(bot.handle);
      if (include.length > 0 && !include.some((p) => matchesModelPattern(bot.handle, p))) continue;
      this.#bots.set(bot.handle, bot);
      const site: ModelCapabilitiesPatch = {};
      if (bot.allowsImageAttachments !== undefined && bot.allowsImageAttachments !== null)
        site.vision = bot.allowsImageAttachments;
      if (bot.supportsFileUpload !== undefined && bot.supportsFileUpload !== null)
        site.files = bot.supportsFileUpload;
      models.push({
        id: bot.handle,
        displayName: bot.displayName?.trim() || bot.handle,
        capabilities: resolveCapabilities(bot.handle, defaults, site, overrides),
      });
    }
    return models;
  }

  /** The name the send mutation wants: the codename when the listing gave one, else the handle lowercased. */
  #botName(model: string): string {
    return this.#bots.get(model)?.nickname || model.toLowerCase().replace(/\s+/g, '');
  }

  async *send(turn: SiteTurn, signal: AbortSignal): AsyncIterable<SiteEvent> {
    await this.#channel.connect(signal);
    const existing = turn.threadId;
    let listener = existing ? this.#channel.listen(existing) : undefined;
    try {
      const jwts = turn.attachments.map(fileHashJwt);
      const bot = this.#botName(turn.model);
      const variables: Record<string, unknown> = {
        chatId: existing ? Number(existing) : null,
        bot,
        query: turn.text,
        shouldFetchChat: !existing,
        source: {
          sourceType: 'chat_input',
          chatInputMetadata: existing
            ? { useVoiceRecord: false }
            : { useVoiceRecord: false, newChatContext: 'home_page_input' },
        },
        clientNonce: poeNonce(),
        sdid: crypto.randomUUID(),
        attachments: jwts.map((_, i) => `file${i}`),
        existingMessageAttachmentsIds: [],
        chatNonce: poeNonce(),
        referencedMessageId: null,
        parameters: null,
        fileHashJwts: jwts,
      };
      let data: Record<string, unknown>;
      try {
        data = await this.#gql('SendMessageMutation', variables, signal);
      } catch (error) {
        if (
          existing &&
          error instanceof GatewayError &&
          /chat.*(not found|does not exist|deleted)/i.test(error.message)
        ) {
          throw new ThreadNotFoundError(existing);
        }
        throw error;
      }
      const edge = MessageEdgeCreate.safeParse(data.messageEdgeCreate);
      if (!edge.success) throw new GatewayError('upstream', 'Poe answered the message in an unknown shape.');
      const refusal = mapPoeSendStatus(edge.data.status, edge.data.statusMessage, turn.model);
      if (refusal) throw refusal;
      const chatId = edge.data.chat ? String(edge.data.chat.chatId) : existing;
      if (!chatId) throw new GatewayError('upstream', 'Poe accepted the message but named no chat.');
      listener ??= this.#channel.listen(chatId);
      yield { type: 'thread', threadId: chatId };
      yield* this.#reply(listener.updates, chatId, signal);
    } finally {
      listener?.stop();
    }
  }

  async *#reply(updates: PoeChannelUpdates, chatId: string, signal: AbortSignal): AsyncIterable<SiteEvent> {
    const translator = new PoeReplyTranslator();
    const idleMs = this.#options.replyIdleMs;
    let timer: NodeJS.Timeout | undefined;
    const arm = () => {
      clearTimeout(timer);
      timer = setTimeout(
        () =>
          updates.fail(
            new GatewayError(
              'timeout',
              `Poe sent nothing about chat ${chatId} for ${Math.round(idleMs / 1000)} s.`,
            ),
          ),
        idleMs,
      );
    };
    const onAbort = () => {
      updates.fail(signal.reason);
      // The socket only watches; stopping the bot is a mutation of its own.
      const messageId = translator.messageId;
      if (messageId) {
        void this.#gql(
          'StopMessage_messageCancel_Mutation',
          { messageId: Number(messageId), textLength: translator.textLength },
          AbortSignal.timeout(5_000),
        ).catch(() => undefined);
      }
    };
    if (signal.aborted) onAbort();
    signal.addEventListener('abort', onAbort, { once: true });
    arm();
    try {
      for await (const update of updates) {
        arm();
        const step = translator.push(update);
        yield* step.events;
        if (step.done) {
          if (translator.rewrites > 0) {
            this.#options.logger.warn(
              { site: this.id, chatId, rewrites: translator.rewrites },
              'Poe rewrote text already streamed',
            );
          }
          return;
        }
      }
      throw new GatewayError('upstream', 'The Poe update channel closed before the reply finished.');
    } finally {
      clearTimeout(timer);
      signal.removeEventListener('abort', onAbort);
    }
  }

  async upload(file: UploadInput, signal: AbortSignal): Promise<SiteAttachment> {
    if (file.data.byteLength > this.#options.maxUploadBytes) {
      throw new GatewayError(
        'request_too_large',
        `The file is ${file.data.byteLength} bytes; this Poe site takes at most ${this.#options.maxUploadBytes}.`,
      );
    }
    if (!this.#options.acceptedMediaTypes.includes(file.mediaType)) {
      throw new GatewayError('invalid_request', `Poe does not take ${file.mediaType} files here.`);
    }
    const secrets = await this.#loadSecrets(signal);
    const form = new FormData();
    form.append(
      'file',
      new Blob([file.data as Uint8Array<ArrayBuffer>], { type: file.mediaType }),
      file.filename,
    );
    // 2026 upload flow (liuyingduo/poe-api-wrapper reverse/api.py @ 4ae9996d `finish_upload`): the
    // file goes to finish_upload_POST and comes back as a `fileHashJwt` the send mutation names.
    // The page also sends an action-log event first; it needs the bot id, which an upload does not
    // know yet, so it is left out (the fork's commits hint Poe may check it: unverified).
    const response = await this.#options.transport.fetch(`${this.#base}/api/finish_upload_POST`, {
      method: 'POST',
      headers: this.#pageHeaders(secrets),
      body: form,
      signal,
    });
    const text = await response.text().catch(() => '');
    if (response.status !== 200) throw this.#httpFailure(response, text, 'the upload');
    const jwt = extractJwt(text);
    if (!jwt) throw new GatewayError('upstream', 'Poe accepted the upload but returned no file token.');
    return { fileId: FILE_PREFIX + jwt, mediaType: file.mediaType, filename: file.filename };
  }

  async deleteThread(threadId: string, signal: AbortSignal): Promise<void> {
    try {
      await this.#gql('DeleteChat', { chatId: Number(threadId) }, signal);
    } catch (error) {
      // Already gone is what deleting wanted.
      if (error instanceof GatewayError && /not found|does not exist/i.test(error.message)) return;
      throw error;
    }
  }

  async checkSession(signal: AbortSignal): Promise<SessionState> {
    try {
      const data = await this.#gql('SettingsPageQuery', {}, signal);
      const viewer = data.viewer as { poeUser?: { handle?: string } } | null | undefined;
      if (!viewer) return { state: 'needs-login', reason: 'Poe sees no logged-in viewer' };
      return { state: 'ok', ...(viewer.poeUser?.handle ? { user: viewer.poeUser.handle } : {}) };
    } catch (error) {
      if (error instanceof NeedsLoginError) {
        return /challenge/i.test(error.message)
          ? { state: 'challenge', reason: error.message }
          : { state: 'needs-login', reason: error.message };
      }
      throw error;
    }
  }

  async login(signal: AbortSignal): Promise<void> {
    // Cookies are the login; this re-reads the page secrets and proves the session works.
    await this.#loadSecrets(signal, true);
    const state = await this.checkSession(signal);
    if (state.state !== 'ok') throw new NeedsLoginError(state.reason);
  }

  async close(): Promise<void> {
    this.#channel.close();
    await this.#options.transport.close();
  }
}

type PoeChannelUpdates = ReturnType<PoeChannel['listen']>['updates'];

function fileHashJwt(attachment: SiteAttachment): string {
  if (!attachment.fileId.startsWith(FILE_PREFIX)) {
    throw new GatewayError('invalid_request', 'This attachment was not uploaded to Poe.', {
      param: 'attachments',
    });
  }
  return attachment.fileId.slice(FILE_PREFIX.length);
}

const JWT = /^[A-Za-z0-9_=-]+\.[A-Za-z0-9_=-]+\.[A-Za-z0-9_=-]+$/;

/** finish_upload_POST answers the JWT bare, quoted, or inside JSON (`fileHashJwt`, `jwt`, `token`). */
export function extractJwt(text: string): string | undefined {
  const bare = text.trim().replace(/^"|"$/g, '');
  if (JWT.test(bare)) return bare;
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    return undefined;
  }
  const seen: unknown[] = [parsed];
  while (seen.length > 0) {
    const value = seen.shift();
    if (typeof value === 'string' && JWT.test(value)) return value;
    if (Array.isArray(value)) seen.push(...value);
    else if (value && typeof value === 'object') {
      const record = value as Record<string, unknown>;
      for (const key of ['fileHashJwt', 'file_hash_jwt', 'jwt', 'token'])
        if (key in record) seen.unshift(record[key]);
      seen.push(...Object.values(record));
    }
  }
  return undefined;
}
