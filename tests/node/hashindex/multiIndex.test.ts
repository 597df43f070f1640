import { describe, expect, it } from 'vitest'
import type { CodeBits } from '../../../src-main/hashcode/hashCode'
import { MultiIndex, chooseTableCount } from '../../../src-main/hashindex/multiIndex'
import type { Admit, CodeSource } from '../../../src-main/hashindex/multiIndex'
import type { Neighbor } from '../../../src-main/hashindex/neighbor'
import { compareNeighbors } from '../../../src-main/hashindex/neighbor'
import { referenceKnn, referenceRadius } from '../../../src-main/hashindex/reference'
import { TopK } from '../../../src-main/hashindex/topK'
import { rng } from '../../support'
import { clusteredCodes, codeAt, uniformCodes } from './syntheticCodes'

const BITS: CodeBits[] = [64, 128, 256]
const admitAll: Admit = () => true

/** Codes as the catalog loads them (code i is words [i·W, (i+1)·W)), with patch id ids[i]. */
interface Archive {
  bits: CodeBits
  ids: Int32Array
  words: Uint32Array
}

/**
 * The archive laid out as an index holds it: halves in two regions, ids in their own array, each at an odd
 * offset with junk around it, so a search that ignores a base or mixes the halves reads the wrong words.
 */
function sourceOf({ bits, ids, words }: Archive): CodeSource {
  const w = bits / 32
  const half = w / 2
  const n = ids.length
  const prefixBase = 3
  const restBase = prefixBase + n * half + 5
  const memory = new Uint32Array(restBase + n * half + 2).fill(0xdeadbeef)
  const idMemory = new Int32Array(7 + n + 1).fill(-1)
  for (let i = 0; i < n; i++) {
    for (let j = 0; j < half; j++) {
      memory[prefixBase + i * half + j] = words[i * w + j]!
      memory[restBase + i * half + j] = words[i * w + half + j]!
    }
    idMemory[7 + i] = ids[i]!
  }
  return { words: memory, prefixBase, restBase, half, ids: idMemory, idsBase: 7 }
}

/** The substrings m tables cut a code into, as documented: consecutive, the first bits mod m one bit longer. */
function substrings(bits: CodeBits, m: number): { offset: number; length: number }[] {
  const out: { offset: number; length: number }[] = []
  for (let t = 0, offset = 0; t < m; t++) {
    const length = Math.floor(bits / m) + (t < bits % m ? 1 : 0)
    out.push({ offset, length })
    offset += length
  }
  return out
}

/** The substring radius table i must be probed within for radius r (r = m·r' + a: tables 0..a r', the others r' − 1). */
function probeRadius(i: number, m: number, r: number): number {
  return Math.floor(r / m) - (i <= r % m ? 0 : 1)
}

/** `code` with `count` distinct bits of [from, from + length) flipped. */
function flipped(code: Uint32Array, from: number, length: number, count: number, random: () => number): Uint32Array {
  const out = code.slice()
  const positions = Array.from({ length }, (_, i) => from + i)
  for (let c = 0; c < count; c++) {
    const j = c + Math.floor(random() * (length - c))
    ;[positions[c], positions[j]] = [positions[j]!, positions[c]!]
    const bit = positions[c]!
    out[bit >>> 5]! ^= 1 << (bit & 31)
  }
  return out
}

/** Unique ids in shuffled order (so slot order is not id order), negative ones too. */
function shuffledIds(n: number, random: () => number): Int32Array {
  const ids = Int32Array.from({ length: n }, (_, i) => 7 * i - 5000)
  for (let i = n - 1; i > 0; i--) {
    const j = Math.floor(random() * (i + 1))
    ;[ids[i], ids[j]] = [ids[j]!, ids[i]!]
  }
  return ids
}

function archiveOf(bits: CodeBits, codes: Uint32Array[], random: () => number): Archive {
  const w = bits / 32
  const words = new Uint32Array(codes.length * w)
  codes.forEach((code, i) => words.set(code, i * w))
  return { bits, ids: shuffledIds(codes.length, random), words }
}

