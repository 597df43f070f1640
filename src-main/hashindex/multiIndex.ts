import type { CodeBits } from '../hashcode/hashCode'
import { popcount32 } from './words'
import type { TopK } from './topK'

/**
 * Where a search reads codes and ids (views over the index's wasm memory). Codes are split in halves: word w
 * of slot i is words[prefixBase + i·half + w] for w < half, else words[restBase + i·half + w − half].
 */
export interface CodeSource {
  words: Uint32Array
  prefixBase: number
  restBase: number
  half: number
  ids: Int32Array
  idsBase: number
}

/** Whether a candidate slot may be returned (not removed, allowed by the search's filter). */
export type Admit = (slot: number, id: number) => boolean

/** Estimated cost of one probe (directory lookup, binary search, its candidates), in ns, before one is measured. */
const PROBE_NS = 400
/** Estimated cost per table entry when a shell is found by scanning the table instead of probing. */
const SCAN_ENTRY_NS = 8
/** Tables may always use this much memory; beyond it they stay within the per-code budget. */
const TABLE_FLOOR_BYTES = 64 * 2 ** 20

/** One substring table: the slots ordered by the substring's value, with a directory on its low bits. */
interface SubstringTable {
  /** First bit of the substring in the code. */
  offset: number
  /** Bits of the substring (at most 64). */
  length: number
  /** Bits of the directory index (the substring's lowest bits). */
  dirBits: number
  /** dir[v] .. dir[v + 1] is the range of `slots` whose substring's low dirBits bits are v. */
  dir: Uint32Array
  /** Slots ordered by (low dirBits bits, remaining bits, slot). */
  slots: Uint32Array
  /** (word, mask) pairs covering the substring, to take its distance from the XOR of two codes. */
  spans: number[]
}

const BINOMIAL: number[][] = (() => {
  const rows: number[][] = []
  for (let n = 0; n <= 64; n++) {
    const row = [1]
    for (let k = 1; k <= n; k++) row.push((row[k - 1]! * (n - k + 1)) / k)
    rows.push(row)
  }
  return rows
})()

/** Substring values at Hamming distance exactly s from a value of `length` bits. */
function shellSize(length: number, s: number): number {
  return s < 0 || s > length ? 0 : BINOMIAL[length]![s]!
}

/** Directory bits for n codes: about n/8 buckets (never more than the substring has). */
function dirBitsFor(length: number, n: number): number {
  return Math.min(length, Math.max(4, Math.ceil(Math.log2(Math.max(n, 2))) - 3))
}

/**
 * Number of substring tables m for n codes of `bits` bits: K / log2(n) as Norouzi et al. advise (substrings
 * about log2 n bits long, so buckets hold about one code each), but no more than the memory budget allows
 * (codes, ids and tables within maxBytesPerCode, or 64 MiB of tables, whichever is larger), and with
 * substrings of 8 to 64 bits.
 */
export function chooseTableCount(bits: CodeBits, n: number, maxBytesPerCode = 32): number {
  const fewest = Math.max(1, Math.ceil(bits / 64))
  const most = bits / 8
  if (n < 2) return fewest
  const byPaper = Math.round(bits / Math.log2(n))
  const perTable = 4 + (4 * (2 ** dirBitsFor(64, n) + 1)) / n
  const fixed = bits / 8 + 4 + 1 / 8 // code, id, removal bit
  const byMemory = Math.floor(Math.max(TABLE_FLOOR_BYTES / n, maxBytesPerCode - fixed) / perTable)
  return Math.max(fewest, Math.min(most, byPaper, byMemory))
}

/**
 * Multi-index hashing (Norouzi, Punjani, Fleet, CVPR 2012) over slots [0, count) of an index: codes are cut
 * into m substrings, each with a table from substring value to slots. A code within distance r of the query
 * has, by pigeonhole, a substring within ⌊r/m⌋ of the query's, so probing each table within a small radius
 * and verifying candidates on the full code is exact. A candidate is verified only by the first table (and,
 * for k-NN, the first shell) that can reach it, which is known from its substring distances: no visited set.
 */
export class MultiIndex {
  private readonly xor: Uint32Array
  private readonly subDist: Int32Array
  private readonly queryLo: Uint32Array
  private readonly queryHi: Uint32Array
  private readonly combo = new Int32Array(64)
  /** Set by readSubstring. */
  private subLo = 0
  private subHi = 0
  /** Set by bucket. */
  private from = 0
  private to = 0
  /** performance.now() by which the running search must finish, or give up. */
  private deadline = Infinity
  /** Measured cost of a probe with its candidates, in ns (moving average over searches). */
  private probeNs = PROBE_NS

