import { type CheckProbes, DEFAULT_PROBES } from './check-probes.ts';

/**
 * Probes for the built-in demo site. It answers from a script, not a model: it cannot obey a system
 * prompt or see an image, but it proves it received them by echoing their hashes in the reply's first
 * line (demo-site/CONTRACT.md, "Reply contract").
 */
export const DEMO_SITE_PROBES: CheckProbes = {
  ...DEFAULT_PROBES,
  model: 'slow-1',
  visionModel: 'vision-1',
  longPrompt: 'tell me a long story',
  systemPrompt: { ...DEFAULT_PROBES.systemPrompt, expect: /system=[0-9a-f]{12}/ },
  image: { ...DEFAULT_PROBES.image, expect: /attachments=1 sha256=[0-9a-f]{64}/ },
};
