// Scan kernels of the hash index (AssemblyScript, compiled by build/wasm.mjs; no runtime, raw memory only).
//
// Codes are split in two arrays: `prefix` holds the first half of each code's words, `rest` the second half
// (64-bit codes: 1 + 1 words, 128: 2 + 2, 256: 4 + 4). A scan walks four quarters of its range at once:
// one sequential stream reaches about half of a core's memory bandwidth, eight streams (four quarters ×
// prefix and rest) nearly all of it. Radius scans read a code's rest only when its prefix distance alone
// still qualifies.
//
// Filter block at `filter` (6 × u32): ids, dead bitmap (by slot), allow bitmap, allow mode
// (0 none, 1 by id − base, 2 by slot), allow base (i32), allow bit count.
//
// k-NN heap entries are u64 keys (distance << 32) | (id ^ 0x80000000): ordered by distance, then by id.

const ID_BIAS: u32 = 0x80000000

/** Where the JS side may start placing data. */
export function heapBase(): usize {
  return __heap_base
}

@inline function admitted(filter: usize, slot: u32, id: i32): bool {
  const dead = <usize>load<u32>(filter, 4)
  if (dead != 0 && (load<u8>(dead + (slot >> 3)) & (<u8>1 << <u8>(slot & 7))) != 0) return false
  const mode = load<u32>(filter, 12)
  if (mode == 0) return true
  let bit: u32 = slot
  if (mode == 1) {
    bit = <u32>(id - load<i32>(filter, 16))
    if (bit >= load<u32>(filter, 20)) return false
  }
  return (load<u8>(<usize>load<u32>(filter, 8) + (bit >> 3)) & (<u8>1 << <u8>(bit & 7))) != 0
}

function heapPush(heap: usize, count: i32, key: u64): void {
  let i = count
  while (i > 0) {
    const parent = (i - 1) >> 1
    const p = load<u64>(heap + (<usize>parent << 3))
    if (p >= key) break
    store<u64>(heap + (<usize>i << 3), p)
    i = parent
  }
  store<u64>(heap + (<usize>i << 3), key)
}

function heapReplaceTop(heap: usize, count: i32, key: u64): void {
  let i = 0
  while (true) {
    let child = 2 * i + 1
    if (child >= count) break
    let c = load<u64>(heap + (<usize>child << 3))
    if (child + 1 < count) {
      const right = load<u64>(heap + (<usize>(child + 1) << 3))
      if (right > c) {
        child++
        c = right
      }
    }
    if (c <= key) break
    store<u64>(heap + (<usize>i << 3), c)
    i = child
  }
  store<u64>(heap + (<usize>i << 3), key)
}

// A query's halves are passed as locals (they stay in registers): prefix in (q0, q1), rest in (r0, r1);
// 64-bit codes use the low 32 bits of q0 and r0, 128-bit codes q0 and r0.
@inline function queryWord(query: usize, words: i32, half: i32, part: i32): u64 {
  if (words == 2) return part == 0 ? <u64>load<u32>(query + <usize>(half * 4)) : 0
  if (words == 4) return part == 0 ? load<u64>(query + <usize>(half * 8)) : 0
  return load<u64>(query + <usize>(half * 16 + part * 8))
}

@inline function prefixDistance(prefix: usize, words: i32, i: u32, q0: u64, q1: u64): i32 {
  if (words == 2) return <i32>popcnt<u32>(load<u32>(prefix + (<usize>i << 2)) ^ <u32>q0)
  if (words == 4) return <i32>popcnt<u64>(load<u64>(prefix + (<usize>i << 3)) ^ q0)
  const p = prefix + (<usize>i << 4)
  return <i32>(popcnt<u64>(load<u64>(p) ^ q0) + popcnt<u64>(load<u64>(p, 8) ^ q1))
}

@inline function restDistance(rest: usize, words: i32, i: u32, r0: u64, r1: u64): i32 {
  if (words == 2) return <i32>popcnt<u32>(load<u32>(rest + (<usize>i << 2)) ^ <u32>r0)
  if (words == 4) return <i32>popcnt<u64>(load<u64>(rest + (<usize>i << 3)) ^ r0)
  const p = rest + (<usize>i << 4)
  return <i32>(popcnt<u64>(load<u64>(p) ^ r0) + popcnt<u64>(load<u64>(p, 8) ^ r1))
}

