import type { CodeBits } from '../hashcode/hashCode'
import { isCodeBits } from '../hashcode/hashCode'

/** The code length as a CodeBits, or an error naming the bad value. */
export function checkBits(bits: number): CodeBits {
  if (!isCodeBits(bits)) throw new Error(`a hash index has 64, 128 or 256-bit codes, not ${bits}`)
  return bits
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