  private constructor(
    readonly bits: CodeBits,
    /** Slots covered: [0, count). */
    readonly count: number,
    private readonly tables: SubstringTable[],
  ) {
    this.xor = new Uint32Array(bits / 32)
    this.subDist = new Int32Array(tables.length)
    this.queryLo = new Uint32Array(tables.length)
    this.queryHi = new Uint32Array(tables.length)
  }

  /** Builds m tables over slots [0, count) by LSD radix sort of each substring (no slot may be removed). */
  static build(bits: CodeBits, src: CodeSource, count: number, m: number): MultiIndex {
    MultiIndex.assertTableCount(bits, m)
    const tables: SubstringTable[] = []
    const base = Math.floor(bits / m)
    const longer = bits % m
    const scratch = new SortScratch(count, base + (longer > 0 ? 1 : 0) > 32)
    let offset = 0
    for (let t = 0; t < m; t++) {
      const length = base + (t < longer ? 1 : 0)
      const dirBits = dirBitsFor(length, count)
      tables.push({ offset, length, dirBits, ...sortSubstrings(src, count, offset, length, dirBits, scratch), spans: spansOf(offset, length) })
      offset += length
    }
    return new MultiIndex(bits, count, tables)
  }

  /** Throws unless m tables give substrings of 8 to 64 bits. */
  static assertTableCount(bits: CodeBits, m: number): void {
    if (!Number.isInteger(m) || m < Math.ceil(bits / 64) || m > bits / 8) {
      throw new Error(`${m} substring tables do not fit ${bits}-bit codes: use ${Math.ceil(bits / 64)}–${bits / 8}`)
    }
  }

  /** Number of tables m. */
  get tableCount(): number {
    return this.tables.length
  }

  /** Bits of each substring. */
  get substringBits(): number[] {
    return this.tables.map((t) => t.length)
  }

  /** Bytes held by the tables. */
  bytes(): number {
    return this.tables.reduce((sum, t) => sum + t.dir.byteLength + t.slots.byteLength, 0)
  }

  /** Probes a radius search makes (r = m·r' + a: tables 0..a within r', the others within r' − 1). */
  radiusProbes(r: number): number {
    let probes = 0
    for (let i = 0; i < this.tables.length; i++) {
      const t = this.tables[i]!
      for (let s = 0; s <= this.radiusOf(i, r); s++) probes += Math.min(shellSize(t.length, s), this.count)
    }
    return probes
  }

  /** Estimated time of that radius search in ms (probes at their measured cost). */
  radiusMs(r: number): number {
    return (this.radiusProbes(r) * this.probeNs) / 1e6
  }

  /**
   * Emits every admitted code of slots [0, count) within distance r, in no particular order. False (and
   * partial output) when it would not finish by `deadline` (a performance.now() time): the caller then scans.
   */
  radius(src: CodeSource, query: Uint32Array, r: number, admit: Admit, emit: (id: number, distance: number) => void, deadline: number): boolean {
    this.start(query, deadline)
    const m = this.tables.length
    for (let i = 0; i < m; i++) {
      const rho = this.radiusOf(i, r)
      for (let s = 0; s <= Math.min(rho, this.tables[i]!.length); s++) {
        const complete = this.shell(src, i, s, (slot) => {
          const d = this.distances(src, slot, query)
          // Owned by an earlier table that reaches it?
          for (let j = 0; j < i; j++) if (this.subDist[j]! <= this.radiusOf(j, r)) return
          if (d > r) return
          const id = src.ids[src.idsBase + slot]!
          if (admit(slot, id)) emit(id, d)
        })
        if (!complete) return false
      }
    }
    return true
  }

  /**
   * Pushes admitted codes of slots [0, count) into `top` shell by shell (substring distance 0, 1, … in each
   * table in turn) until the k-th best is provably final: after shell s of table i, every code within
   * m·s + i has been seen. False when it would not finish by `deadline` (`top` then holds a partial result).
   */
  nearest(src: CodeSource, query: Uint32Array, admit: Admit, top: TopK, deadline: number): boolean {
    this.start(query, deadline)
    const m = this.tables.length
    const longest = Math.max(...this.tables.map((t) => t.length))
    let seen = 0
    for (let s = 0; s <= longest; s++) {
      for (let i = 0; i < m; i++) {
        if (s > this.tables[i]!.length) continue
        const complete = this.shell(src, i, s, (slot) => {
          const d = this.distances(src, slot, query)
          // Seen before: in an earlier shell of any table, or in this shell of an earlier table?
          for (let j = 0; j < m; j++) {
            const dj = this.subDist[j]!
            if (dj < s || (dj === s && j < i)) return
          }
          seen++
          const id = src.ids[src.idsBase + slot]!
          if (admit(slot, id)) top.push(d, id)
        })
        if (!complete) return false
        if (seen === this.count || (top.full && top.worstDistance() <= m * s + i)) return true
        // Give up early when proving the current k-th distance needs more probes than the time left.
        if (top.full && this.deadline !== Infinity) {
          const needed = this.probesUntil(s, i, top.worstDistance())
          if (performance.now() + (needed * this.probeNs) / 1e6 > this.deadline) return false
        }
      }
    }
    return true
  }

