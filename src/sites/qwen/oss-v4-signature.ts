import { createHash, createHmac } from 'node:crypto';

/**
 * Aliyun OSS "V4 signature in the Authorization header", as documented by Alibaba Cloud
 * (help: oss/developer-reference/recommend-to-use-signature-version-4) and used by chat.qwen.ai's
 * uploads with temporary STS credentials (xtekky/gpt4free g4f/Provider/Qwen.py @ 079a5fd2):
 *
 *   CanonicalRequest = VERB \n /bucket/object \n query \n CanonicalHeaders \n AdditionalHeaders \n UNSIGNED-PAYLOAD
 *   StringToSign     = OSS4-HMAC-SHA256 \n <yyyyMMddTHHmmssZ> \n <yyyyMMdd>/<region>/oss/aliyun_v4_request \n hex(sha256(CanonicalRequest))
 *   SigningKey       = HMAC(HMAC(HMAC(HMAC("aliyun_v4" + secret, yyyyMMdd), region), "oss"), "aliyun_v4_request")
 *
 * Signed headers are `content-type`, `content-md5` and every `x-oss-*` header (always signed, so
 * `AdditionalHeaders` stays empty). The payload is not hashed (`UNSIGNED-PAYLOAD`).
 */
export interface OssSigningInput {
  method: string;
  bucket: string;
  /** Object key, without a leading slash. */
  objectKey: string;
  /** Region id as in `oss-ap-southeast-1` or `ap-southeast-1`. */
  region: string;
  accessKeyId: string;
  accessKeySecret: string;
  securityToken: string;
  contentType: string;
  now: Date;
}

export function signOssRequest(input: OssSigningInput): Record<string, string> {
  const stamp = input.now
    .toISOString()
    .replace(/[-:]/g, '')
    .replace(/\.\d{3}/, '');
  const day = stamp.slice(0, 8);
  const region = input.region.replace(/^oss-/, '');
  const headers: Record<string, string> = {
    'content-type': input.contentType,
    'x-oss-content-sha256': 'UNSIGNED-PAYLOAD',
    'x-oss-date': stamp,
    'x-oss-security-token': input.securityToken,
  };
  const canonicalHeaders = Object.keys(headers)
    .sort()
    .map((name) => `${name}:${(headers[name] ?? '').trim()}\n`)
    .join('');
  const canonicalRequest = [
    input.method.toUpperCase(),
    `/${input.bucket}/${encodeObjectKey(input.objectKey)}`,
    '',
    canonicalHeaders,
    '',
    'UNSIGNED-PAYLOAD',
  ].join('\n');
  const scope = `${day}/${region}/oss/aliyun_v4_request`;
  const stringToSign = ['OSS4-HMAC-SHA256', stamp, scope, sha256Hex(canonicalRequest)].join('\n');
  let key: Buffer = hmac(`aliyun_v4${input.accessKeySecret}`, day);
  for (const part of [region, 'oss', 'aliyun_v4_request']) key = hmac(key, part);
  const signature = createHmac('sha256', key).update(stringToSign, 'utf8').digest('hex');
  return {
    ...headers,
    authorization: `OSS4-HMAC-SHA256 Credential=${input.accessKeyId}/${scope},Signature=${signature}`,
  };
}

/** RFC 3986 encoding of each path segment; `/` separators stay. */
export function encodeObjectKey(key: string): string {
  return key
    .split('/')
    .map((segment) =>
      encodeURIComponent(segment).replace(
        /[!'()*]/g,
        (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`,
      ),
    )
    .join('/');
}

function hmac(key: string | Buffer, data: string): Buffer {
  return createHmac('sha256', key).update(data, 'utf8').digest();
}

function sha256Hex(text: string): string {
  return createHash('sha256').update(text, 'utf8').digest('hex');
}
