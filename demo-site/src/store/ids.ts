import { randomBytes } from 'node:crypto';

export function newId(prefix: 'thr' | 'msg' | 'file' | 'call'): string {
  return `${prefix}_${randomBytes(9).toString('base64url')}`;
}
