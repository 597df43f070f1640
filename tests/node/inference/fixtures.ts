import { spawnSync } from 'node:child_process'
import { createHash } from 'node:crypto'
import { existsSync, mkdirSync, mkdtempSync, readFileSync, renameSync, rmSync, symlinkSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join, resolve } from 'node:path'
import { writeArrayBuffer } from 'geotiff'
import type { TypedArray } from 'geotiff'
import type { ModelCard } from '../../../src-main/inference/card'
import type { BandName } from '../../../src-main/sentinel2/bands'
import type { PatchImage } from '../../../src-main/sentinel2/patchImage'
import { BAND_RESOLUTION_M, BIGEARTHNET_BANDS, S2_L1C_BANDS } from '../../../src-main/sentinel2/bands'
import { footprintOf } from '../../../src-main/geo/utm'
import { hasSharedData, shared } from '../../sharedData'
import { retag } from '../sentinel2/tiffFixtures'
import { rng } from '../../support'
export { rng }

/** The repository root. */
export const ROOT = resolve(__dirname, '..', '..', '..')
const TSX = join(ROOT, 'node_modules', '.bin', 'tsx')

/** The v2 patch and the six v1 patches of the shared data. */
export const V2_PATCH = shared(
  'bigearthnet/BigEarthNet-S2/S2A_MSIL2A_20170613T101031_N9999_R022_T33UUP',
  'S2A_MSIL2A_20170613T101031_N9999_R022_T33UUP_75_43',
)
export const V1_DIR = shared('bigearthnet/v1')
export const V1_ARABLE = join(V1_DIR, 'S2A_MSIL2A_20170613T101031_87_48')
export const V1_FOREST_WATER = join(V1_DIR, 'S2B_MSIL2A_20170924T93020_69_24')
export const EUROSAT = shared('eurosat/AnnualCrop_1.tif')
export { hasSharedData }

let pythonChecked = false
let python: string | null = null

/**
 * The Python the trainer runs with, or null (the tests that train skip, saying why): the same choice as
 * build/milan/train.ts makes ($EARTHQUBE_PYTHON, else Debian's /usr/bin/python3, else python3).
 */
export function trainerPython(): string | null {
  if (!pythonChecked) {
    const candidates = process.env.EARTHQUBE_PYTHON ? [process.env.EARTHQUBE_PYTHON] : ['/usr/bin/python3', 'python3']
    python = candidates.find((exe) => spawnSync(exe, ['-c', 'import torch, onnx, numpy'], { stdio: 'ignore' }).status === 0) ?? null
    pythonChecked = true
    if (!python) console.warn('[inference tests] no Python with torch + onnx (apt-get install python3-torch python3-onnx): model tests are skipped')
  }
  return python
}

/** A deterministic pseudo-random generator (mulberry32). */

/** Spectral signatures (reflectance × 10000, bands in BigEarthNet order) and v1 labels of synthetic classes. */
const CLASSES: { labels: string[]; signature: number[] }[] = [
  // B01 B02 B03 B04 B05 B06 B07 B08 B8A B09 B11 B12
  { labels: ['Water bodies'], signature: [300, 400, 500, 300, 250, 200, 180, 150, 130, 60, 50, 30] },
  { labels: ['Coniferous forest'], signature: [250, 250, 450, 250, 700, 2000, 2600, 2800, 3000, 900, 1400, 600] },
  { labels: ['Non-irrigated arable land'], signature: [900, 1100, 1400, 1700, 2000, 2400, 2600, 2700, 2800, 800, 3000, 2300] },
  { labels: ['Discontinuous urban fabric'], signature: [1200, 1300, 1400, 1500, 1600, 1800, 1900, 2000, 2100, 700, 2300, 2000] },
]

/** Writes one single-band UInt16 GeoTIFF (UTM 33N, or no georeference when epsg is null). */
export function writeBandFile(path: string, size: number, res: number, data: Uint16Array | Float32Array, epsg: number | null = 32633): void {
  const geo = epsg === null ? {} : { ProjectedCSTypeGeoKey: epsg, GTModelTypeGeoKey: 1, GTRasterTypeGeoKey: 1 }
  const buf = writeArrayBuffer(data, {
    width: size,
    height: size,
    ModelPixelScale: [res, res, 0],
    ModelTiepoint: [0, 0, 0, 400000, 5340000, 0],
    ...geo,
  })
  writeFileSync(path, new Uint8Array(buf))
}

