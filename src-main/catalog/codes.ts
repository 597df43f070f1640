import type Database from 'better-sqlite3'
import type { CodeBits } from '../hashcode/hashCode'
import { isCodeBits } from '../hashcode/hashCode'


/** A hash model whose codes the catalog stores. */
export interface HashModelInfo {
  id: string
  bits: CodeBits
  description: string | null
  /**
   * SHA-256 (hex) of the model file that made the codes, or null when unknown. Catalogs migrated from
   * schema 3 hold only its first 16 hex digits: compare with `sameModelFile`.
   */
  modelSha256: string | null
  createdAt: string
}

/** True when a stored model SHA-256 (full, or the 16-digit prefix older catalogs kept) is this file's. */
export function sameModelFile(stored: string, sha256: string): boolean {
  return stored.length >= 16 && sha256.startsWith(stored)
}

/** All codes of one model, contiguous: code i is words [i·W, (i+1)·W) with W = bits / 32. */
export interface StoredCodes {
  bits: CodeBits
  /** Patch id of each code, ascending. */
  ids: Int32Array
  /** Little-endian 32-bit words of the codes' bytes. */
  words: Uint32Array
}

/** The hash model of this id, registered with its code length if new; a length clash is an error. */
export function ensureHashModel(
  db: Database.Database,
  id: string,
  bits: number,
  made: { description?: string | null; modelSha256?: string | null } = {},
): HashModelInfo {
  if (!/^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/.test(id)) {
    throw new Error(`model id ${JSON.stringify(id)} is not valid: use 1–64 letters, digits, ".", "_" or "-"`)
  }
  if (!isCodeBits(bits)) throw new Error(`a hash model has 64, 128 or 256 bits, not ${bits}`)
  const row = hashModel(db, id)
  if (row) {
    if (row.bits !== bits) throw new Error(`hash model "${id}" has ${row.bits}-bit codes, not ${bits}`)
    return row
  }
  const createdAt = new Date().toISOString()
  const description = made.description ?? null
  const modelSha256 = made.modelSha256 ?? null
  db.prepare('INSERT INTO hash_models (id, bits, description, model_sha256, created_at) VALUES (?, ?, ?, ?, ?)').run(
    id,
    bits,
    description,
    modelSha256,
    createdAt,
  )
  return { id, bits, description, modelSha256, createdAt }
}

/** The hash model of this id, or undefined. */
export function hashModel(db: Database.Database, id: string): HashModelInfo | undefined {
  return db
    .prepare('SELECT id, bits, description, model_sha256 AS modelSha256, created_at AS createdAt FROM hash_models WHERE id = ?')
    .get(id) as HashModelInfo | undefined
}

/** Removes a hash model with all its codes and its snapshot (one transaction). */
export function dropHashModel(db: Database.Database, id: string): void {
  db.transaction(() => {
    db.prepare('DELETE FROM patch_codes WHERE model_id = ?').run(id)
    db.prepare('DELETE FROM hash_models WHERE id = ?').run(id)
  })()
}

/** Every hash model with its number of codes. */
export function hashModels(db: Database.Database): (HashModelInfo & { codes: number })[] {
  return db
    .prepare(
      `SELECT m.id, m.bits, m.description, m.model_sha256 AS modelSha256, m.created_at AS createdAt, count(c.patch_id) AS codes
       FROM hash_models m LEFT JOIN patch_codes c ON c.model_id = m.id GROUP BY m.id ORDER BY m.id`,
    )
    .all() as (HashModelInfo & { codes: number })[]
}

/**
 * Stores (or replaces) codes of a model, all or nothing: every code must have bits/8 bytes and name a
 * patch of the catalog, else nothing is written and the error names the first bad entry.
 */
export function storeCodes(db: Database.Database, modelId: string, entries: Iterable<{ patchId: number; code: Uint8Array }>): number {
  const model = hashModel(db, modelId)
  if (!model) throw new Error(`unknown hash model "${modelId}"`)
  const bytes = model.bits / 8
  const exists = db.prepare('SELECT 1 FROM patches WHERE id = ?').pluck()
  const put = db.prepare('INSERT OR REPLACE INTO patch_codes (model_id, patch_id, code) VALUES (?, ?, ?)')
  let n = 0
  db.transaction(() => {
    for (const { patchId, code } of entries) {
      if (code.byteLength !== bytes) {
        throw new Error(`code for patch ${patchId} has ${code.byteLength * 8} bits; model "${modelId}" has ${model.bits}`)
      }
      if (exists.get(patchId) === undefined) throw new Error(`no patch with id ${patchId} for a code of model "${modelId}"`)
      put.run(modelId, patchId, Buffer.from(code.buffer, code.byteOffset, code.byteLength))
      n++
    }
  })()
  return n
}

