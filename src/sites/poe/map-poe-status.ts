import { GatewayError } from '../../core/errors.ts';

/**
 * `messageEdgeCreate.status` of the send mutation → the error a client should see, or undefined for
 * `success`. Statuses as the reference clients handle them (liuyingduo/poe-api-wrapper
 * reverse/api.py @ 4ae9996d `send_message`; snowby666 api.py): they retry `rate_limit_exceeded`
 * and `concurrent_messages` after 4-6 s, and report the rest with Poe's `statusMessage`.
 */
export function mapPoeSendStatus(
  status: string,
  statusMessage: string | null | undefined,
  bot: string,
): GatewayError | undefined {
  const said = statusMessage?.trim() ? ` Poe says: ${statusMessage.trim()}` : '';
  switch (status) {
    case 'success':
      return undefined;
    case 'reached_limit':
      return new GatewayError(
        'rate_limit',
        `The daily limit for ${bot} on this Poe account is reached.${said}`,
        {
          retryAfterSeconds: secondsUntilReset(statusMessage),
        },
      );
    case 'rate_limit_exceeded':
      return new GatewayError('rate_limit', `Poe rate-limited this account.${said}`, {
        retryAfterSeconds: 5,
      });
    case 'concurrent_messages':
      return new GatewayError(
        'rate_limit',
        `Another message is still being answered on this Poe account.${said}`,
        {
          retryAfterSeconds: 5,
        },
      );
    case 'no_access':
      return new GatewayError('permission', `This Poe account has no access to ${bot}.${said}`);
    case 'too_many_tokens':
      return new GatewayError('context_length_exceeded', `The message is too long for ${bot}.${said}`);
    case 'unsupported_file_type':
      return new GatewayError('invalid_request', `${bot} does not take this file type.${said}`);
    default:
      return new GatewayError('upstream', `Poe refused the message (${status}).${said}`);
  }
}

/**
 * The reset time, when Poe's message names one: "… in 3 hours", "… in 45 minutes", or an ISO date.
 * Poe documents no field for it, so nothing is guessed when the message says nothing.
 */
export function secondsUntilReset(
  message: string | null | undefined,
  now: Date = new Date(),
): number | undefined {
  if (!message) return undefined;
  const relative = /in (\d+) ?(second|minute|hour|day)s?/i.exec(message);
  if (relative?.[1] && relative[2]) {
    const unit = { second: 1, minute: 60, hour: 3600, day: 86400 }[relative[2].toLowerCase() as 'second'];
    return Number(relative[1]) * unit;
  }
  const iso = /\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(?::\d{2})?(?:\.\d+)?(?:Z|[+-]\d{2}:?\d{2})/.exec(message)?.[0];
  if (iso) {
    const at = Date.parse(iso);
    if (Number.isFinite(at)) return Math.max(0, Math.ceil((at - now.getTime()) / 1000));
  }
  return undefined;
}
