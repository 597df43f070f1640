import { afterEach, describe, expect, it } from 'vitest'
import type { CodeBits } from '../../../src-main/hashcode/hashCode'
import { HashIndex } from '../../../src-main/hashindex/hashIndex'
import type { HashIndexOptions, SearchStrategy } from '../../../src-main/hashindex/hashIndex'
import { referenceKnn, referenceRadius } from '../../../src-main/hashindex/reference'
import { bruteForce, clusteredCodes, codeAt, rng, uniformCodes } from './syntheticCodes'

const open: HashIndex[] = []
afterEach(() => {
  for (const index of open.splice(0)) index.close()
})

function build(bits: CodeBits, ids: ArrayLike<number>, words: Uint32Array, options: HashIndexOptions = {}): HashIndex {
  const index = HashIndex.fromArrays(bits, Int32Array.from(ids), words, options)
  open.push(index)
  return index
}

/** Queries: an archive code, the same with 3 bits flipped, a random code. */
function queriesFor(bits: CodeBits, words: Uint32Array, random: () => number): Uint32Array[] {
  const n = words.length / (bits / 32)
  const near = codeAt(words, bits, Math.floor(random() * n))
  for (let f = 0; f < 3; f++) near[Math.floor(random() * (bits / 32))]! ^= 1 << Math.floor(random() * 32)
  return [codeAt(words, bits, Math.floor(random() * n)), near, uniformCodes(1, bits, random)]
}

function shuffledIds(n: number, random: () => number, sparse: boolean): Int32Array {
  const ids = sparse
    ? Int32Array.from({ length: n }, (_, i) => (i - n / 2) * 7919 * 2311 + Math.floor(random() * 1000))
    : Int32Array.from({ length: n }, (_, i) => 1000 + i)
  for (let i = n - 1; i > 0; i--) {
    const j = Math.floor(random() * (i + 1))
    ;[ids[i], ids[j]] = [ids[j]!, ids[i]!]
  }
  return ids
}

const STRATEGIES: SearchStrategy[] = ['auto', 'linear', 'multi-index']

