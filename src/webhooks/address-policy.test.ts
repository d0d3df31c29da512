// Proves the SSRF filter: loopback, private, link-local, mapped and reserved addresses are not
// public; ordinary public addresses are.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { isPublicAddress } from './address-policy.ts';

test('non-public IPv4 and IPv6 addresses are recognised, including mapped forms', () => {
  for (const address of [
    '127.0.0.1', '127.9.9.9', '10.1.2.3', '172.16.0.1', '172.31.255.255', '192.168.1.1', '169.254.169.254', '100.64.0.1',
    '0.0.0.0', '224.0.0.1', '255.255.255.255', '198.18.0.1', '::1', '::', 'fe80::1', 'fc00::1', 'fd12:3456::1', 'ff02::1',
    '::ffff:127.0.0.1', '::ffff:7f00:1', '::ffff:10.0.0.1', '64:ff9b::a00:1', '2001:db8::1', 'not-an-ip', '',
  ]) assert.equal(isPublicAddress(address), false, address);
});

test('public unicast addresses pass', () => {
  for (const address of ['8.8.8.8', '1.1.1.1', '172.32.0.1', '93.184.216.34', '2606:4700:4700::1111', '::ffff:8.8.8.8']) {
    assert.equal(isPublicAddress(address), true, address);
  }
});
