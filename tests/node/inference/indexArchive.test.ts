import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest'
import { copyFileSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { createHash } from 'node:crypto'
import { join } from 'node:path'
import { Catalog } from '../../../src-main/catalog/catalog'
import type { PatchRecord } from '../../../src-main/catalog/catalog'
import { hashModel, loadCodes } from '../../../src-main/catalog/codes'
import { footprintOf } from '../../../src-main/geo/utm'
import type { PatchImage } from '../../../src-main/sentinel2/patchImage'
import { BIGEARTHNET_BANDS } from '../../../src-main/sentinel2/bands'
import { readPatchImage } from '../../../src-main/sentinel2/geotiff'
import type { ModelCard } from '../../../src-main/inference/card'
import { Encoder } from '../../../src-main/inference/encoder'
import type { IndexProgress } from '../../../src-main/inference/indexArchive'
import { IndexCancelledError, indexArchive } from '../../../src-main/inference/indexArchive'
import { inProcessEncoderWorker } from '../../../src-main/inference/indexWorker'
import { SearchEngine } from '../../../src-main/search/engine'
import { SimilarityService } from '../../../src-main/similarity/similarityService'
import { snapshot, syntheticImage, tinyModel, trainerPython, writeMultiband, writeSyntheticV1 } from './fixtures'
import { testModels } from '../../support'

const hasTorch = trainerPython() !== null
let dir: string
let model: string
let folders: string[]
let catalog: Catalog
let catalogFile: string
const GOOD = 10

/** A catalog patch record at grid cell i, with these pixels. */
function record(i: number, pixelsPath: string | null): PatchRecord {
  const utm = { epsg: 32633, west: 400000 + 1200 * i, south: 5338800, east: 401200 + 1200 * i, north: 5340000 }
  return {
    name: `P${i}`,
    satellite: 'S2A',
    acquiredAt: 1_500_000_000,
    country: null,
    tile: null,
    utm,
    footprint: footprintOf(utm),
    labelsMask: 1,
    split: null,
    snow: null,
    cloud: null,
    pixelsPath,
  }
}

/** A copy of the test model under another id (and optionally another card edit). */
function modelCopy(name: string, edit: (c: ModelCard) => void = () => undefined, onnx?: Buffer): string {
  const folder = join(dir, 'models', name)
  mkdirSync(folder, { recursive: true })
  const card = JSON.parse(readFileSync(join(model, 'model.card.json'), 'utf8')) as ModelCard
  card.id = name
  edit(card)
  writeFileSync(join(folder, 'model.card.json'), JSON.stringify(card))
  if (onnx) writeFileSync(join(folder, 'model.onnx'), onnx)
  else copyFileSync(join(model, 'model.onnx'), join(folder, 'model.onnx'))
  return folder
}

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'earthqube-index-'))
  if (!hasTorch) return
  model = tinyModel(8)!
  folders = writeSyntheticV1(join(dir, 'patches'), GOOD, 5)
  // A patch folder whose B03 is a 3-band file: readPatchImage refuses it.
  const [bad] = writeSyntheticV1(join(dir, 'bad'), 1, 9)
  const name = bad!.split('/').pop()!
  writeMultiband(join(bad!, `${name}_B03.tif`), { side: 120, bands: 3 })
  folders.push(bad!)
})
afterAll(() => rmSync(dir, { recursive: true, force: true }))

beforeEach(() => {
  if (!hasTorch) return
  catalogFile = join(mkdtempSync(join(dir, 'cat-')), 'catalog.sqlite')
  catalog = Catalog.open(catalogFile)
  const archive = catalog.ensureArchive('BigEarthNet v1', 'clc43')
  catalog.db.transaction(() => {
    folders.forEach((f, i) => catalog.upsertPatch(archive, record(i, f)))
    catalog.upsertPatch(archive, record(50, null)) // metadata only: not indexed
  })()
})
afterEach(() => catalog?.close())

