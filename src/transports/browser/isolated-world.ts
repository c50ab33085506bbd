import type { CDPSession } from './browser-library.ts';

/** Sends a CDP command, giving up when `death` rejects (a dead page never answers). */
export type CdpSend = CDPSession['send'];

export interface InstalledScript {
  /** The object the script evaluated to, for `Runtime.callFunctionOn`. */
  objectId: string;
  executionContextId: number;
}

/**
 * Evaluates `source` (an expression that evaluates to a function taking the binding function) in a
 * fresh isolated world of the page's main frame, with a binding scoped to that world. The page's own
 * scripts see neither; `Runtime.enable` is not needed, because a binding added to a known context
 * reports `Runtime.bindingCalled` without it.
 */
export async function installInIsolatedWorld(
  send: CdpSend,
  options: { source: string; worldName: string; bindingName: string },
): Promise<InstalledScript> {
  const { frameTree } = await send('Page.getFrameTree');
  const world = await send('Page.createIsolatedWorld', {
    frameId: frameTree.frame.id,
    worldName: options.worldName,
    grantUniveralAccess: false,
  });
  await send('Runtime.addBinding', {
    name: options.bindingName,
    executionContextId: world.executionContextId,
  });
  const evaluated = await send('Runtime.evaluate', {
    contextId: world.executionContextId,
    expression: `${options.source}(globalThis[${JSON.stringify(options.bindingName)}])`,
    returnByValue: false,
  });
  const objectId = evaluated.result.objectId;
  if (evaluated.exceptionDetails || !objectId) {
    throw new Error(
      `Could not install the page script: ${evaluated.exceptionDetails?.exception?.description ?? 'no object'}`,
    );
  }
  return { objectId, executionContextId: world.executionContextId };
}

/** Whether a CDP error means the document (and its worlds) was replaced. */
export function isStaleContextError(error: unknown): boolean {
  const message = error instanceof Error ? error.message : String(error);
  return /Cannot find context|Could not find object|Execution context was destroyed|Inspected target navigated/i.test(
    message,
  );
}
