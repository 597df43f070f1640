import { afterEach, describe, expect, it } from 'vitest'
import { HashIndex } from '../../../src-main/hashindex/hashIndex'
import type { SearchStrategy } from '../../../src-main/hashindex/hashIndex'

const open: HashIndex[] = []
afterEach(() => {
  for (const index of open.splice(0)) index.close()
})

function small(): HashIndex {
  const index = HashIndex.fromArrays(128, Int32Array.of(1, 2, 3), new Uint32Array(12))
  open.push(index)
  return index
}

describe('bad input', () => {
  it('rejects codes of the wrong length, naming both lengths', async () => {
    const index = small()
    await expect(index.knn(new Uint8Array(8), 5)).rejects.toThrow('code has 64 bits; this index has 128-bit codes')
    await expect(index.radius(new Uint32Array(8), 1)).rejects.toThrow('code has 256 bits; this index has 128-bit codes')
    expect(() => index.add(9, new Uint8Array(15))).toThrow('code has 120 bits; this index has 128-bit codes')
    expect(() => index.lookup(new Uint32Array(3))).toThrow('code has 96 bits; this index has 128-bit codes')
  })

  it('rejects a radius outside 0–bits/4 and a k that is not a positive integer', async () => {
    const index = small()
    const code = new Uint32Array(4)
    await expect(index.radius(code, 40)).rejects.toThrow('radius 40 is out of range 0–32 for 128-bit codes')
    await expect(index.radius(code, -1)).rejects.toThrow('radius -1 is out of range 0–32 for 128-bit codes')
    await expect(index.radius(code, 1.5)).rejects.toThrow('radius 1.5 is out of range 0–32 for 128-bit codes')
    await expect(index.knn(code, 0)).rejects.toThrow('k must be a positive integer, not 0')
    await expect(index.knn(code, -3)).rejects.toThrow('k must be a positive integer, not -3')
    await expect(index.knn(code, 2.5)).rejects.toThrow('k must be a positive integer, not 2.5')
  })

  it('rejects bad code lengths, mismatched arrays, duplicate or non-int32 ids, bad options', async () => {
    expect(() => HashIndex.create(100)).toThrow('a hash index has 64, 128 or 256-bit codes, not 100')
    expect(() => HashIndex.fromArrays(128, Int32Array.of(1, 2), new Uint32Array(7))).toThrow(
      'words has 7 entries; 2 ids × 4 words per 128-bit code need 8',
    )
    expect(() => HashIndex.fromArrays(64, [5, 3, 5], new Uint32Array(6))).toThrow('id 5 appears twice in the codes')
    expect(() => HashIndex.fromArrays(64, [1.5], new Uint32Array(2))).toThrow('id 1.5 is not a 32-bit integer')
    expect(() => HashIndex.create(128, { tables: 1 })).toThrow('1 substring tables do not fit 128-bit codes: use 2–16')
    const index = small()
    expect(() => index.add(2 ** 31, new Uint32Array(4))).toThrow('id 2147483648 is not a 32-bit integer')
    await expect(index.knn(new Uint32Array(4), 1, { strategy: 'fast' as SearchStrategy })).rejects.toThrow(
      'search strategy "fast" is not one of auto, multi-index, linear',
    )
    await expect(index.knn(new Uint32Array(4), 1, { allowed: 'all' as unknown as Set<number> })).rejects.toThrow(
      'allowed ids must be an Int32Array, a Set or an array of patch ids',
    )
  })

  it('refuses to search once closed', async () => {
    const index = small()
    index.close()
    await expect(index.knn(new Uint32Array(4), 1)).rejects.toThrow('the hash index is closed')
    expect(() => index.add(4, new Uint32Array(4))).toThrow('the hash index is closed')
  })
})