describe.skipIf(!hasTorch)('indexArchive', () => {
  it('stores a code per patch with pixels, lists the patch it cannot read, and reports progress', async () => {
    const events: IndexProgress[] = []
    const r = await indexArchive(catalog, model, { workerFactory: inProcessEncoderWorker, workers: 1, batchSize: 4, onProgress: (p) => events.push(p) })
    expect(r).toMatchObject({ modelId: 'test-milan', bits: 128, total: GOOD + 1, alreadyCoded: 0, stored: GOOD, failedCount: 1 })
    expect(r.failures[0]!.name).toBe(`P${GOOD}`)
    expect(r.failures[0]!.error).toMatch(/_B03\.tif has 3 bands, expected 1 \(B03\)/)
    const codes = loadCodes(catalog.db, 'test-milan')
    expect(codes.ids.length).toBe(GOOD)
    const made = hashModel(catalog.db, 'test-milan')!
    expect(made.description).toMatch(/^MiLaN 128-bit /)
    // The SHA-256 of the model file that made the codes is a column of its own.
    expect(made.modelSha256).toBe(createHash('sha256').update(readFileSync(join(model, 'model.onnx'))).digest('hex'))
    // The stored code is the one the encoder gives for that folder.
    const encoder = await Encoder.open(model)
    const [expected] = await encoder.encode([await readPatchImage(folders[3]!)])
    await encoder.close()
    const i = Array.from(codes.ids).indexOf(4) // patch ids start at 1
    expect(new Uint8Array(codes.words.buffer, i * 16, 16)).toEqual(expected)
    const last = events.at(-1)!
    expect(last).toMatchObject({ phase: 'index', done: GOOD, total: GOOD + 1, failed: 1, etaSeconds: 0 })
    expect(last.ratePerSecond).toBeGreaterThan(0)
  })

  it('resumes: a second run skips patches that already have a code of the model', async () => {
    await indexArchive(catalog, model, { workerFactory: inProcessEncoderWorker, workers: 1 })
    const again = await indexArchive(catalog, model, { workerFactory: inProcessEncoderWorker, workers: 1 })
    expect(again).toMatchObject({ alreadyCoded: GOOD, stored: 0, failedCount: 1 })
  })

  it('cancels through an AbortSignal, keeps the finished batches, and a new run completes the rest', async () => {
    const controller = new AbortController()
    let reads = 0
    const pixelSource = async (path: string): Promise<PatchImage> => {
      if (++reads === 3) controller.abort()
      return readPatchImage(path)
    }
    const options = { workerFactory: inProcessEncoderWorker, workers: 1, batchSize: 2, pixelSource }
    const error = await indexArchive(catalog, model, { ...options, signal: controller.signal }).catch((e: unknown) => e)
    expect(error).toBeInstanceOf(IndexCancelledError)
    expect((error as Error).message).toBe('indexing cancelled: 4 codes stored, 7 patches left; run it again to resume')
    expect(loadCodes(catalog.db, 'test-milan').ids.length).toBe(4)
    const rest = await indexArchive(catalog, model, options)
    expect(rest).toMatchObject({ alreadyCoded: 4, stored: GOOD - 4, failedCount: 1 })
  })

  it('runs the model in worker threads by default', async () => {
    const r = await indexArchive(catalog, model, { batchSize: 3 })
    expect(r.stored).toBe(GOOD)
    const inProcess = modelCopy('same-model')
    await indexArchive(catalog, inProcess, { workerFactory: inProcessEncoderWorker, workers: 1 })
    expect(loadCodes(catalog.db, 'same-model').words).toEqual(loadCodes(catalog.db, 'test-milan').words)
  })

  it('takes pixels from a pixel source (e.g. the demo generator\'s demo:// addresses)', async () => {
    const archive = catalog.ensureArchive('Demo', 'ben19')
    catalog.db.transaction(() => {
      for (let i = 0; i < 5; i++) catalog.upsertPatch(archive, record(100 + i, `demo://1/${i}`))
    })()
    catalog.db.prepare("UPDATE patches SET pixels_path = NULL WHERE pixels_path NOT LIKE 'demo://%'").run()
    const seen: string[] = []
    const pixelSource = async (path: string): Promise<PatchImage> => {
      seen.push(path)
      const k = Number(path.split('/').pop())
      return syntheticImage(Object.fromEntries(BIGEARTHNET_BANDS.map((b, j) => [b, 300 + 50 * j + 400 * k])))
    }
    const r = await indexArchive(catalog, model, { pixelSource, workers: 1 })
    expect(r).toMatchObject({ total: 5, stored: 5, failedCount: 0 })
    expect(seen.sort()).toEqual(['demo://1/0', 'demo://1/1', 'demo://1/2', 'demo://1/3', 'demo://1/4'])
  })

  it('a corrupt model or a card that does not match it fails before anything is stored', async () => {
    const before = snapshot(catalog)
    const corrupt = modelCopy('corrupt', (c) => delete c.model.sha256, Buffer.from('garbage'))
    await expect(indexArchive(catalog, corrupt, { workerFactory: inProcessEncoderWorker })).rejects.toThrow(/corrupt\/model\.onnx is not a readable ONNX model/)
    await expect(indexArchive(catalog, corrupt)).rejects.toThrow(/corrupt\/model\.onnx is not a readable ONNX model/)
    const mismatch = modelCopy('mismatch', (c) => (c.bits = 64))
    await expect(indexArchive(catalog, mismatch, { workerFactory: inProcessEncoderWorker })).rejects.toThrow(/its card says float32 \[1, 64\]/)
    expect(snapshot(catalog)).toEqual(before)
  })

  it('refuses to add codes of a different model file under an id that already has codes', async () => {
    await indexArchive(catalog, model, { workerFactory: inProcessEncoderWorker, workers: 1 })
    const other = join(dir, 'models', 'test-milan-retrained')
    mkdirSync(other, { recursive: true })
    const card = JSON.parse(readFileSync(join(model, 'model.card.json'), 'utf8')) as ModelCard
    delete card.model.sha256
    writeFileSync(join(other, 'model.card.json'), JSON.stringify(card))
    // Another network (the untrained one) with the same card, hence the same id.
    copyFileSync(join(tinyModel(0)!, 'model.onnx'), join(other, 'model.onnx'))
    const before = snapshot(catalog)
    await expect(indexArchive(catalog, other, { workerFactory: inProcessEncoderWorker })).rejects.toThrow(
      /the catalog holds codes of model "test-milan" made by another model file \(sha256 [0-9a-f]{16}…, this one [0-9a-f]{16}…\); run `earthqube index --replace`/,
    )
    expect(snapshot(catalog)).toEqual(before)

    // A query by file with the retrained model would compare its code with the old model's codes: refused.
    const similar = new SimilarityService(catalog, new SearchEngine(catalog.db), testModels())
    await expect(similar.similarToFile(folders[0]!, { k: 3 }, { model: other })).rejects.toThrow(
      /made by another model file .*, so they cannot be compared with this file's code; run `earthqube index --replace`/,
    )

    // --replace with a model that does not open changes nothing; with the retrained model it recomputes every code.
    const beforeReplace = snapshot(catalog) // the search engine has written its scan snapshot (a cache) since
    const corrupt = modelCopy('corrupt-replace', (c) => delete c.model.sha256, Buffer.from('garbage'))
    await expect(indexArchive(catalog, corrupt, { workerFactory: inProcessEncoderWorker, replace: true })).rejects.toThrow(/not a readable ONNX model/)
    expect(snapshot(catalog)).toEqual(beforeReplace)
    const old = loadCodes(catalog.db, 'test-milan')
    const r = await indexArchive(catalog, other, { workerFactory: inProcessEncoderWorker, workers: 1, replace: true })
    expect(r).toMatchObject({ stored: GOOD, alreadyCoded: 0 })
    const fresh = loadCodes(catalog.db, 'test-milan')
    expect(Array.from(fresh.ids)).toEqual(Array.from(old.ids))
    expect(Buffer.from(fresh.words.buffer).equals(Buffer.from(old.words.buffer))).toBe(false)
    const hits = await similar.similarToFile(folders[0]!, { k: 1 }, { model: other })
    expect(hits.items[0]).toEqual({ name: 'P0', distance: 0 })
    await similar.close()
  })
})