/** Every code of a model with its patch's name, by name (streamed, for printing). */
export function codesByName(db: Database.Database, modelId: string): IterableIterator<[string, Buffer]> {
  return db
    .prepare('SELECT p.name, c.code FROM patch_codes c JOIN patches p ON p.id = c.patch_id WHERE c.model_id = ? ORDER BY p.name')
    .raw()
    .iterate(modelId) as IterableIterator<[string, Buffer]>
}

/** Removes a patch's code of a model; true when there was one. */
export function deleteCode(db: Database.Database, modelId: string, patchId: number): boolean {
  return db.prepare('DELETE FROM patch_codes WHERE model_id = ? AND patch_id = ?').run(modelId, patchId).changes > 0
}

/** Loads every code of a model into contiguous words: from its packed snapshot when current (milliseconds), else row by row (and then saves the snapshot). */
export function loadCodes(db: Database.Database, modelId: string): StoredCodes {
  const model = hashModel(db, modelId)
  if (!model) throw new Error(`unknown hash model "${modelId}"`)
  const generation = db.prepare('SELECT generation FROM hash_models WHERE id = ?').pluck().get(modelId) as number
  const snapshot = db.prepare('SELECT generation, ids, codes FROM code_snapshots WHERE model_id = ?').get(modelId) as
    | { generation: number; ids: Buffer; codes: Buffer }
    | undefined
  if (snapshot && snapshot.generation === generation && snapshot.codes.length === snapshot.ids.length * (model.bits / 32)) {
    const ids = new Int32Array(snapshot.ids.length / 4)
    new Uint8Array(ids.buffer).set(snapshot.ids)
    const words = new Uint32Array(snapshot.codes.length / 4)
    new Uint8Array(words.buffer).set(snapshot.codes)
    return { bits: model.bits, ids, words }
  }
  const loaded = loadCodeRows(db, modelId, model.bits)
  if (!db.readonly) {
    db.prepare('INSERT OR REPLACE INTO code_snapshots (model_id, generation, ids, codes) VALUES (?, ?, ?, ?)').run(
      modelId,
      generation,
      Buffer.from(loaded.ids.buffer, loaded.ids.byteOffset, loaded.ids.byteLength),
      Buffer.from(loaded.words.buffer, loaded.words.byteOffset, loaded.words.byteLength),
    )
  }
  return loaded
}

/** Reads a model's codes row by row (about 0.7 s for 549k 128-bit codes). */
function loadCodeRows(db: Database.Database, modelId: string, bits: CodeBits): StoredCodes {
  const n = db.prepare('SELECT count(*) FROM patch_codes WHERE model_id = ?').pluck().get(modelId) as number
  const wordsPerCode = bits / 32
  const ids = new Int32Array(n)
  const words = new Uint32Array(n * wordsPerCode)
  const bytes = new Uint8Array(words.buffer)
  const rows = db
    .prepare('SELECT patch_id, code FROM patch_codes WHERE model_id = ? ORDER BY patch_id')
    .raw()
    .iterate(modelId) as IterableIterator<[number, Buffer]>
  let i = 0
  for (const [id, code] of rows) {
    ids[i] = id
    bytes.set(code, i * wordsPerCode * 4)
    i++
  }
  // Words are read little-endian on every platform the app runs on (x64, arm64).
  return { bits, ids, words }
}

/** What changes when a model's codes change: its creation time and the generation its triggers bump ('none' when absent). */
export function codesVersion(db: Database.Database, modelId: string): string {
  return String(db.prepare("SELECT created_at || ':' || generation FROM hash_models WHERE id = ?").pluck().get(modelId) ?? 'none')
}

/** A patch that has pixels, as indexing reads it. */
export interface PatchWithPixels {
  id: number
  name: string
  pixels_path: string
}

/** How many patches have pixels, and how many of those already have a code of the model. */
export function codeCoverage(db: Database.Database, modelId: string): { withPixels: number; coded: number } {
  const withPixels = db.prepare('SELECT count(*) FROM patches WHERE pixels_path IS NOT NULL').pluck().get() as number
  const coded = db
    .prepare(
      `SELECT count(*) FROM patches p JOIN patch_codes c ON c.patch_id = p.id AND c.model_id = ?
       WHERE p.pixels_path IS NOT NULL`,
    )
    .pluck()
    .get(modelId) as number
  return { withPixels, coded }
}

/** Reads, batch by batch in id order, the patches with pixels and no code of a model yet. */
export function uncodedPatches(db: Database.Database, modelId: string): (afterId: number, limit: number) => PatchWithPixels[] {
  const next = db.prepare(
    `SELECT id, name, pixels_path FROM patches p
     WHERE p.pixels_path IS NOT NULL AND p.id > ?
       AND NOT EXISTS (SELECT 1 FROM patch_codes c WHERE c.model_id = ? AND c.patch_id = p.id)
     ORDER BY p.id LIMIT ?`,
  )
  return (afterId, limit) => next.all(afterId, modelId, limit) as PatchWithPixels[]
}
