import { z } from 'zod';
import { PROXY_URL_FORMS, parseProxyUrl } from '../../transports/proxy.ts';

export { maskProxyUrl } from '../../transports/proxy.ts';

/**
 * An account's proxy URL: `http://`, `https://`, `socks5://` or `socks5h://`, optionally with
 * `user:password@` (percent-encode `@`, `:` and `/` in them), then `host:port`. Anything else is
 * refused with a message naming the accepted forms. Show it with `maskProxyUrl`, never as is.
 */
export const ProxyUrlSchema = z
  .string({ error: `A proxy is a URL string: ${PROXY_URL_FORMS}.` })
  .trim()
  .superRefine((value, context) => {
    try {
      parseProxyUrl(value);
    } catch (error) {
      context.addIssue({ code: 'custom', message: (error as Error).message });
    }
  });