  /** Probes of the steps after (s, i) until every code within distance `radius` has been seen. */
  private probesUntil(s: number, i: number, radius: number): number {
    const m = this.tables.length
    let probes = 0
    for (let step = s * m + i + 1; step <= radius && probes < 1e12; step++) {
      const t = this.tables[step % m]!
      probes += Math.min(shellSize(t.length, Math.floor(step / m)), t.slots.length)
    }
    return probes
  }

  private radiusOf(i: number, r: number): number {
    const m = this.tables.length
    return Math.floor(r / m) - (i <= r % m ? 0 : 1)
  }

  private start(query: Uint32Array, deadline: number): void {
    this.deadline = deadline
    for (let i = 0; i < this.tables.length; i++) {
      const t = this.tables[i]!
      this.queryLo[i] = bitsOf(query, t.offset, Math.min(32, t.length))
      this.queryHi[i] = t.length > 32 ? bitsOf(query, t.offset + 32, t.length - 32) : 0
    }
  }

  /** Full distance of a slot to the query; fills subDist with each substring's distance. */
  private distances(src: CodeSource, slot: number, query: Uint32Array): number {
    const { words, half } = src
    const x = this.xor
    const p = src.prefixBase + slot * half
    const q = src.restBase + slot * half
    let d = 0
    for (let w = 0; w < half; w++) {
      x[w] = words[p + w]! ^ query[w]!
      x[half + w] = words[q + w]! ^ query[half + w]!
      d += popcount32(x[w]!) + popcount32(x[half + w]!)
    }
    for (let j = 0; j < this.tables.length; j++) {
      const spans = this.tables[j]!.spans
      let dj = 0
      for (let k = 0; k < spans.length; k += 2) dj += popcount32(x[spans[k]!]! & spans[k + 1]!)
      this.subDist[j] = dj
    }
    return d
  }

  /**
   * Calls visit for every slot of table i whose substring is at distance exactly s from the query's: by
   * probing each such value, or by scanning the table when that is cheaper. False when the deadline passes
   * (checked before the shell, from the measured cost of a probe, and every 32 probes or 4096 candidates).
   */
  private shell(src: CodeSource, i: number, s: number, visit: (slot: number) => void): boolean {
    const t = this.tables[i]!
    const probes = shellSize(t.length, s)
    const started = performance.now()
    const scan = probes * this.probeNs > t.slots.length * SCAN_ENTRY_NS
    if (started + (scan ? t.slots.length * SCAN_ENTRY_NS : probes * this.probeNs) / 1e6 > this.deadline) return false
    if (scan) {
      const qlo = this.queryLo[i]!
      const qhi = this.queryHi[i]!
      for (let j = 0; j < t.slots.length; j++) {
        const slot = t.slots[j]!
        this.readSubstring(src, t, slot)
        if (popcount32(this.subLo ^ qlo) + popcount32(this.subHi ^ qhi) === s) visit(slot)
        if ((j & 4095) === 4095 && performance.now() > this.deadline) return false
      }
      return true
    }
    const combo = this.combo
    for (let c = 0; c < s; c++) combo[c] = c
    let done = 0
    let sinceCheck = 0
    for (;;) {
      let lo = this.queryLo[i]!
      let hi = this.queryHi[i]!
      for (let c = 0; c < s; c++) {
        const bit = combo[c]!
        if (bit < 32) lo ^= 1 << bit
        else hi ^= 1 << (bit - 32)
      }
      this.bucket(src, t, lo >>> 0, hi >>> 0)
      for (let j = this.from; j < this.to; j++) visit(t.slots[j]!)
      done++
      sinceCheck += 8 + this.to - this.from
      if (sinceCheck > 4096 && this.deadline !== Infinity) {
        sinceCheck = 0
        if (performance.now() > this.deadline) return false
      }
      // Next combination of s bit positions out of t.length.
      let c = s - 1
      while (c >= 0 && combo[c] === t.length - s + c) c--
      if (c < 0) break
      combo[c]!++
      for (let e = c + 1; e < s; e++) combo[e] = combo[e - 1]! + 1
    }
    if (done >= 16) this.probeNs = 0.8 * this.probeNs + (0.2 * ((performance.now() - started) * 1e6)) / done
    return true
  }

