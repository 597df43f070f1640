import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { Catalog } from '../../../src-main/catalog/catalog'
import { codeToHex } from '../../../src-main/hashcode/hashCode'
import { deleteCode, ensureHashModel, hashModels, loadCodes, sameModelFile, storeCodes } from '../../../src-main/catalog/codes'
import { importReben } from '../../../src-main/ingest/reben'
import { HashIndex } from '../../../src-main/hashindex/hashIndex'
import { syntheticRows, writeRebenParquet } from '../fixtures'
import { hammingBytes, rng } from '../../support'

describe('hash codes in the catalog', () => {
  let dir: string
  let file: string
  let ids: number[]

  beforeEach(async () => {
    dir = mkdtempSync(join(tmpdir(), 'eq-codes-'))
    file = join(dir, 'c.db')
    const c = Catalog.open(file)
    await importReben(c, [writeRebenParquet(join(dir, 'm.parquet'), syntheticRows(120))])
    ids = c.db.prepare('SELECT id FROM patches ORDER BY id').pluck().all() as number[]
    c.close()
  })
  afterEach(() => rmSync(dir, { recursive: true, force: true }))

  it.each([64, 128, 256])('round-trips %i-bit codes through the file into a hash index that finds them', async (bits) => {
    const random = rng(bits)
    const codes = new Map(ids.map((id) => [id, Uint8Array.from({ length: bits / 8 }, () => Math.floor(random() * 256))]))
    let c = Catalog.open(file)
    ensureHashModel(c.db, `m${bits}`, bits)
    expect(storeCodes(c.db, `m${bits}`, [...codes].map(([patchId, code]) => ({ patchId, code })))).toBe(ids.length)
    c.close()
    c = Catalog.open(file)
    const stored = loadCodes(c.db, `m${bits}`)
    expect(stored.bits).toBe(bits)
    expect([...stored.ids]).toEqual(ids)
    const bytes = new Uint8Array(stored.words.buffer)
    ids.forEach((id, i) => expect(codeToHex(bytes.subarray(i * (bits / 8), (i + 1) * (bits / 8)))).toBe(codeToHex(codes.get(id)!)))
    const index = HashIndex.fromArrays(stored.bits, stored.ids, stored.words)
    const query = codes.get(ids[7]!)!
    const nearest = await index.knn(query, 3)
    const expected = ids.map((id) => ({ id, distance: hammingBytes(query, codes.get(id)!) })).sort((a, b) => a.distance - b.distance || a.id - b.id).slice(0, 3)
    expect(nearest).toEqual(expected)
    index.close()
    expect(hashModels(c.db)).toEqual([expect.objectContaining({ id: `m${bits}`, bits, codes: ids.length })])
    expect(deleteCode(c.db, `m${bits}`, ids[0]!)).toBe(true)
    expect(loadCodes(c.db, `m${bits}`).ids).toHaveLength(ids.length - 1)
    c.close()
  })

  it('keeps the packed snapshot in step with every change to the codes', () => {
    const c = Catalog.open(file)
    ensureHashModel(c.db, 'm', 64)
    const code = (v: number): Uint8Array => new Uint8Array(8).fill(v)
    storeCodes(c.db, 'm', ids.slice(0, 10).map((patchId, i) => ({ patchId, code: code(i) })))
    const first = loadCodes(c.db, 'm') // row by row, then saved
    expect(c.db.prepare('SELECT count(*) FROM code_snapshots').pluck().get()).toBe(1)
    expect(loadCodes(c.db, 'm')).toEqual(first) // from the snapshot
    storeCodes(c.db, 'm', [{ patchId: ids[3]!, code: code(200) }, { patchId: ids[50]!, code: code(201) }])
    deleteCode(c.db, 'm', ids[0]!)
    const changed = loadCodes(c.db, 'm')
    expect([...changed.ids]).toEqual([...ids.slice(1, 10), ids[50]])
    expect(new Uint8Array(changed.words.buffer)[2 * 8]).toBe(200)
    expect(loadCodes(c.db, 'm')).toEqual(changed)
    c.close()
  })

  it('stores nothing when one code is bad, and names it', () => {
    const c = Catalog.open(file)
    ensureHashModel(c.db, 'm', 128)
    storeCodes(c.db, 'm', [{ patchId: ids[0]!, code: new Uint8Array(16) }])
    const good = { patchId: ids[1]!, code: new Uint8Array(16).fill(255) }
    expect(() => storeCodes(c.db, 'm', [good, { patchId: ids[2]!, code: new Uint8Array(12) }])).toThrow(`code for patch ${ids[2]} has 96 bits; model "m" has 128`)
    expect(() => storeCodes(c.db, 'm', [good, { patchId: 99_999, code: new Uint8Array(16) }])).toThrow('no patch with id 99999 for a code of model "m"')
    expect(() => storeCodes(c.db, 'other', [good])).toThrow('unknown hash model "other"')
    expect([...loadCodes(c.db, 'm').ids]).toEqual([ids[0]])
    expect(() => ensureHashModel(c.db, 'm', 64)).toThrow('hash model "m" has 128-bit codes, not 64')
    expect(() => ensureHashModel(c.db, 'x', 100)).toThrow('a hash model has 64, 128 or 256 bits, not 100')
    expect(() => ensureHashModel(c.db, "m'; DROP TABLE patches; --", 128)).toThrow(/model id .* is not valid/)
    expect(c.count()).toBe(120)
    c.close()
  })

  it('keeps which model file made the codes: a column since schema 4, carried over from older descriptions', () => {
    let c = Catalog.open(file)
    ensureHashModel(c.db, 'new', 128, { description: 'MiLaN 128-bit', modelSha256: 'ab'.repeat(32) })
    ensureHashModel(c.db, 'old', 128)
    ensureHashModel(c.db, 'plain', 64, { description: 'no stamp here' })
    // Put the catalog back to schema 3, as a catalog of an earlier version looks: the stamp in the description.
    c.db.exec("ALTER TABLE hash_models DROP COLUMN model_sha256; UPDATE hash_models SET description = 'MiLaN 128-bit (sha256 0123456789abcdef)' WHERE id = 'old'")
    c.db.pragma('user_version = 3')
    c.close()
    c = Catalog.open(file)
    const models = new Map(hashModels(c.db).map((m) => [m.id, m]))
    c.close()
    expect(models.get('new')).toMatchObject({ modelSha256: null, description: 'MiLaN 128-bit' }) // dropped with the column above
    expect(models.get('old')).toMatchObject({ modelSha256: '0123456789abcdef', description: 'MiLaN 128-bit' })
    expect(models.get('plain')).toMatchObject({ modelSha256: null, description: 'no stamp here' })
    expect(sameModelFile('0123456789abcdef', `0123456789abcdef${'0'.repeat(48)}`)).toBe(true)
    expect(sameModelFile('0123456789abcdef', `1123456789abcdef${'0'.repeat(48)}`)).toBe(false)
    expect(sameModelFile('', 'ab'.repeat(32))).toBe(false)
  })
})