/**
 * Writes `n` synthetic BigEarthNet v1 patch folders (12 bands, labels JSON) of four land-cover
 * classes with noisy textures; returns their paths. Deterministic for a seed.
 */
export function writeSyntheticV1(dir: string, n: number, seed = 1): string[] {
  const rand = rng(seed)
  const paths: string[] = []
  for (let i = 0; i < n; i++) {
    const cls = CLASSES[i % CLASSES.length]!
    const name = `S2A_MSIL2A_20170613T101031_${10 + i}_${20 + (i % 7)}`
    const folder = join(dir, name)
    mkdirSync(folder, { recursive: true })
    const brightness = 0.8 + 0.4 * rand()
    BIGEARTHNET_BANDS.forEach((band, b) => {
      const res = BAND_RESOLUTION_M[band]
      const side = 1200 / res
      const data = new Uint16Array(side * side)
      for (let k = 0; k < data.length; k++) {
        const v = cls.signature[b]! * brightness * (0.85 + 0.3 * rand())
        data[k] = Math.max(1, Math.round(v))
      }
      writeBandFile(join(folder, `${name}_${band}.tif`), side, res, data)
    })
    writeFileSync(join(folder, `${name}_labels_metadata.json`), JSON.stringify({ labels: cls.labels }))
    paths.push(folder)
  }
  return paths
}

/** A folder with synthetic v1 patches plus (when present) links to the real v1 and v2 patches. */
export function trainingDataFolder(dir: string, synthetic: number): { data: string; metadata: string[] } {
  const data = join(dir, 'data')
  mkdirSync(data, { recursive: true })
  writeSyntheticV1(join(data, 'synthetic'), synthetic)
  const metadata: string[] = []
  if (hasSharedData) {
    symlinkSync(V1_DIR, join(data, 'v1'))
    symlinkSync(resolve(V2_PATCH, '..', '..'), join(data, 'BigEarthNet-S2'))
    metadata.push(shared('bigearthnet/reben-metadata.parquet'))
  }
  return { data, metadata }
}

/** Runs a build script with tsx (as `npm run` would); throws with its stderr when it fails. */
export function runTsx(script: string, args: string[], timeout = 120_000): { stdout: string; stderr: string } {
  const r = spawnSync(TSX, [join(ROOT, script), ...args], { cwd: ROOT, encoding: 'utf8', timeout })
  if (r.status !== 0) throw new Error(`${script} failed (${r.status ?? r.signal}): ${r.stderr}`)
  return { stdout: r.stdout, stderr: r.stderr }
}

/** Hash of the sources a test model depends on: a cached model is rebuilt when any of them changes. */
function sourcesHash(extra: string): string {
  const h = createHash('sha256').update(extra)
  for (const f of ['build/milan/train.py', 'build/milan/prepare-dataset.ts', 'src-main/inference/preprocess.ts', 'tests/node/inference/fixtures.ts']) {
    h.update(readFileSync(join(ROOT, f)))
  }
  return h.digest('hex').slice(0, 16)
}

/**
 * A tiny model for tests, trained by the real trainer on synthetic (+ shared) patches: `epochs` 0 gives
 * the untrained network. Cached in the OS temp folder by a hash of the sources, so test files share it.
 * Returns the model folder, or null when there is no Python with torch.
 */
export function tinyModel(epochs: number): string | null {
  const py = trainerPython()
  if (!py) return null
  const key = sourcesHash(`epochs=${epochs};shared=${hasSharedData}`)
  const target = join(tmpdir(), `earthqube-test-milan-${key}`)
  if (existsSync(join(target, 'model.card.json'))) return target
  const work = mkdtempSync(join(tmpdir(), 'earthqube-test-milan-build-'))
  try {
    const { data, metadata } = trainingDataFolder(work, 36)
    const dataset = join(work, 'dataset')
    runTsx('build/milan/prepare-dataset.ts', ['--data', data, ...metadata.flatMap((m) => ['--metadata', m]), '--out', dataset])
    const out = join(work, 'model')
    const r = spawnSync(py, [join(ROOT, 'build/milan/train.py'), '--dataset', dataset, '--out', out, '--id', 'test-milan', '--epochs', String(epochs), '--batch-size', '32'], {
      encoding: 'utf8',
    })
    if (r.status !== 0) throw new Error(`train.py failed: ${r.stderr}`)
    rmSync(target, { recursive: true, force: true })
    renameSync(out, target)
  } finally {
    rmSync(work, { recursive: true, force: true })
  }
  return target
}

