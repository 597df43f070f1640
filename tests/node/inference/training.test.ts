import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { spawnSync } from 'node:child_process'
import { mkdirSync, mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { readPatchImage } from '../../../src-main/sentinel2/geotiff'
import { nomenclature } from '../../../src-main/catalog/nomenclature'
import { Encoder } from '../../../src-main/inference/encoder'
import { readCard } from '../../../src-main/inference/card'
import type { InputSpec } from '../../../src-main/inference/preprocess'
import { preprocess, tensorLength } from '../../../src-main/inference/preprocess'
import { ROOT, V1_ARABLE, hasSharedData, runTsx, trainerPython, trainingDataFolder } from './fixtures'

/** dataset.json as the tests read it. */
interface Dataset {
  count: number
  file: string
  dtype: string
  shape: number[]
  input: { bands: InputSpec['bands']; size: number; resampling: InputSpec['resampling'] }
  normalisation: { transform: InputSpec['transform']; mean: number[]; std: number[]; patches: number }
  classes: string[]
  patches: { name: string; archive: string; labels: number[]; split: string }[]
}

const python = trainerPython()
let dir: string
let data: string
let metadata: string[]
let dataset: string
let info: Dataset

function specOf(d: Dataset): InputSpec {
  return { ...d.input, transform: d.normalisation.transform, mean: d.normalisation.mean, std: d.normalisation.std }
}

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'earthqube-training-'))
  ;({ data, metadata } = trainingDataFolder(dir, 24))
  dataset = join(dir, 'dataset')
  runTsx('build/milan/prepare-dataset.ts', ['--data', data, ...metadata.flatMap((m) => ['--metadata', m]), '--out', dataset])
  info = JSON.parse(readFileSync(join(dataset, 'dataset.json'), 'utf8')) as Dataset
})
afterAll(() => rmSync(dir, { recursive: true, force: true }))

describe('prepare-dataset', () => {
  it('writes N × 12 × 60 × 60 float32 tensors and lists every labelled patch with its split', () => {
    const expected = 24 + (hasSharedData ? 7 : 0)
    expect(info.count).toBe(expected)
    expect(info.shape).toEqual([expected, 12, 60, 60])
    expect(statSync(join(dataset, 'x.f32')).size).toBe(expected * 12 * 3600 * 4)
    expect(info.classes).toEqual(nomenclature('ben19').labels)
    for (const p of info.patches) expect(['train', 'validation', 'test']).toContain(p.split)
  })

  it('maps v1 (43-class) labels to the 19 classes', () => {
    const byName = new Map(info.patches.map((p) => [p.name, p]))
    const water = byName.get('S2A_MSIL2A_20170613T101031_10_20')! // synthetic class 0: "Water bodies"
    expect(water.labels.map((i) => info.classes[i])).toEqual(['Inland waters'])
    const arable = byName.get('S2A_MSIL2A_20170613T101031_12_22')! // "Non-irrigated arable land"
    expect(arable.labels.map((i) => info.classes[i])).toEqual(['Arable land'])
  })

  it.skipIf(!hasSharedData)('takes a real v2 patch\'s labels and split from the reBEN metadata', () => {
    const v2 = info.patches.find((p) => p.name === 'S2A_MSIL2A_20170613T101031_N9999_R022_T33UUP_75_43')!
    expect(v2).toMatchObject({ archive: 'v2', split: 'validation' })
    expect(v2.labels.map((i) => info.classes[i]).sort()).toEqual(
      ['Arable land', 'Land principally occupied by agriculture, with significant areas of natural vegetation', 'Pastures'].sort(),
    )
  })

  it('stores exactly what the app feeds the model: preprocess() with the card\'s statistics', async () => {
    const x = new Float32Array(new Uint8Array(readFileSync(join(dataset, 'x.f32'))).buffer)
    const spec = specOf(info)
    const per = tensorLength(spec)
    const folders = hasSharedData ? [V1_ARABLE] : []
    folders.push(join(data, 'synthetic', 'S2A_MSIL2A_20170613T101031_11_21'))
    for (const folder of folders) {
      const i = info.patches.findIndex((p) => folder.endsWith(p.name))
      const mine = preprocess(await readPatchImage(folder), spec)
      expect(Array.from(x.subarray(i * per, (i + 1) * per))).toEqual(Array.from(mine))
    }
    // The statistics are those of the training split: its standardised values have mean 0, std 1 per band.
    const train = info.patches.flatMap((p, i) => (p.split === 'train' ? [i] : []))
    for (const band of [0, 7, 11]) {
      let s = 0
      let s2 = 0
      for (const i of train) {
        for (let k = 0; k < 3600; k++) {
          const v = x[i * per + band * 3600 + k]!
          s += v
          s2 += v * v
        }
      }
      const n = train.length * 3600
      expect(s / n).toBeCloseTo(0, 3)
      expect(Math.sqrt(s2 / n - (s / n) ** 2)).toBeCloseTo(1, 3)
    }
  })

  it('--limit keeps that many patches, --precision float16 halves the file', () => {
    const out = join(dir, 'limited')
    runTsx('build/milan/prepare-dataset.ts', ['--data', data, '--out', out, '--limit', '5', '--precision', 'float16'])
    const small = JSON.parse(readFileSync(join(out, 'dataset.json'), 'utf8')) as Dataset
    expect(small.count).toBe(5)
    expect(small.dtype).toBe('float16')
    expect(statSync(join(out, 'x.f16')).size).toBe(5 * 12 * 3600 * 2)
  })

  it('says why when a folder has no labelled patches', () => {
    const empty = join(dir, 'unlabelled')
    mkdirSync(empty)
    expect(() => runTsx('build/milan/prepare-dataset.ts', ['--data', empty, '--out', join(dir, 'nothing')])).toThrow(
      /no BigEarthNet v1 or v2 patch folders found in .*unlabelled/,
    )
  })
})