  /** Sets from/to to the range of table t's slots whose substring is (lo, hi). */
  private bucket(src: CodeSource, t: SubstringTable, lo: number, hi: number): void {
    const d = (lo & (2 ** t.dirBits - 1)) >>> 0
    let a = t.dir[d]!
    let b = t.dir[d + 1]!
    if (t.length > t.dirBits && a < b) {
      // Entries of one directory bucket are ordered by the substring's higher bits: binary search.
      let l = a
      let u = b
      while (l < u) {
        const mid = (l + u) >>> 1
        this.readSubstring(src, t, t.slots[mid]!)
        if (this.subHi < hi || (this.subHi === hi && this.subLo < lo)) l = mid + 1
        else u = mid
      }
      a = l
      u = b
      while (l < u) {
        const mid = (l + u) >>> 1
        this.readSubstring(src, t, t.slots[mid]!)
        if (this.subHi < hi || (this.subHi === hi && this.subLo <= lo)) l = mid + 1
        else u = mid
      }
      b = l
    }
    this.from = a
    this.to = b
  }

  private readSubstring(src: CodeSource, t: SubstringTable, slot: number): void {
    this.subLo = slotBits(src, slot, t.offset, Math.min(32, t.length))
    this.subHi = t.length > 32 ? slotBits(src, slot, t.offset + 32, t.length - 32) : 0
  }
}

/** Bits [offset, offset + n) of a code given as words (n ≤ 32), as an unsigned number. */
function bitsOf(words: Uint32Array, offset: number, n: number): number {
  const w = offset >>> 5
  const shift = offset & 31
  let v = words[w]! >>> shift
  if (shift !== 0 && shift + n > 32) v |= words[w + 1]! << (32 - shift)
  return n === 32 ? v >>> 0 : (v & ((1 << n) - 1)) >>> 0
}

function slotWord(src: CodeSource, slot: number, w: number): number {
  return w < src.half ? src.words[src.prefixBase + slot * src.half + w]! : src.words[src.restBase + slot * src.half + w - src.half]!
}

/** Bits [offset, offset + n) of a slot's code (n ≤ 32). */
function slotBits(src: CodeSource, slot: number, offset: number, n: number): number {
  const w = offset >>> 5
  const shift = offset & 31
  let v = slotWord(src, slot, w) >>> shift
  if (shift !== 0 && shift + n > 32) v |= slotWord(src, slot, w + 1) << (32 - shift)
  return n === 32 ? v >>> 0 : (v & ((1 << n) - 1)) >>> 0
}

/** Bits [offset, offset + n) (n ≤ 32) of slots [0, count) into out: slotBits without a call per slot. */
function extractBits(src: CodeSource, count: number, offset: number, n: number, out: Uint32Array): void {
  const { words, half } = src
  const w = offset >>> 5
  const shift = offset & 31
  const base = (word: number): number => (word < half ? src.prefixBase + word : src.restBase + word - half)
  const first = base(w)
  const second = shift !== 0 && shift + n > 32 ? base(w + 1) : -1
  const mask = n === 32 ? 0xffffffff : (1 << n) - 1
  for (let i = 0, at = 0; i < count; i++, at += half) {
    let v = words[first + at]! >>> shift
    if (second >= 0) v |= words[second + at]! << (32 - shift)
    out[i] = (v & mask) >>> 0
  }
}

function spansOf(offset: number, length: number): number[] {
  const spans: number[] = []
  for (let w = offset >>> 5; w <= (offset + length - 1) >>> 5; w++) {
    const low = Math.max(offset, w * 32) - w * 32
    const high = Math.min(offset + length, w * 32 + 32) - w * 32
    const width = high - low
    spans.push(w, width === 32 ? 0xffffffff : (((1 << width) - 1) << low) >>> 0)
  }
  return spans
}

/** Buffers of the radix sort, shared by the tables of one build (fewer short-lived arrays for the GC). */
class SortScratch {
  readonly lo: Uint32Array
  readonly lo2: Uint32Array
  readonly hi: Uint32Array | null
  readonly hi2: Uint32Array | null
  readonly slots: Uint32Array
  readonly slots2: Uint32Array
  readonly digits: Uint16Array
  readonly counts = new Uint32Array(1 << 16)

