import type { CodeBits } from '../catalog/codes'

/** Code lengths the index supports, in bits. */
export const INDEX_BITS: readonly CodeBits[] = [64, 128, 256]

/** The code length as a CodeBits, or an error naming the bad value. */
export function checkBits(bits: number): CodeBits {
  if (!(INDEX_BITS as readonly number[]).includes(bits)) throw new Error(`a hash index has 64, 128 or 256-bit codes, not ${bits}`)
  return bits as CodeBits
}

/**
 * A code as little-endian 32-bit words (bit j of the code is bit j & 7 of byte j >> 3, the catalog's layout):
 * a Uint32Array of bits/32 words is taken as is, a Uint8Array of bits/8 bytes is converted.
 */
export function toCodeWords(code: Uint8Array | Uint32Array, bits: CodeBits): Uint32Array {
  const words = bits / 32
  if (code instanceof Uint32Array) {
    if (code.length !== words) throw new Error(`code has ${code.length * 32} bits; this index has ${bits}-bit codes`)
    return code
  }
  if (!(code instanceof Uint8Array)) throw new Error('a code is a Uint8Array of bytes or a Uint32Array of words')
  if (code.length !== bits / 8) throw new Error(`code has ${code.length * 8} bits; this index has ${bits}-bit codes`)
  const out = new Uint32Array(words)
  for (let w = 0; w < words; w++) {
    const b = w * 4
    out[w] = (code[b]! | (code[b + 1]! << 8) | (code[b + 2]! << 16) | (code[b + 3]! << 24)) >>> 0
  }
  return out
}

/** Words → the code's bytes (the catalog's layout). */
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

/** Set bits of a 32-bit word. */
export function popcount32(x: number): number {
  x -= (x >>> 1) & 0x55555555
  x = (x & 0x33333333) + ((x >>> 2) & 0x33333333)
  x = (x + (x >>> 4)) & 0x0f0f0f0f
  return Math.imul(x, 0x01010101) >>> 24
}

/** A patch id must be a 32-bit signed integer (the catalog's ids are). */
export function checkId(id: number): number {
  if (!Number.isInteger(id) || id < -0x80000000 || id > 0x7fffffff) throw new Error(`id ${id} is not a 32-bit integer`)
  return id
}
