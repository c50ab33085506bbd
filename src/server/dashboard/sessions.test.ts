import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { DashboardSessions, readCookie } from './sessions.ts';

function fakeReply() {
  const headers: Record<string, string> = {};
  const reply = {
    header(name: string, value: string) {
      headers[name] = value;
      return reply;
    },
  };
  return { reply: reply as unknown as FastifyReply, headers };
}

test('the cookie is Secure when the request came over https, and never readable by scripts', () => {
  const sessions = new DashboardSessions();
  for (const protocol of ['https', 'http'] as const) {
    const { reply, headers } = fakeReply();
    sessions.start({ protocol, headers: {} } as FastifyRequest, reply);
    const cookie = headers['set-cookie'] ?? '';
    assert.match(cookie, /; Path=\/admin; HttpOnly; SameSite=Strict/);
    assert.equal(cookie.endsWith('; Secure'), protocol === 'https', cookie);
  }
});

test('a session ends at its absolute age even when used all along', () => {
  let now = 0;
  const sessions = new DashboardSessions({ idleMs: 10_000, maxAgeMs: 30_000, now: () => now });
  const { reply, headers } = fakeReply();
  sessions.start({ protocol: 'http', headers: {} } as FastifyRequest, reply);
  const request = {
    headers: { cookie: `other=1; ${(headers['set-cookie'] ?? '').split(';')[0]}` },
  } as FastifyRequest;
  for (now = 5_000; now < 30_000; now += 5_000) assert.ok(sessions.find(request), `alive at ${now}`);
  now = 30_001;
  assert.equal(sessions.find(request), undefined);
  assert.equal(sessions.size, 0);
});

test('cookies are read by exact name', () => {
  assert.equal(readCookie('a=1; wcg_admin=xyz; b=2', 'wcg_admin'), 'xyz');
  assert.equal(readCookie('xwcg_admin=1', 'wcg_admin'), undefined);
  assert.equal(readCookie(undefined, 'wcg_admin'), undefined);
});
