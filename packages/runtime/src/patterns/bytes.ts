const encoder = new TextEncoder();

/** The UTF-8 bytes of a string, or the bytes themselves when given bytes. */
export function toBytes(value: string | Uint8Array): Uint8Array {
  if (typeof value !== 'string') return value;
  const length = value.length;
  const ascii = new Uint8Array(length);
  for (let i = 0; i < length; i++) {
    const code = value.charCodeAt(i);
    if (code >= 0x80) return encoder.encode(value);
    ascii[i] = code;
  }
  return ascii;
}

/** Redis compares `char`s, which are signed on the platforms it ships for: ranges use this order. */
export function signedByte(byte: number): number {
  return byte >= 0x80 ? byte - 0x100 : byte;
}
