/** CRC16-CCITT (XMODEM), the hash Redis Cluster uses for key slots. */
const TABLE = (() => {
  const table = new Uint16Array(256);
  for (let i = 0; i < 256; i++) {
    let crc = i << 8;
    for (let bit = 0; bit < 8; bit++) crc = crc & 0x8000 ? ((crc << 1) ^ 0x1021) & 0xffff : (crc << 1) & 0xffff;
    table[i] = crc;
  }
  return table;
})();

function crc16(bytes: Uint8Array): number {
  let crc = 0;
  for (const byte of bytes) crc = ((crc << 8) & 0xffff) ^ (TABLE[((crc >> 8) ^ byte) & 0xff] ?? 0);
  return crc;
}

/** The part of a key that Redis Cluster hashes: the first non-empty `{…}`, else the whole key. */
function hashTagOf(key: Uint8Array): Uint8Array {
  const open = key.indexOf(0x7b);
  if (open === -1) return key;
  const close = key.indexOf(0x7d, open + 1);
  if (close === -1 || close === open + 1) return key;
  return key.subarray(open + 1, close);
}

/** The cluster slot (0–16383) of a key. */
export function keySlot(key: string | Uint8Array): number {
  const bytes = typeof key === 'string' ? Buffer.from(key) : key;
  return crc16(hashTagOf(bytes)) % 16384;
}

/**
 * The slot every key matching `pattern` lives in, when the pattern fixes it: a complete `{tag}`
 * (the first `{` of the key) in the literal text before any wildcard. Null otherwise.
 */
export function patternSlot(pattern: string): number | null {
  let literal = '';
  for (let i = 0; i < pattern.length; i++) {
    const ch = pattern.charAt(i);
    if (ch === '*' || ch === '?' || ch === '[') break;
    if (ch === '\\') {
      i++;
      literal += pattern.charAt(i);
      continue;
    }
    literal += ch;
  }
  const open = literal.indexOf('{');
  if (open === -1) return null;
  const close = literal.indexOf('}', open + 1);
  if (close === -1 || close === open + 1) return null;
  return keySlot(literal.slice(0, close + 1));
}
