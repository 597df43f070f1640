import { afterEach, describe, expect, it } from 'vitest'
import { Catalog } from '../../../src-main/catalog/catalog'
import { ensureHashModel, loadCodes, storeCodes } from '../../../src-main/catalog/codes'
import type { CodeBits } from '../../../src-main/hashcode/hashCode'
import { codeBytes, toCodeWords } from '../../../src-main/hashcode/hashCode'
import { HashIndex } from '../../../src-main/hashindex/hashIndex'
import { rng } from './syntheticCodes'
import { insertBarePatches } from '../../support'

const open: { close(): void }[] = []
afterEach(() => {
  for (const x of open.splice(0)) x.close()
})

/** A catalog in memory with n patches (ids 1..n), only the columns the schema requires. */
function catalogWithPatches(n: number): Catalog {
  const catalog = Catalog.open(':memory:')
  open.push(catalog)
  insertBarePatches(catalog.db, n, 'P')
  return catalog
}

describe('codes through the catalog arrays', () => {
  it.each([64, 128, 256] as CodeBits[])('round-trip: stored bytes → loadCodes → index → the same bytes, bit j at byte j>>3 (%i bits)', async (bits) => {
    const n = 300
    const random = rng(bits)
    const catalog = catalogWithPatches(n)
    ensureHashModel(catalog.db, 'm', bits)
    const stored = Array.from({ length: n }, (_, i) => ({ patchId: i + 1, code: Uint8Array.from({ length: bits / 8 }, () => Math.floor(random() * 256)) }))
    // Patch 7 holds exactly bit 9 (byte 1, bit 1); patch 8 the same code: a bucket of two.
    stored[6]!.code = new Uint8Array(bits / 8)
    stored[6]!.code[1] = 0b10
    stored[7]!.code = stored[6]!.code.slice()
    storeCodes(catalog.db, 'm', stored)
    const { bits: loadedBits, ids, words } = loadCodes(catalog.db, 'm')
    const index = HashIndex.fromArrays(loadedBits, ids, words)
    open.push(index)
    expect(index.size).toBe(n)
    for (const { patchId, code } of stored) {
      expect(codeBytes(index.codeOf(patchId)!)).toEqual(code)
      expect(toCodeWords(code, bits)).toEqual(index.codeOf(patchId))
    }
    expect(index.lookup(stored[6]!.code)).toEqual([7, 8])
    const bit9 = new Uint32Array(bits / 32)
    bit9[0] = 1 << 9
    expect(index.lookup(bit9)).toEqual([7, 8])
    const zero = new Uint8Array(bits / 8)
    expect((await index.knn(zero, 2)).map((x) => [x.id, x.distance])).toEqual([
      [7, 1],
      [8, 1],
    ])
  })
})
