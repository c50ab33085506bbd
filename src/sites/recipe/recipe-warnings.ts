import { usedPlaceholders } from './load-recipe.ts';
import type { Recipe } from './recipe-schema.ts';

/**
 * Capabilities a recipe declares but never uses: it loads, but the gateway would drop what callers
 * send (a system prompt, an image, a thread to continue). Pure; the site logs these at load.
 */
export function recipeWarnings(recipe: Recipe): string[] {
  const warnings: string[] = [];
  const send = recipe.api?.send;
  const ui = recipe.ui;
  const sendUses = usedPlaceholders(
    send ? [send.request, send.createThread?.request, send.stream.websocket] : [],
  );
  const sendsConversation = sendUses.has('messages');
  const models = [recipe.capabilities.models, ...(recipe.models ?? []).map((model) => model.capabilities)];

  if (models.some((caps) => caps.systemPrompt === true)) {
    const placed = send ? sendUses.has('systemPrompt') || sendsConversation : Boolean(ui?.systemPrompt);
    if (!placed)
      warnings.push(
        send
          ? 'capabilities say models take a system prompt, but api.send never places {{systemPrompt}} ' +
              '(or {{messages}}): the prompt would be dropped; place it or set systemPrompt: false'
          : 'capabilities say models take a system prompt, but the ui section has no systemPrompt steps',
      );
  }

  if (models.some((caps) => caps.vision === true)) {
    const upload = recipe.api?.upload;
    if (send && upload === undefined && !ui?.attach)
      warnings.push(
        'a model is marked vision, but the recipe has no api.upload (or upload: inline): images cannot be sent',
      );
    if (send && upload === 'inline' && !sendUses.has('files') && !sendsConversation)
      warnings.push(
        'upload: inline, but api.send never places {{files}} or {{messages}}: files would be dropped',
      );
    if (!send && ui && !ui.attach)
      warnings.push('a model is marked vision, but the ui section has no attach');
  }

  if (recipe.capabilities.threads) {
    const continues = send
      ? sendUses.has('threadId') ||
        Boolean(send.createThread) ||
        (send.history === 'local' && sendsConversation)
      : Boolean(ui?.openThread);
    const learnsId = send
      ? Boolean(send.stream.threadId || send.createThread || 'threadId' in send.capture) ||
        send.history === 'local'
      : Boolean(ui?.threadId);
    if (!continues || !learnsId)
      warnings.push(
        'capabilities say threads: true, but the recipe ' +
          (!learnsId ? 'never reads a thread id' : 'never sends {{threadId}}') +
          ': set threads: false, or read and send the thread id',
      );
  }
  return warnings;
}
