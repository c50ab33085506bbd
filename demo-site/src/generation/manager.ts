import type { FastifyBaseLogger } from 'fastify';
import { Generation, type GenerationEnd, type GenerationPlan } from './generation.ts';

// Finished generations stay subscribable (full replay) until this many newer ones push them out.
const FINISHED_KEPT = 500;

export interface GenerationHooks {
  onEnd(generation: Generation, end: GenerationEnd): void;
}

/** Runs generations and finds them again by message id, for stop and late WebSocket subscribers. */
export class GenerationManager {
  private readonly byMessage = new Map<string, Generation>();

  constructor(
    private readonly hooks: GenerationHooks,
    private readonly log: FastifyBaseLogger,
  ) {}

  start(plan: GenerationPlan): Generation {
    const generation = new Generation(plan);
    this.byMessage.set(generation.messageId, generation);
    this.prune();
    generation.run().then(
      (end) => this.hooks.onEnd(generation, end),
      (error: unknown) =>
        this.log.error({ err: error, messageId: generation.messageId }, 'generation failed'),
    );
    return generation;
  }

  get(owner: string, messageId: string): Generation | undefined {
    const generation = this.byMessage.get(messageId);
    return generation?.owner === owner ? generation : undefined;
  }

  activeFor(owner: string): number {
    return this.active().filter((g) => g.owner === owner).length;
  }

  threadBusy(threadId: string): boolean {
    return this.active().some((g) => g.threadId === threadId);
  }

  activeCount(): number {
    return this.active().length;
  }

  stopThread(threadId: string): void {
    for (const generation of this.active()) if (generation.threadId === threadId) generation.stop('stop');
  }

  async stopAll(): Promise<void> {
    const running = this.active();
    for (const generation of running) generation.stop('shutdown');
    await Promise.all(running.map((g) => g.ended));
  }

  private active(): Generation[] {
    return [...this.byMessage.values()].filter((g) => !g.finished);
  }

  private prune(): void {
    const finished = [...this.byMessage.values()].filter((g) => g.finished);
    for (const generation of finished.slice(0, Math.max(0, finished.length - FINISHED_KEPT))) {
      this.byMessage.delete(generation.messageId);
    }
  }
}
