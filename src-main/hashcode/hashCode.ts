/**
 * The binary hash code format, the one definition every layer shares: a code of `bits` bits is
 * `bits / 8` bytes, bit j of the code being bit (j & 7) of byte (j >> 3); the catalog stores those
 * bytes, the hash index reads them as little-endian 32-bit words, the CLI prints them as hex.
 */

/** Code lengths a hash model may have, in bits. */
export const CODE_BITS = [64, 128, 256] as const
export type CodeBits = (typeof CODE_BITS)[number]

/** True when `bits` is a code length the app supports. */
export function isCodeBits(bits: number): bits is CodeBits {
  return (CODE_BITS as readonly number[]).includes(bits)
}

/**
 * A code as little-endian 32-bit words: a Uint32Array of bits/32 words is taken as is, a Uint8Array of
 * bits/8 bytes is converted. `what` names the holder in errors ("this index").
 */
export function toCodeWords(code: Uint8Array | Uint32Array, bits: CodeBits, what = 'this index'): Uint32Array {
  const words = bits / 32
  if (code instanceof Uint32Array) {
    if (code.length !== words) throw new Error(`code has ${code.length * 32} bits; ${what} has ${bits}-bit codes`)
    return code
  }
  if (!(code instanceof Uint8Array)) throw new Error('a code is a Uint8Array of bytes or a Uint32Array of words')
  if (code.length !== bits / 8) throw new Error(`code has ${code.length * 8} bits; ${what} has ${bits}-bit codes`)
  const out = new Uint32Array(words)
  for (let w = 0; w < words; w++) {
    const b = w * 4
    out[w] = (code[b]! | (code[b + 1]! << 8) | (code[b + 2]! << 16) | (code[b + 3]! << 24)) >>> 0
  }
  return out
}

/** Words → the code's bytes. */
export function codeBytes(words: Uint32Array): Uint8Array {
  const out = new Uint8Array(words.length * 4)
  for (let w = 0; w < words.length; w++) {
    const v = words[w]!
    out[w * 4] = v & 0xff
    out[w * 4 + 1] = (v >>> 8) & 0xff
    out[w * 4 + 2] = (v >>> 16) & 0xff
    out[w * 4 + 3] = v >>> 24
  }
  return out
}

/** Bytes → hex, as `earthqube codes` prints them (byte 0 first). */
export function codeToHex(code: Uint8Array): string {
  return Buffer.from(code.buffer, code.byteOffset, code.byteLength).toString('hex')
}

/**
 * Packs a hashing network's tanh activations into codes: bit j is set when activation j > 0.
 * `activations` holds `count` rows of `bits` values.
 */
export function packCodes(activations: Float32Array, count: number, bits: number): Uint8Array[] {
  const bytes = bits >> 3
  const codes: Uint8Array[] = []
  for (let n = 0; n < count; n++) {
    const code = new Uint8Array(bytes)
    const row = n * bits
    for (let j = 0; j < bits; j++) if (activations[row + j]! > 0) code[j >> 3]! |= 1 << (j & 7)
    codes.push(code)
  }
  return codes
}