describe.skipIf(!python)('train.py and npm run train:milan', () => {
  it('trains end to end: prepare → 1 epoch on ≤ 50 patches → ONNX + card → encode (within a minute)', async () => {
    const t0 = performance.now()
    const out = join(dir, 'models', 'milan-e2e')
    runTsx('build/milan/train.ts', ['--data', data, ...metadata.flatMap((m) => ['--metadata', m]), '--out', out, '--epochs', '1', '--limit', '50', '--seed', '7'])
    expect(performance.now() - t0).toBeLessThan(60_000)
    const card = readCard(join(out, 'model.card.json'))
    expect(card).toMatchObject({ id: 'milan-e2e', bits: 128, input: { name: 'bands', size: 60 }, output: { name: 'codes', activation: 'tanh' } })
    expect(card.training).toMatchObject({ seed: 7, epochs: 1 })
    expect((card.training!.data as { patches: number }).patches).toBeLessThanOrEqual(50)
    expect(card.normalisation.mean).toEqual(info.normalisation.mean)
    const encoder = await Encoder.open(out)
    const image = await readPatchImage(join(data, 'synthetic', 'S2A_MSIL2A_20170613T101031_11_21'))
    expect((await encoder.encode([image]))[0]!.length).toBe(16)
    await encoder.close()
  })

  it('the same seed and data give the same model and metrics; another seed another model', () => {
    const train = (out: string, seed: number): ReturnType<typeof readCard> => {
      const r = spawnSync(python!, [join(ROOT, 'build/milan/train.py'), '--dataset', dataset, '--out', out, '--epochs', '2', '--seed', String(seed)], { encoding: 'utf8' })
      if (r.status !== 0) throw new Error(r.stderr)
      return readCard(join(out, 'model.card.json'))
    }
    const a = train(join(dir, 'seed-a'), 3)
    const b = train(join(dir, 'seed-b'), 3)
    const c = train(join(dir, 'seed-c'), 4)
    expect(b.model.sha256).toBe(a.model.sha256)
    expect(b.metrics).toEqual(a.metrics)
    expect(c.model.sha256).not.toBe(a.model.sha256)
  })

  it('--epochs 0 exports the untrained network with a valid card', async () => {
    const out = join(dir, 'untrained')
    const r = spawnSync(python!, [join(ROOT, 'build/milan/train.py'), '--dataset', dataset, '--out', out, '--epochs', '0'], { encoding: 'utf8' })
    expect(r.status).toBe(0)
    const encoder = await Encoder.open(out)
    expect(encoder.model.card.training).toMatchObject({ epochs: 0, history: [] })
    await encoder.close()
  })
})

describe('npm run train:milan without Python', () => {
  it('says what to install', () => {
    expect(() => runTsx('build/milan/train.ts', ['--data', data, '--out', join(dir, 'models', 'never'), '--python', '/no/such/python3'])).toThrow(
      /training needs Python 3 with torch, onnx and numpy \(Debian: apt-get install python3-torch python3-onnx python3-numpy\)/,
    )
  })
})
