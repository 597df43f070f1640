/** Test and benchmark helpers shared across runtimes' test folders. */
import type Database from 'better-sqlite3'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import type { ModelFolders } from '../src-main/inference/modelRegistry'
import { ModelRegistry } from '../src-main/inference/modelRegistry'

/** The checkout's root. */
export const REPO_ROOT = fileURLToPath(new URL('..', import.meta.url))

/**
 * The model folders tests use: the shipped resources/models and, unless given, a user folder that does
 * not exist (tests never see the machine's own ~/.earthqube/models).
 */
export function testModelFolders(user = join(tmpdir(), 'earthqube-tests-no-user-models')): ModelFolders {
  return { shipped: join(REPO_ROOT, 'resources', 'models'), user }
}

/** A model registry over `testModelFolders`. */
export function testModels(user?: string): ModelRegistry {
  return new ModelRegistry(testModelFolders(user))
}

/**
 * Archive 1 and patches 1..n named `<prefix><i>`, with only the columns the schema requires: rows for
 * hash codes to belong to, in tests and benchmarks of the code tables.
 */
export function insertBarePatches(db: Database.Database, n: number, prefix: string): void {
  db.exec(`INSERT INTO archives (id, name, nomenclature) VALUES (1, 'synthetic', 'ben19')`)
  db.prepare(
    `WITH RECURSIVE seq(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM seq WHERE i < ?)
     INSERT INTO patches (id, name, archive_id, satellite, acquired_at, season, epsg, utm_west, utm_south, utm_east,
       utm_north, footprint, labels_mask)
     SELECT i, ? || i, 1, 'S2A', 1500000000 + i, 1, 32633, 0, 0, 1200, 1200, zeroblob(64), 0 FROM seq`,
  ).run(n, prefix)
}

/** A seeded pseudo-random generator in [0, 1) (mulberry32): data sets are the same on every run. */
export function rng(seed: number): () => number {
  let a = seed >>> 0
  return () => {
    a = (a + 0x6d2b79f5) >>> 0
    let t = a
    t = Math.imul(t ^ (t >>> 15), t | 1)
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61)
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296
  }
}

/** Hamming distance between two byte codes, bit by bit (an oracle independent of the index's kernels). */
export function hammingBytes(a: Uint8Array, b: Uint8Array): number {
  let d = 0
  for (let i = 0; i < a.length; i++) {
    let x = a[i]! ^ b[i]!
    while (x) {
      d += x & 1
      x >>= 1
    }
  }
  return d
}
