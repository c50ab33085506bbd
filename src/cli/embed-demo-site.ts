import { startDemoSite } from '../../demo-site/src/index.ts';
import type { EmbedDemoSite } from '../sites/kit/site-descriptor.ts';

/** The demo chat site started in the gateway's process: the default target of a fresh install. */
export const embedDemoSite: EmbedDemoSite = async ({ host, port }) => {
  const demo = await startDemoSite({ host, port });
  return { url: demo.url, close: () => demo.close() };
};
