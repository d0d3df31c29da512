// The output-descriptor checksum from Bitcoin Core (doc/descriptors.md, "Checksums"): 8 bech32
// characters after `#` that catch typos in a pasted descriptor. Ported from Core's
// DescriptorChecksum(); a descriptor whose checksum does not match is refused.

const INPUT_CHARSET =
  '0123456789()[],\'/*abcdefgh@:$%{}' +
  'IJKLMNOPQRSTUVWXYZ&+-.;<=>?!^_|~' +
  'ijklmnopqrstuvwxyzABCDEFGH`#"\\ ';
const CHECKSUM_CHARSET = 'qpzry9x8gf2tvdw0s3jn54khce6mua7l';
const GENERATORS = [0xf5dee51989n, 0xa9fdca3312n, 0x1bab10e32dn, 0x3706b1677an, 0x644d626ffdn];

function polymod(c: bigint, value: number): bigint {
  const c0 = c >> 35n;
  let next = ((c & 0x7ffffffffn) << 5n) ^ BigInt(value);
  for (let bit = 0; bit < 5; bit++) {
    if ((c0 >> BigInt(bit)) & 1n) next ^= GENERATORS[bit] as bigint;
  }
  return next;
}

/** The checksum of a descriptor body (without `#`), or null when it holds a character outside the charset. */
export function descriptorChecksum(body: string): string | null {
  let c = 1n;
  let cls = 0;
  let clscount = 0;
  for (const ch of body) {
    const pos = INPUT_CHARSET.indexOf(ch);
    if (pos < 0) return null;
    c = polymod(c, pos & 31);
    cls = cls * 3 + (pos >> 5);
    if (++clscount === 3) {
      c = polymod(c, cls);
      cls = 0;
      clscount = 0;
    }
  }
  if (clscount > 0) c = polymod(c, cls);
  for (let j = 0; j < 8; j++) c = polymod(c, 0);
  c ^= 1n;
  let out = '';
  for (let j = 0; j < 8; j++) out += CHECKSUM_CHARSET[Number((c >> BigInt(5 * (7 - j))) & 31n)];
  return out;
}