/**
 * An archive for m tables around a query q: uniform and clustered codes, codes at every distance 0..bits/4 + 1
 * from q, exact copies of q (ties), and for every radius r and table j a code at distance exactly r that only
 * table j reaches within its probe radius (substring distance ρ_j there, ρ_i + 1 in every other table): the
 * pigeonhole's tight case, which any probe radius one too small misses.
 */
function archiveAround(bits: CodeBits, m: number, seed: number): { archive: Archive; q: Uint32Array } {
  const random = rng(seed)
  const q = uniformCodes(1, bits, random)
  const codes: Uint32Array[] = []
  const uniform = uniformCodes(300, bits, random)
  const clustered = clusteredCodes(300, bits, random)
  for (let i = 0; i < 300; i++) codes.push(codeAt(uniform, bits, i), codeAt(clustered, bits, i))
  for (let d = 0; d <= bits / 4 + 1; d++) for (let c = 0; c < 3; c++) codes.push(flipped(q, 0, bits, d, random))
  for (let c = 0; c < 10; c++) codes.push(q.slice())
  const parts = substrings(bits, m)
  for (let r = 0; r <= bits / 4; r++) {
    for (let j = 0; j < m; j++) {
      if (probeRadius(j, m, r) < 0) continue
      let code = q
      let total = 0
      parts.forEach(({ offset, length }, i) => {
        const d = probeRadius(i, m, r) + (i === j ? 0 : 1)
        code = flipped(code, offset, length, d, random)
        total += d
      })
      expect(total).toBe(r)
      codes.push(code)
    }
  }
  // Shuffle the codes so the planted ones are spread over the slots.
  for (let i = codes.length - 1; i > 0; i--) {
    const j = Math.floor(random() * (i + 1))
    ;[codes[i], codes[j]] = [codes[j]!, codes[i]!]
  }
  return { archive: archiveOf(bits, codes, random), q }
}

/** Table counts to try: the fewest, an uneven split (substrings over 32 bits), bits/32, the chosen one, the most. */
function layouts(bits: CodeBits, n: number): number[] {
  const uneven = { 64: 3, 128: 3, 256: 7 }[bits]
  return [...new Set([Math.ceil(bits / 64), uneven, bits / 32, chooseTableCount(bits, n), bits / 8])]
}

function build(archive: Archive, m: number): { index: MultiIndex; src: CodeSource } {
  const src = sourceOf(archive)
  const index = MultiIndex.build(archive.bits, src, archive.ids.length, m)
  return { index, src }
}

interface Searched {
  /** Results by distance, then id. */
  found: Neighbor[]
  /** How often admit was asked about each slot. */
  asked: Map<number, number>
}

/** `admit`, counting its calls per slot and checking it is told the slot's own id. */
function counting(src: CodeSource, admit: Admit, asked: Map<number, number>): Admit {
  return (slot, id) => {
    asked.set(slot, (asked.get(slot) ?? 0) + 1)
    if (src.ids[src.idsBase + slot] !== id) throw new Error(`admit was told id ${id} for slot ${slot}, which holds ${src.ids[src.idsBase + slot]}`)
    return admit(slot, id)
  }
}

function radiusOf(index: MultiIndex, src: CodeSource, query: Uint32Array, r: number, admit: Admit = admitAll): Searched {
  const found: Neighbor[] = []
  const asked = new Map<number, number>()
  expect(index.radius(src, query, r, counting(src, admit, asked), (id, distance) => found.push({ id, distance }), Infinity)).toBe(true)
  return { found: found.sort(compareNeighbors), asked }
}

function nearestOf(index: MultiIndex, src: CodeSource, query: Uint32Array, k: number, admit: Admit = admitAll): Searched {
  const top = new TopK(k)
  const asked = new Map<number, number>()
  expect(index.nearest(src, query, counting(src, admit, asked), top, Infinity)).toBe(true)
  return { found: top.sorted(), asked }
}

