import { GatewayError } from '../../core/errors.ts';
import { NeedsLoginError, parseRetryAfter, ThreadNotFoundError } from '../../site-contract/site-errors.ts';
import { QwenErrorBody } from './qwen-wire.ts';

export interface QwenFailure {
  status: number;
  body: string;
  retryAfter?: string | null;
  action: string;
  /** Set when the request targeted an existing chat (a missing chat then means the thread is gone). */
  chatId?: string;
}

/** Signs of Aliyun's WAF answering instead of the app (gpt4free Qwen.py; Qwen2API README). */
const WAF = /aliyun_waf|FAIL_SYS_USER_VALIDATE|_waf_|captcha/i;

/**
 * Qwen Chat's failures → gateway errors. The site answers errors as HTTP statuses, as
 * `{success:false, data:{code, details}}` JSON even with status 200, or as `{error:{code, details}}`
 * inside the stream; a WAF block is an HTML page.
 */
export function mapQwenError(failure: QwenFailure): GatewayError {
  const { code, details } = parseQwenError(failure.body);
  if (WAF.test(failure.body) && !code) {
    return new NeedsLoginError(
      'Qwen Chat answered with an anti-bot (Aliyun WAF) check; log in through the browser transport, or paste fresh ssxmod_itna cookies',
    );
  }
  return mapQwenCode(code, details, failure);
}

export function mapQwenCode(
  code: string | undefined,
  details: string | undefined,
  failure: Pick<QwenFailure, 'status' | 'action' | 'chatId' | 'retryAfter'>,
): GatewayError {
  const detail = `Qwen Chat refused to ${failure.action} (${code ?? failure.status})${details ? `: ${details}` : '.'}`;
  const normalized = (code ?? '').toLowerCase();
  if (
    failure.status === 401 ||
    /^(unauthorized|invalid_?token|token_?expired|login_?required|not_?login)$/.test(normalized)
  ) {
    return new NeedsLoginError('Qwen Chat rejected the session token');
  }
  if (failure.status === 429 || normalized.includes('ratelimit') || normalized.includes('rate_limit')) {
    return new GatewayError('rate_limit', detail, {
      retryAfterSeconds: parseRetryAfter(failure.retryAfter) ?? 30,
    });
  }
  if (normalized.includes('not_found') || normalized === 'notfound' || failure.status === 404) {
    return failure.chatId ? new ThreadNotFoundError(failure.chatId) : new GatewayError('not_found', detail);
  }
  if (
    normalized.includes('too_long') ||
    normalized.includes('context') ||
    /too long|exceed/i.test(details ?? '')
  ) {
    return new GatewayError('context_length_exceeded', detail);
  }
  if (normalized === 'bad_request' || failure.status === 400)
    return new GatewayError('invalid_request', detail);
  if (failure.status === 403) return new GatewayError('permission', detail);
  return new GatewayError('upstream', detail);
}

export function parseQwenError(body: string): { code: string | undefined; details: string | undefined } {
  try {
    const parsed = QwenErrorBody.safeParse(JSON.parse(body));
    if (!parsed.success) return { code: undefined, details: undefined };
    const source = parsed.data.error ?? parsed.data.data;
    return { code: source?.code, details: source?.details };
  } catch {
    return { code: undefined, details: undefined };
  }
}
