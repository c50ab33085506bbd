import assert from 'node:assert/strict';
import { test } from 'node:test';
import { GatewayMetrics } from '../../src/server/operations/metrics.ts';
import { parsePrometheusText } from './prometheus-text.ts';

const ok = '# HELP a_total A.\n# TYPE a_total counter\na_total{x="1\\"2\\\\3\\n"} 4\n';

test('the strict Prometheus text parser reads a valid exposition, escapes included', () => {
  const family = parsePrometheusText(ok).get('a_total');
  assert.deepEqual(family?.samples, [{ name: 'a_total', labels: { x: '1"2\\3\n' }, value: 4 }]);
});

test('it refuses what a Prometheus server would refuse or misread', () => {
  const bad = [
    ok.trimEnd(), // no final newline
    '# TYPE a counter\na{x=1} 1\n', // unquoted value
    '# TYPE a counter\na{x="\\t"} 1\n', // bad escape
    '# TYPE a counter\na{1x="y"} 1\n', // bad label name
    '# TYPE a counter\na one\n', // bad value
    'a 1\n', // sample before its TYPE
    '# TYPE a counter\n# TYPE a gauge\na 1\n', // second TYPE
    '# TYPE a counter\na 1\na 2\n', // duplicate series
    '# TYPE a counter\na{x="1",x="2"} 1\n', // label twice
    '# TYPE h histogram\nh_bucket{le="1"} 2\nh_bucket{le="+Inf"} 1\nh_sum 1\nh_count 1\n', // not cumulative
    '# TYPE h histogram\nh_bucket{le="+Inf"} 2\nh_sum 1\nh_count 1\n', // +Inf ≠ count
    '# TYPE h histogram\nh_bucket{le="1"} 1\nh_sum 1\nh_count 1\n', // no +Inf
  ];
  for (const text of bad) assert.throws(() => parsePrometheusText(text), JSON.stringify(text));
});

test("the gateway's registry round-trips through it, default metrics included", async () => {
  const families = parsePrometheusText(await new GatewayMetrics().registry.metrics());
  assert.ok(families.has('webchat_gateway_nodejs_eventloop_lag_seconds'));
  assert.equal(families.get('webchat_gateway_requests_total')?.type, 'counter');
});