describe('chooseTableCount', () => {
  it.each([
    // bits, n, m: about bits / log2(n) tables (Norouzi et al.), 8 to 64-bit substrings.
    [64, 0, 1],
    [64, 1, 1],
    [64, 2, 8],
    [64, 4096, 5],
    [64, 549_488, 3],
    [64, 10_000_000, 3],
    [64, 100_000_000, 2],
    [128, 0, 2],
    [128, 1, 2],
    [128, 2, 16],
    [128, 4096, 11],
    [128, 549_488, 7],
    [256, 0, 4],
    [256, 2, 32],
    [256, 4096, 21],
    [256, 549_488, 13],
    [256, 1_000_000, 13],
  ] as [CodeBits, number, number][])('gives %i-bit codes at n = %i %i tables', (bits, n, m) => {
    expect(chooseTableCount(bits, n)).toBe(m)
  })

  it('caps the tables by memory: 32 bytes per code with codes and ids, or 64 MiB of tables, never below 64-bit substrings', () => {
    // 128 bits at 10M: the paper's 6 tables would take 29 B per code; the budget leaves room for 2.
    expect(chooseTableCount(128, 10_000_000)).toBe(2)
    expect(chooseTableCount(128, 10_000_000, 40)).toBe(4)
    expect(chooseTableCount(128, 10_000_000, 64)).toBe(6)
    expect(chooseTableCount(128, 10_000_000, 16)).toBe(2)
    // 4M codes: the per-code budget alone allows 2 tables, the 64 MiB floor 3.
    expect(chooseTableCount(128, 4_000_000)).toBe(3)
    // 256 bits at 10M: the budget allows one table, but substrings have at most 64 bits.
    expect(chooseTableCount(256, 10_000_000)).toBe(4)
  })

  it('always gives a table count the tables accept (substrings of 8 to 64 bits)', () => {
    for (const bits of BITS) {
      for (let n = 0; n <= 2 ** 30; n = Math.max(1, Math.ceil(n * 1.7))) {
        for (const budget of [0, 16, 32, 64, 1024]) {
          const m = chooseTableCount(bits, n, budget)
          expect(m).toBeGreaterThanOrEqual(Math.ceil(bits / 64))
          expect(m).toBeLessThanOrEqual(bits / 8)
          expect(() => MultiIndex.assertTableCount(bits, m)).not.toThrow()
        }
      }
    }
  })
})

