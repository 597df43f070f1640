import { afterEach, describe, expect, it } from 'vitest'
import type { CodeBits } from '../../../src-main/hashcode/hashCode'
import { HashIndex } from '../../../src-main/hashindex/hashIndex'
import type { HashIndexOptions } from '../../../src-main/hashindex/hashIndex'
import { bruteForce, clusteredCodes, codeAt, rng } from './syntheticCodes'

const open: HashIndex[] = []
afterEach(() => {
  for (const index of open.splice(0)) index.close()
})

/** The index's expected contents: id → code words. */
class Model {
  readonly codes = new Map<number, Uint32Array>()
  constructor(readonly bits: CodeBits) {}

  arrays(): { ids: Int32Array; words: Uint32Array } {
    const w = this.bits / 32
    const ids = Int32Array.from(this.codes.keys())
    const words = new Uint32Array(ids.length * w)
    ids.forEach((id, i) => words.set(this.codes.get(id)!, i * w))
    return { ids, words }
  }
}

async function expectSameAsModel(index: HashIndex, model: Model, queries: Uint32Array[]): Promise<void> {
  const { ids, words } = model.arrays()
  expect(index.size).toBe(model.codes.size)
  for (const query of queries) {
    const all = bruteForce(model.bits, ids, words, query)
    expect(await index.knn(query, 30)).toEqual(all.slice(0, 30))
    expect(await index.radius(query, 4)).toEqual(all.filter((x) => x.distance <= 4))
    expect(await index.radius(query, model.bits / 4, { strategy: 'linear' })).toEqual(all.filter((x) => x.distance <= model.bits / 4))
    expect(index.lookup(query)).toEqual(all.filter((x) => x.distance === 0).map((x) => x.id).sort((a, b) => a - b))
  }
}

describe.each([
  ['inline scans', { minTableSize: 0, rebuildAfter: 200 }],
  ['no tables', { minTableSize: 100_000 }],
  ['worker scans', { minTableSize: 0, rebuildAfter: 200, workerThreshold: 0, workers: 2 }],
  ['an unshared memory, as in a browser without cross-origin isolation', { minTableSize: 0, rebuildAfter: 200, workerThreshold: 0, sharedMemory: false }],
] as [string, HashIndexOptions][])('adding and removing codes (%s)', (_, options) => {
  it('keeps every search exact through additions in any id order, replacements, removals and compactions', async () => {
    const bits: CodeBits = 128
    const random = rng(42)
    const pool = clusteredCodes(3000, bits, random, 6, 0.05)
    const model = new Model(bits)
    const index = HashIndex.create(bits, options)
    open.push(index)
    const queries = [codeAt(pool, bits, 5), codeAt(pool, bits, 1700), codeAt(pool, bits, 2999)]
    let next = 0
    for (let round = 0; round < 6; round++) {
      // Ascending ids, then ids below existing ones, then replacements of existing ids, then removals.
      for (let i = 0; i < 300; i++, next++) {
        const id = round % 2 === 0 ? 10_000 + next : 10_000 - next
        const code = codeAt(pool, bits, next % 3000)
        index.add(id, code)
        model.codes.set(id, code)
      }
      const ids = [...model.codes.keys()]
      for (let i = 0; i < 60; i++) {
        const id = ids[Math.floor(random() * ids.length)]!
        const code = codeAt(pool, bits, Math.floor(random() * 3000))
        index.add(id, i % 2 === 0 ? code : new Uint8Array(code.buffer.slice(0)))
        model.codes.set(id, code)
      }
      for (let i = 0; i < 80; i++) {
        const id = ids[Math.floor(random() * ids.length)]!
        expect(index.remove(id)).toBe(model.codes.delete(id))
      }
      expect(index.remove(-123)).toBe(false)
      for (const id of ids.slice(0, 50)) {
        expect(index.has(id)).toBe(model.codes.has(id))
        expect(index.codeOf(id)).toEqual(model.codes.get(id))
      }
      await expectSameAsModel(index, model, queries)
    }
    const stats = index.stats()
    expect(stats.size).toBe(model.codes.size)
    if (options.rebuildAfter) expect(stats.unindexed + stats.removed).toBeLessThanOrEqual(options.rebuildAfter)
    expect(stats.sharedMemory).toBe(options.sharedMemory ?? true)
    expect(stats.workers).toBe(options.workerThreshold === 0 && options.sharedMemory !== false ? 2 : 0)
  })
})

describe('searching while codes are added', () => {
  it.each([
    ['inline', {}],
    ['on workers', { workerThreshold: 0 }],
  ] as [string, HashIndexOptions][])('answers each search for the codes present when it was called (%s)', async (_, options) => {
    const bits: CodeBits = 128
    const random = rng(7)
    const n = 6000
    const words = clusteredCodes(n, bits, random, 5, 0.05)
    const ids = Int32Array.from({ length: n }, (_, i) => i + 1)
    const base = 4000
    const index = HashIndex.fromArrays(bits, ids.subarray(0, base), words.subarray(0, base * 4), { ...options, minTableSize: 0, rebuildAfter: 500 })
    open.push(index)
    const query = codeAt(words, bits, 17)
    const searches: [number, Promise<unknown>, Promise<unknown>][] = []
    for (let added = base; added < n; added += 250) {
      // Start searches, then add codes (growing the arrays and rebuilding the tables) before they finish.
      searches.push([added, index.knn(query, 40), index.radius(query, bits / 4, { strategy: 'linear' })])
      for (let i = added; i < added + 250; i++) index.add(ids[i]!, codeAt(words, bits, i))
    }
    for (const [present, knn, radius] of searches) {
      const all = bruteForce(bits, ids.subarray(0, present), words.subarray(0, present * 4), query)
      expect(await knn).toEqual(all.slice(0, 40))
      expect(await radius).toEqual(all.filter((x) => x.distance <= bits / 4))
    }
    expect(index.size).toBe(n)
  })
})