// The heap of the running k-NN scan (module globals: each instance runs one scan at a time).
let heapCount: i32 = 0
let heapTau: i32 = 0

/** Offers slot `slot` at distance d (≤ heapTau) to the heap if it passes the filter. */
@inline function offer(filter: usize, ids: usize, slot: u32, d: i32, k: i32, heap: usize): void {
  const id = load<i32>(ids + (<usize>slot << 2))
  if (!admitted(filter, slot, id)) return
  const key = (<u64>d << 32) | <u64>(<u32>id ^ ID_BIAS)
  if (heapCount < k) {
    heapPush(heap, heapCount, key)
    heapCount++
    if (heapCount == k) heapTau = <i32>(load<u64>(heap) >> 32)
  } else if (key < load<u64>(heap)) {
    heapReplaceTop(heap, heapCount, key)
    heapTau = <i32>(load<u64>(heap) >> 32)
  }
}

/**
 * k nearest codes among slots [from, to) that pass the filter and lie within `tau0`: fills the max-heap at
 * `heap` (k entries of 8 bytes) and returns how many entries it holds.
 */
export function knnScan(prefix: usize, rest: usize, words: i32, filter: usize, from: u32, to: u32, query: usize, k: i32, tau0: i32, heap: usize): i32 {
  heapCount = 0
  heapTau = tau0
  if (words == 4) knn128(prefix, rest, filter, from, to, query, k, heap)
  else if (words == 2) knn64(prefix, rest, filter, from, to, query, k, heap)
  else knn256(prefix, rest, filter, from, to, query, k, heap)
  return heapCount
}

// One loop per code length, kept apart so the optimizer cannot merge them into one that tests `words` per code.
@noinline function knn64(prefix: usize, rest: usize, filter: usize, from: u32, to: u32, query: usize, k: i32, heap: usize): void {
  knnLoop(prefix, rest, 2, filter, from, to, query, k, heap)
}
@noinline function knn128(prefix: usize, rest: usize, filter: usize, from: u32, to: u32, query: usize, k: i32, heap: usize): void {
  knnLoop(prefix, rest, 4, filter, from, to, query, k, heap)
}
@noinline function knn256(prefix: usize, rest: usize, filter: usize, from: u32, to: u32, query: usize, k: i32, heap: usize): void {
  knnLoop(prefix, rest, 8, filter, from, to, query, k, heap)
}

@inline function knnLoop(prefix: usize, rest: usize, words: i32, filter: usize, from: u32, to: u32, query: usize, k: i32, heap: usize): void {
  const ids = <usize>load<u32>(filter)
  const q0 = queryWord(query, words, 0, 0)
  const q1 = queryWord(query, words, 0, 1)
  const r0 = queryWord(query, words, 1, 0)
  const r1 = queryWord(query, words, 1, 1)
  const quarter = (to - from) >> 2
  for (let j: u32 = 0; j < quarter; j++) {
    const i0 = from + j
    const i1 = i0 + quarter
    const i2 = i1 + quarter
    const i3 = i2 + quarter
    const a = prefixDistance(prefix, words, i0, q0, q1) + restDistance(rest, words, i0, r0, r1)
    const b = prefixDistance(prefix, words, i1, q0, q1) + restDistance(rest, words, i1, r0, r1)
    const c = prefixDistance(prefix, words, i2, q0, q1) + restDistance(rest, words, i2, r0, r1)
    const d = prefixDistance(prefix, words, i3, q0, q1) + restDistance(rest, words, i3, r0, r1)
    // The common case, all four too far, costs one compare.
    if (min(min(a, b), min(c, d)) > heapTau) continue
    if (a <= heapTau) offer(filter, ids, i0, a, k, heap)
    if (b <= heapTau) offer(filter, ids, i1, b, k, heap)
    if (c <= heapTau) offer(filter, ids, i2, c, k, heap)
    if (d <= heapTau) offer(filter, ids, i3, d, k, heap)
  }
  for (let i = from + 4 * quarter; i < to; i++) {
    const a = prefixDistance(prefix, words, i, q0, q1) + restDistance(rest, words, i, r0, r1)
    if (a <= heapTau) offer(filter, ids, i, a, k, heap)
  }
}