describe.each([64, 128, 256] as CodeBits[])('%i-bit codes', (bits) => {
  const fewest = Math.ceil(bits / 64)
  const most = bits / 8
  const layouts: [string, HashIndexOptions][] = [
    ['no tables', {}],
    ['tables chosen by size', { minTableSize: 0 }],
    [`${fewest} tables of ${bits / fewest} bits`, { minTableSize: 0, tables: fewest }],
    [`${bits / 32} tables of 32 bits`, { minTableSize: 0, tables: bits / 32 }],
    [`${most} tables of 8 bits`, { minTableSize: 0, tables: most }],
  ]

  it.each(['uniform', 'clustered'])('finds exactly what brute force finds at every radius, with every layout and strategy (%s codes)', async (shape) => {
    const random = rng(bits * 7 + shape.length)
    const n = 1500
    const words = shape === 'uniform' ? uniformCodes(n, bits, random) : clusteredCodes(n, bits, random)
    const ids = shuffledIds(n, random, shape === 'uniform')
    for (const [, options] of layouts) {
      const index = build(bits, ids, words, options)
      for (const query of queriesFor(bits, words, random)) {
        const all = bruteForce(bits, ids, words, query)
        for (let r = 0; r <= bits / 4; r++) {
          const expected = all.filter((x) => x.distance <= r)
          for (const strategy of STRATEGIES) expect(await index.radius(query, r, { strategy })).toEqual(expected)
        }
        for (const k of [1, 2, 10, 100, n - 1, n, n + 5]) {
          for (const strategy of STRATEGIES) expect(await index.knn(query, k, { strategy })).toEqual(all.slice(0, k))
        }
        expect(index.lookup(query)).toEqual(all.filter((x) => x.distance === 0).map((x) => x.id).sort((a, b) => a - b))
      }
    }
  })

  it('restricts results to allowed ids, given as a Set, an Int32Array or an array (dense and sparse ids)', async () => {
    const random = rng(bits + 11)
    const n = 3000
    const words = clusteredCodes(n, bits, random, 8, 0.05)
    for (const sparse of [false, true]) {
      const ids = shuffledIds(n, random, sparse)
      const index = build(bits, ids, words, { minTableSize: 0 })
      const pick = (share: number): number[] => Array.from(ids).filter(() => random() < share)
      const filters = [pick(0.3), pick(0.02), pick(0.002), [ids[0]!, ids[0]!, 123456789, -5], pick(0.9)]
      for (const query of queriesFor(bits, words, random)) {
        for (const list of filters) {
          const allowed = new Set(list)
          const all = bruteForce(bits, ids, words, query, allowed)
          for (const form of [allowed, Int32Array.from(list), list]) {
            for (const strategy of STRATEGIES) {
              expect(await index.knn(query, 25, { allowed: form, strategy })).toEqual(all.slice(0, 25))
              for (const r of [0, 3, bits / 8, bits / 4]) {
                expect(await index.radius(query, r, { allowed: form, strategy })).toEqual(all.filter((x) => x.distance <= r))
              }
            }
          }
        }
        expect(await index.knn(query, 5, { allowed: new Set() })).toEqual([])
        expect(await index.radius(query, 3, { allowed: [] })).toEqual([])
      }
    }
  })

  it('answers every search on an empty index with nothing', async () => {
    const empty = build(bits, [], new Uint32Array(0))
    const created = HashIndex.create(bits)
    open.push(created)
    const query = new Uint32Array(bits / 32)
    for (const index of [empty, created]) {
      expect(index.size).toBe(0)
      expect(await index.knn(query, 10)).toEqual([])
      expect(await index.radius(query, bits / 4)).toEqual([])
      expect(index.lookup(query)).toEqual([])
      expect(index.has(1)).toBe(false)
      expect(index.codeOf(1)).toBeUndefined()
    }
  })

  it('scans in worker threads with the same results (odd sizes, filters)', async () => {
    const random = rng(bits + 99)
    const n = 4001
    const words = clusteredCodes(n, bits, random, 6, 0.06)
    const ids = shuffledIds(n, random, false)
    const index = build(bits, ids, words, { workerThreshold: 0, workers: 2 })
    expect(index.stats().workers).toBe(2)
    const allowed = new Set(Array.from(ids).filter((_, i) => i % 3 === 0))
    for (const query of queriesFor(bits, words, random)) {
      const all = bruteForce(bits, ids, words, query)
      const some = bruteForce(bits, ids, words, query, allowed)
      expect(await index.knn(query, 50)).toEqual(all.slice(0, 50))
      expect(await index.knn(query, n)).toEqual(all)
      expect(await index.knn(query, 40, { allowed })).toEqual(some.slice(0, 40))
      for (const r of [0, 2, bits / 8, bits / 4]) {
        expect(await index.radius(query, r, { strategy: 'linear' })).toEqual(all.filter((x) => x.distance <= r))
        expect(await index.radius(query, r, { allowed, strategy: 'linear' })).toEqual(some.filter((x) => x.distance <= r))
      }
    }
  })
})

describe('the plain-JS reference scan', () => {
  it.each([64, 128, 256] as CodeBits[])('agrees with brute force (%i bits)', (bits) => {
    const random = rng(bits * 3)
    const words = clusteredCodes(800, bits, random, 4, 0.05)
    const ids = shuffledIds(800, random, true)
    const allowed = new Set(Array.from(ids).filter((_, i) => i % 2 === 0))
    for (const query of queriesFor(bits, words, random)) {
      const all = bruteForce(bits, ids, words, query)
      expect(referenceKnn(bits, ids, words, query, 30)).toEqual(all.slice(0, 30))
      expect(referenceRadius(bits, ids, words, query, bits / 8)).toEqual(all.filter((x) => x.distance <= bits / 8))
      expect(referenceKnn(bits, ids, words, query, 30, allowed)).toEqual(bruteForce(bits, ids, words, query, allowed).slice(0, 30))
    }
  })
})
