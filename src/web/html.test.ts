// Proves the template tag escapes every interpolation (text and attribute contexts), keeps
// nested SafeHtml as is, and that only relative and payment URLs pass safeUrl.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { escapeHtml, html, safeUrl } from './html.ts';

test('interpolated text is escaped, nested templates are not escaped twice', () => {
  const evil = `<script>alert("x")</script>'&\``;
  const page = html`<p title="${evil}">${evil}${html`<b>${'<i>'}</b>`}${[1, '<', null, undefined, false]}</p>`;
  assert.equal(page.value, `<p title="${escapeHtml(evil)}">&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;&#39;&amp;&#96;<b>&lt;i&gt;</b>1&lt;</p>`);
  assert.ok(!page.value.includes('<script>'));
});

test('safeUrl lets relative paths and the named payment URIs through and nothing else', () => {
  const rails = ['bitcoin', 'lightning', 'ethereum', 'solana'];
  assert.equal(safeUrl('/account'), '/account');
  assert.equal(safeUrl('bitcoin:bc1q?amount=1', rails), 'bitcoin:bc1q?amount=1');
  assert.equal(safeUrl('lightning:lnbc1', rails), 'lightning:lnbc1');
  assert.equal(safeUrl('ethereum:0xabc@1', rails), 'ethereum:0xabc@1');
  assert.equal(safeUrl('solana:Abc?amount=1', rails), 'solana:Abc?amount=1');
  // A payment scheme passes only when the invoice's rail names it.
  assert.equal(safeUrl('bitcoin:bc1q?amount=1'), '#');
  assert.equal(safeUrl('tron:T123', rails), '#');
  assert.equal(safeUrl('javascript:alert(1)', [...rails, 'javascript']), '#');
  assert.equal(safeUrl('//evil.example/', rails), '#');
  assert.equal(safeUrl('data:text/html,x', [...rails, 'data']), '#');
});