  constructor(count: number, wide: boolean) {
    this.lo = new Uint32Array(count)
    this.lo2 = new Uint32Array(count)
    this.hi = wide ? new Uint32Array(count) : null
    this.hi2 = wide ? new Uint32Array(count) : null
    this.slots = new Uint32Array(count)
    this.slots2 = new Uint32Array(count)
    this.digits = new Uint16Array(count)
  }
}

/**
 * Slots [0, count) ordered by one substring: LSD radix sort on the bits above the directory (16 at a time),
 * then a counting pass on the directory bits, whose counts become the directory. Stable, so equal substrings
 * keep slot order.
 */
function sortSubstrings(
  src: CodeSource,
  count: number,
  offset: number,
  length: number,
  dirBits: number,
  scratch: SortScratch,
): { dir: Uint32Array; slots: Uint32Array } {
  let lo = scratch.lo
  let hi = length > 32 ? scratch.hi : null
  let slots = scratch.slots
  extractBits(src, count, offset, Math.min(32, length), lo)
  if (hi) extractBits(src, count, offset + 32, length - 32, hi)
  if (length <= 22) return sortShort(lo, count, length, dirBits, scratch)
  for (let i = 0; i < count; i++) slots[i] = i
  if (length > dirBits) {
    let lo2 = scratch.lo2
    let hi2 = hi ? scratch.hi2 : null
    let slots2 = scratch.slots2
    const { counts, digits } = scratch
    for (let at = dirBits; at < length; at += 16) {
      const width = Math.min(16, length - at)
      const mask = (1 << width) - 1
      const shift = at & 31
      const L = lo
      const H = hi
      // The digit lies in lo, in hi, or straddles both.
      if (at + width <= 32) for (let i = 0; i < count; i++) digits[i] = (L[i]! >>> shift) & mask
      else if (at >= 32) for (let i = 0; i < count; i++) digits[i] = (H![i]! >>> shift) & mask
      else for (let i = 0; i < count; i++) digits[i] = ((L[i]! >>> shift) | (H![i]! << (32 - shift))) & mask
      counts.fill(0, 0, mask + 1)
      for (let i = 0; i < count; i++) counts[digits[i]!]!++
      let sum = 0
      for (let d = 0; d <= mask; d++) {
        const c = counts[d]!
        counts[d] = sum
        sum += c
      }
      const L2 = lo2
      const S = slots
      const S2 = slots2
      if (H) {
        const H2 = hi2!
        for (let i = 0; i < count; i++) {
          const pos = counts[digits[i]!]!++
          L2[pos] = L[i]!
          H2[pos] = H[i]!
          S2[pos] = S[i]!
        }
      } else {
        for (let i = 0; i < count; i++) {
          const pos = counts[digits[i]!]!++
          L2[pos] = L[i]!
          S2[pos] = S[i]!
        }
      }
      ;[lo, lo2] = [lo2, lo]
      ;[hi, hi2] = [hi2, hi]
      ;[slots, slots2] = [slots2, slots]
    }
  }
  const buckets = 2 ** dirBits
  const mask = buckets - 1
  const dir = new Uint32Array(buckets + 1)
  for (let i = 0; i < count; i++) dir[(lo[i]! & mask) + 1]!++
  for (let d = 0; d < buckets; d++) dir[d + 1]! += dir[d]!
  const next = dir.slice(0, buckets)
  const out = new Uint32Array(count)
  for (let i = 0; i < count; i++) out[next[lo[i]! & mask]!++] = slots[i]!
  return { dir, slots: out }
}

/**
 * sortSubstrings for substrings of at most 22 bits: one counting sort on the key (directory bits, then the
 * bits above them), 2^length counters.
 */
function sortShort(lo: Uint32Array, count: number, length: number, dirBits: number, scratch: SortScratch): { dir: Uint32Array; slots: Uint32Array } {
  const restBits = length - dirBits
  const dirMask = 2 ** dirBits - 1
  const keys = scratch.lo2
  const counts = new Uint32Array(2 ** length + 1)
  for (let i = 0; i < count; i++) {
    const v = lo[i]!
    const key = ((v & dirMask) << restBits) | (v >>> dirBits)
    keys[i] = key
    counts[key + 1]!++
  }
  for (let key = 0; key < 2 ** length; key++) counts[key + 1]! += counts[key]!
  const buckets = 2 ** dirBits
  const dir = new Uint32Array(buckets + 1)
  for (let d = 0; d <= buckets; d++) dir[d] = counts[d << restBits]!
  const out = new Uint32Array(count)
  for (let i = 0; i < count; i++) out[counts[keys[i]!]!++] = i
  return { dir, slots: out }
}
