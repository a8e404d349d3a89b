const encoder = new TextEncoder();

/** The UTF-8 bytes of a string, or the bytes themselves when given bytes. */
export function toBytes(value: string | Uint8Array): Uint8Array {
  return typeof value === 'string' ? encoder.encode(value) : value;
}

/** Redis compares `char`s, which are signed on the platforms it ships for: ranges use this order. */
export function signedByte(byte: number): number {
  return byte >= 0x80 ? byte - 0x100 : byte;
}