describe.each(BITS)('multi-index over %i-bit codes', (bits) => {
  it('finds exactly what the reference scan finds at every radius 0..bits/4, codes at the boundary distance included', () => {
    for (const m of layouts(bits, 2500)) {
      const { archive, q } = archiveAround(bits, m, bits + m)
      const { index, src } = build(archive, m)
      expect(index.tableCount).toBe(m)
      expect(index.substringBits).toEqual(substrings(bits, m).map((s) => s.length))
      for (const query of [q, codeAt(archive.words, bits, 17)]) {
        for (let r = 0; r <= bits / 4; r++) {
          const expected = referenceRadius(bits, archive.ids, archive.words, query, r)
          if (query === q) expect(expected.some((x) => x.distance === r)).toBe(true)
          expect(radiusOf(index, src, query, r).found, `m = ${m}, r = ${r}`).toEqual(expected)
        }
      }
    }
  })

  it('finds the k nearest exactly as the reference scan does, ties broken by id', () => {
    for (const m of layouts(bits, 2500)) {
      const { archive, q } = archiveAround(bits, m, 3 * bits + m)
      const { index, src } = build(archive, m)
      const n = archive.ids.length
      for (const query of [q, codeAt(archive.words, bits, 17), uniformCodes(1, bits, rng(m))]) {
        for (const k of [1, 2, 5, 13, 14, 50, 400, n - 1, n, n + 3]) {
          const expected = referenceKnn(bits, archive.ids, archive.words, query, k)
          expect(nearestOf(index, src, query, k).found, `m = ${m}, k = ${k}`).toEqual(expected)
        }
      }
      // More than 5 codes equal q: the 5 nearest are the 5 lowest of their ids.
      const copies = referenceRadius(bits, archive.ids, archive.words, q, 0).map((x) => x.id)
      expect(copies.length).toBeGreaterThan(5)
      expect(nearestOf(index, src, q, 5).found.map((x) => x.id)).toEqual(copies.slice(0, 5))
    }
  })

  it('returns only candidates the admit callback accepts, and is told each candidate’s true slot and id', () => {
    const random = rng(bits * 5)
    for (const m of layouts(bits, 2500)) {
      const { archive, q } = archiveAround(bits, m, 5 * bits + m)
      const { index, src } = build(archive, m)
      const allowed = new Set(Array.from(archive.ids).filter(() => random() < 0.25))
      const admit: Admit = (_, id) => allowed.has(id)
      for (const r of [0, 1, bits / 16, bits / 8, bits / 4]) {
        expect(radiusOf(index, src, q, r, admit).found).toEqual(referenceRadius(bits, archive.ids, archive.words, q, r, allowed))
      }
      for (const k of [1, 10, 100, allowed.size, allowed.size + 10]) {
        expect(nearestOf(index, src, q, k, admit).found).toEqual(referenceKnn(bits, archive.ids, archive.words, q, k, allowed))
      }
      expect(radiusOf(index, src, q, bits / 4, () => false).found).toEqual([])
      expect(nearestOf(index, src, q, 10, () => false).found).toEqual([])
    }
  })

  it('verifies each candidate once, though every table reaches codes near the query', () => {
    for (const m of layouts(bits, 2500)) {
      const { archive, q } = archiveAround(bits, m, 7 * bits + m)
      const { index, src } = build(archive, m)
      const n = archive.ids.length
      for (const r of [0, bits / 8, bits / 4]) {
        const { found, asked } = radiusOf(index, src, q, r)
        expect(new Set(found.map((x) => x.id)).size).toBe(found.length)
        expect([...asked.values()].every((times) => times === 1), `m = ${m}, r = ${r}`).toBe(true)
      }
      // k = n sees every code: each slot exactly once.
      const { found, asked } = nearestOf(index, src, q, n)
      expect(new Set(found.map((x) => x.id)).size).toBe(n)
      expect(asked.size).toBe(n)
      expect([...asked.values()].every((times) => times === 1), `m = ${m}`).toBe(true)
    }
  })

  it('answers over an empty index and over a single code', () => {
    const random = rng(bits * 11)
    const q = uniformCodes(1, bits, random)
    for (const m of [Math.ceil(bits / 64), bits / 8]) {
      const empty = build({ bits, ids: new Int32Array(0), words: new Uint32Array(0) }, m)
      expect(radiusOf(empty.index, empty.src, q, bits / 4).found).toEqual([])
      expect(nearestOf(empty.index, empty.src, q, 3).found).toEqual([])
      const d = bits / 8
      const single = build({ bits, ids: Int32Array.of(42), words: flipped(q, 0, bits, d, random) }, m)
      expect(radiusOf(single.index, single.src, q, d - 1).found).toEqual([])
      expect(radiusOf(single.index, single.src, q, d).found).toEqual([{ id: 42, distance: d }])
      expect(nearestOf(single.index, single.src, q, 1).found).toEqual([{ id: 42, distance: d }])
      expect(nearestOf(single.index, single.src, q, 5).found).toEqual([{ id: 42, distance: d }])
    }
  })

  it('gives up (false) when its deadline has passed', () => {
    const { archive, q } = archiveAround(bits, bits / 32, bits * 13)
    const { index, src } = build(archive, bits / 32)
    const past = performance.now() - 1
    expect(index.radius(src, q, bits / 4, admitAll, () => {}, past)).toBe(false)
    expect(index.nearest(src, q, admitAll, new TopK(10), past)).toBe(false)
  })
})
