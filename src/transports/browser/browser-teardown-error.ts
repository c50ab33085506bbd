/**
 * Whether a rejection nobody awaited is the browser library's own call failing because its page,
 * context or browser went away (a crashed renderer, a closed page). patchright-core starts some
 * page set-up calls without awaiting them (e.g. `Network.setCacheDisabled` when a page is created),
 * so a renderer that crashes at that moment rejects a promise no caller holds. Those are noise; any
 * other unhandled rejection is a bug and must still end the process.
 */
export function isBrowserTeardownError(reason: unknown): boolean {
  if (!(reason instanceof Error)) return false;
  return (
    /^Protocol error \([\w.]+\): (Page crashed|Target closed|Session closed)/.test(reason.message) ||
    /Target page, context or browser has been closed/.test(reason.message)
  );
}
