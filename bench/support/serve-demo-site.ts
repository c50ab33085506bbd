// The demo site alone in its own process, tuned for load (no rate limit, high concurrency); prints
// its URL as JSON. Benchmarks run it apart from the gateway, as a real site runs elsewhere.
import { startDemoSite } from '../../demo-site/src/index.ts';

const demo = await startDemoSite({
  control: true,
  fastChunks: Number(process.env.FAST_CHUNKS ?? 200),
  rateLimitPerMinute: 1_000_000,
  dailyQuotaPerModel: 10_000_000,
  maxConcurrentGenerations: 1024,
});
console.log(JSON.stringify({ demoUrl: demo.url, pid: process.pid }));
process.on('SIGTERM', () => {
  void demo.close().then(() => process.exit(0));
});