// Output of the running radius scan.
let found: i32 = 0

/** Records slot `slot` at distance d if it passes the filter (room for `cap` results; counts the rest). */
@inline function record(filter: usize, ids: usize, slot: u32, d: i32, outIds: usize, outDist: usize, cap: i32): void {
  const id = load<i32>(ids + (<usize>slot << 2))
  if (!admitted(filter, slot, id)) return
  if (found < cap) {
    store<i32>(outIds + (<usize>found << 2), id)
    store<u8>(outDist + <usize>found, <u8>d)
  }
  found++
}

/**
 * Codes among slots [from, to) within distance r that pass the filter: writes up to `cap` ids (i32 at
 * `outIds`) and distances (u8 at `outDist`), and returns how many there are (more than cap: call again
 * with room for all).
 */
export function radiusScan(prefix: usize, rest: usize, words: i32, filter: usize, from: u32, to: u32, query: usize, r: i32, outIds: usize, outDist: usize, cap: i32): i32 {
  found = 0
  if (words == 4) radius128(prefix, rest, filter, from, to, query, r, outIds, outDist, cap)
  else if (words == 2) radius64(prefix, rest, filter, from, to, query, r, outIds, outDist, cap)
  else radius256(prefix, rest, filter, from, to, query, r, outIds, outDist, cap)
  return found
}

@noinline function radius64(prefix: usize, rest: usize, filter: usize, from: u32, to: u32, query: usize, r: i32, outIds: usize, outDist: usize, cap: i32): void {
  radiusLoop(prefix, rest, 2, filter, from, to, query, r, outIds, outDist, cap)
}
@noinline function radius128(prefix: usize, rest: usize, filter: usize, from: u32, to: u32, query: usize, r: i32, outIds: usize, outDist: usize, cap: i32): void {
  radiusLoop(prefix, rest, 4, filter, from, to, query, r, outIds, outDist, cap)
}
@noinline function radius256(prefix: usize, rest: usize, filter: usize, from: u32, to: u32, query: usize, r: i32, outIds: usize, outDist: usize, cap: i32): void {
  radiusLoop(prefix, rest, 8, filter, from, to, query, r, outIds, outDist, cap)
}

@inline function radiusLoop(prefix: usize, rest: usize, words: i32, filter: usize, from: u32, to: u32, query: usize, r: i32, outIds: usize, outDist: usize, cap: i32): void {
  const ids = <usize>load<u32>(filter)
  const q0 = queryWord(query, words, 0, 0)
  const q1 = queryWord(query, words, 0, 1)
  const r0 = queryWord(query, words, 1, 0)
  const r1 = queryWord(query, words, 1, 1)
  const quarter = (to - from) >> 2
  for (let j: u32 = 0; j < quarter; j++) {
    const i0 = from + j
    const i1 = i0 + quarter
    const i2 = i1 + quarter
    const i3 = i2 + quarter
    const a = prefixDistance(prefix, words, i0, q0, q1)
    const b = prefixDistance(prefix, words, i1, q0, q1)
    const c = prefixDistance(prefix, words, i2, q0, q1)
    const d = prefixDistance(prefix, words, i3, q0, q1)
    if (min(min(a, b), min(c, d)) > r) continue
    if (a <= r) {
      const e = a + restDistance(rest, words, i0, r0, r1)
      if (e <= r) record(filter, ids, i0, e, outIds, outDist, cap)
    }
    if (b <= r) {
      const e = b + restDistance(rest, words, i1, r0, r1)
      if (e <= r) record(filter, ids, i1, e, outIds, outDist, cap)
    }
    if (c <= r) {
      const e = c + restDistance(rest, words, i2, r0, r1)
      if (e <= r) record(filter, ids, i2, e, outIds, outDist, cap)
    }
    if (d <= r) {
      const e = d + restDistance(rest, words, i3, r0, r1)
      if (e <= r) record(filter, ids, i3, e, outIds, outDist, cap)
    }
  }
  for (let i = from + 4 * quarter; i < to; i++) {
    const a = prefixDistance(prefix, words, i, q0, q1)
    if (a > r) continue
    const e = a + restDistance(rest, words, i, r0, r1)
    if (e <= r) record(filter, ids, i, e, outIds, outDist, cap)
  }
}
