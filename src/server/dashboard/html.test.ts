import assert from 'node:assert/strict';
import { test } from 'node:test';
import { escapeHtml, html, jsonScript } from './html.ts';

test('every interpolated value is escaped; SafeHtml and arrays of it are kept', () => {
  const name = '<img src=x onerror=alert(1)>';
  const row = (value: string) => html`<td title="${value}">${value}</td>`;
  const out = html`<tr>${[row(name), row(`"quoted" & 'single' \`tick\``)]}</tr>`.text;
  assert.equal(
    out,
    '<tr><td title="&lt;img src=x onerror=alert(1)&gt;">&lt;img src=x onerror=alert(1)&gt;</td>' +
      '<td title="&quot;quoted&quot; &amp; &#39;single&#39; &#96;tick&#96;">&quot;quoted&quot; &amp; &#39;single&#39; &#96;tick&#96;</td></tr>',
  );
  assert.equal(html`${null}${undefined}${false}${0}`.text, '0');
  assert.equal(escapeHtml('a&b'), 'a&amp;b');
});

test('a plain object that looks like SafeHtml is still escaped', () => {
  const forged = { text: '<b>' } as unknown as string;
  assert.equal(html`${forged}`.text, '[object Object]');
});

test('chart data cannot close its script element', () => {
  const out = jsonScript('c', { label: '</script><script>alert(1)</script>' }).text;
  assert.ok(!out.slice(0, -'</script>'.length).includes('</script>'));
  const json = out.slice(out.indexOf('>') + 1, -'</script>'.length);
  assert.deepEqual(JSON.parse(json), { label: '</script><script>alert(1)</script>' });
});