/** A valid card for a 12-band, 60-px, 128-bit model (for checks that need no network). */
export function testCard(overrides: Partial<ModelCard> = {}): ModelCard {
  return {
    format: 'earthqube-hash-model/1',
    id: 'test-card',
    name: 'test',
    model: { file: 'model.onnx' },
    architecture: 'test',
    bits: 128,
    input: {
      name: 'bands',
      bands: [...BIGEARTHNET_BANDS],
      size: 60,
      resampling: { down: 'area', up: 'bilinear' },
      pixelTypes: ['UInt16'],
    },
    normalisation: { transform: 'log1p', mean: BIGEARTHNET_BANDS.map(() => 7), std: BIGEARTHNET_BANDS.map(() => 1) },
    output: { name: 'codes', activation: 'tanh' },
    ...overrides,
  }
}

/** A band of a synthetic image: a full raster, or one value filling a BigEarthNet-sized raster. */
export type SyntheticBand = { width: number; height: number; data: TypedArray; resolution?: number } | number

/** An in-memory patch image with the given bands (a number fills the band's BigEarthNet size with it). */
export function syntheticImage(bands: Partial<Record<BandName, SyntheticBand>>, kind: PatchImage['kind'] = 'multiband'): PatchImage {
  const utm = { epsg: 32633, west: 400000, south: 5338800, east: 401200, north: 5340000 }
  const map: PatchImage['bands'] = new Map()
  for (const [band, spec] of Object.entries(bands) as [BandName, SyntheticBand][]) {
    if (typeof spec === 'number') {
      const res = BAND_RESOLUTION_M[band]
      const side = 1200 / res
      map.set(band, { width: side, height: side, data: new Uint16Array(side * side).fill(spec), resolution: res })
    } else {
      map.set(band, { width: spec.width, height: spec.height, data: spec.data, resolution: spec.resolution ?? 1200 / spec.width })
    }
  }
  const bandNames = S2_L1C_BANDS.filter((b) => map.has(b))
  return { kind, path: '/synthetic/image.tif', name: 'image', bandNames, bands: map, utm, footprint: footprintOf(utm) }
}

/** Every table's rows: what "the catalog is unchanged" means. */
export { snapshot } from '../sentinel2/tiffFixtures'

/** Options of a synthetic multi-band GeoTIFF. */
export interface MultibandOptions {
  side: number
  bands: number
  /** Value of band b at pixel p (default 500 + 100·b + p % 7). */
  value?: (b: number, p: number) => number
  float?: boolean
  georeferenced?: boolean
  /** Pixel height differs from width (non-square ground extent). */
  height?: number
}

/** Writes a multi-band GeoTIFF (pixel-interleaved, UInt16 or Float32, 10 m UTM 33N unless said). */
export function writeMultiband(path: string, o: MultibandOptions): void {
  const height = o.height ?? o.side
  const n = o.side * height
  const data = o.float ? new Float32Array(n * o.bands) : new Uint16Array(n * o.bands)
  const value = o.value ?? ((b: number, p: number) => 500 + 100 * b + (p % 7))
  for (let p = 0; p < n; p++) for (let b = 0; b < o.bands; b++) data[p * o.bands + b] = value(b, p)
  const geo = o.georeferenced === false ? {} : { ProjectedCSTypeGeoKey: 32633, GTModelTypeGeoKey: 1, GTRasterTypeGeoKey: 1 }
  const buf = writeArrayBuffer(data, {
    width: o.side,
    height,
    SamplesPerPixel: o.bands,
    ModelPixelScale: [10, 10, 0],
    ModelTiepoint: [0, 0, 0, 400000, 5340000, 0],
    ...geo,
  })
  // The writer adds a default geographic CRS; renumber the affine tags so the file has no georeference at all.
  const bytes = new Uint8Array(buf)
  writeFileSync(path, o.georeferenced === false ? retag(retag(bytes, 33922, 65000), 33550, 65001) : bytes)
}

/** The error a promise rejects with (fails the test when it resolves). */
export async function errorOf(p: Promise<unknown>): Promise<string> {
  try {
    await p
  } catch (e) {
    return (e as Error).message
  }
  throw new Error('expected an error, got none')
}
