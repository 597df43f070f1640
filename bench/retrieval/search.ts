/** Brute-force rankings every method shares: packed sign bits, Hamming distances, exact cosine and Euclidean order. */

/** Set bits of a 32-bit word. */
export function popcount(x: number): number {
  x -= (x >>> 1) & 0x55555555
  x = (x & 0x33333333) + ((x >>> 2) & 0x33333333)
  return (((x + (x >>> 4)) & 0x0f0f0f0f) * 0x01010101) >>> 24
}

/** Sign bits of `dims`-dimensional rows → packed 32-bit words (bit j of row = value j > 0). */
export function signWords(values: Float32Array, rows: number, dims: number): Uint32Array {
  const words = dims / 32
  const out = new Uint32Array(rows * words)
  for (let r = 0; r < rows; r++) {
    for (let j = 0; j < dims; j++) if (values[r * dims + j]! > 0) out[r * words + (j >>> 5)]! |= 1 << (j & 31)
  }
  return out
}

/** Hamming distances of one packed code (32-bit words) to every database code. */
export function hammingAll(q: Uint32Array, db: Uint32Array, words: number): Float64Array {
  const n = db.length / words
  const out = new Float64Array(n)
  for (let i = 0; i < n; i++) {
    let d = 0
    for (let w = 0; w < words; w++) d += popcount(q[w]! ^ db[i * words + w]!)
    out[i] = d
  }
  return out
}

/** The top `k` database indices of one query by ascending distance, ties by index. */
export function topByDistance(dist: Float64Array, k: number): number[] {
  // The k-th smallest distance from a native numeric sort of a copy; only indices up to it are ordered.
  const limit = k >= dist.length ? Infinity : Float64Array.from(dist).sort()[k - 1]!
  const order: number[] = []
  for (let i = 0; i < dist.length; i++) if (dist[i]! <= limit) order.push(i)
  order.sort((a, b) => dist[a]! - dist[b]! || a - b)
  return order.slice(0, k)
}

/** Every `dims`-dimensional row scaled to unit length (a zero row stays zero). */
function unitRows(a: Float32Array, dims: number): Float32Array {
  const n = a.length / dims
  const out = new Float32Array(n * dims)
  for (let r = 0; r < n; r++) {
    let s = 0
    for (let j = 0; j < dims; j++) s += a[r * dims + j]! ** 2
    const inv = 1 / Math.sqrt(s || 1)
    for (let j = 0; j < dims; j++) out[r * dims + j] = a[r * dims + j]! * inv
  }
  return out
}

/** The top `k` database rows of every query row by exact cosine similarity (rows are normalised once). */
export function cosineRanking(queries: Float32Array, db: Float32Array, dims: number, k: number): number[][] {
  const qN = unitRows(queries, dims)
  const dN = unitRows(db, dims)
  const nQ = queries.length / dims
  const nDb = db.length / dims
  return Array.from({ length: nQ }, (_, q) => {
    const d = new Float64Array(nDb)
    for (let i = 0; i < nDb; i++) {
      let s = 0
      for (let j = 0; j < dims; j++) s += qN[q * dims + j]! * dN[i * dims + j]!
      d[i] = -s
    }
    return topByDistance(d, k)
  })
}

/** The top `k` database vectors of every query vector by (squared) Euclidean distance. */
export function euclideanRanking(queries: number[][], db: number[][], k: number): number[][] {
  return queries.map((q) => {
    const d = new Float64Array(db.length)
    db.forEach((v, i) => (d[i] = v.reduce((s, x, b) => s + (x - q[b]!) ** 2, 0)))
    return topByDistance(d, k)
  })
}
