import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { copyFileSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { listModels, loadModel, readCard } from '../../../src-main/inference/card'
import type { ModelCard } from '../../../src-main/inference/card'
import { errorOf, tinyModel, trainerPython } from './fixtures'

const hasTorch = trainerPython() !== null
let model: string
let dir: string

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'earthqube-card-'))
  if (hasTorch) model = tinyModel(0)!
})
afterAll(() => rmSync(dir, { recursive: true, force: true }))

/** A copy of the test model in its own folder, with the card changed by `edit` (and the ONNX bytes by `bytes`). */
function variant(name: string, edit: (card: ModelCard) => void, bytes?: (b: Buffer) => Buffer): string {
  const folder = join(dir, name)
  mkdirSync(folder, { recursive: true })
  const card = JSON.parse(readFileSync(join(model, 'model.card.json'), 'utf8')) as ModelCard
  edit(card)
  writeFileSync(join(folder, 'model.card.json'), JSON.stringify(card))
  if (bytes) writeFileSync(join(folder, 'model.onnx'), bytes(readFileSync(join(model, 'model.onnx'))))
  else copyFileSync(join(model, 'model.onnx'), join(folder, 'model.onnx'))
  return folder
}


describe.skipIf(!hasTorch)('loadModel', () => {
  it('opens a model folder whose card matches the network (by folder or by .onnx path)', async () => {
    const m = await loadModel(model)
    expect(m.card.bits).toBe(128)
    expect(m.spec.bands).toHaveLength(12)
    expect(m.session.inputNames).toEqual(['bands'])
    await m.session.release()
    const again = await loadModel(join(model, 'model.onnx'))
    expect(again.id).toBe('test-milan')
    await again.session.release()
  })

  it('refuses a card with fewer bands than the network takes', async () => {
    const folder = variant('bands', (c) => {
      c.input.bands = c.input.bands.slice(0, 11)
      c.normalisation.mean = c.normalisation.mean.slice(0, 11)
      c.normalisation.std = c.normalisation.std.slice(0, 11)
    })
    expect(await errorOf(loadModel(folder))).toMatch(/model\.onnx takes input \[batch, 12, 60, 60\], but its card says \[N, 11, 60, 60\]/)
  })

  it('refuses a card with another grid size', async () => {
    const folder = variant('size', (c) => (c.input.size = 64))
    expect(await errorOf(loadModel(folder))).toMatch(/takes input \[batch, 12, 60, 60\], but its card says \[N, 12, 64, 64\]/)
  })

  it('refuses a card with another code length', async () => {
    const folder = variant('bits', (c) => (c.bits = 64))
    expect(await errorOf(loadModel(folder))).toMatch(/model\.onnx gives float32 \[1, 128\] for one image, but its card says float32 \[1, 64\] \(64-bit codes\)/)
  })

  it('refuses a card naming another input or output', async () => {
    expect(await errorOf(loadModel(variant('in', (c) => (c.input.name = 'image'))))).toMatch(/takes inputs \["bands"\], but its card says one input "image"/)
    expect(await errorOf(loadModel(variant('out', (c) => (c.output.name = 'hash'))))).toMatch(/gives outputs \["codes","features"\], but its card says "hash"/)
    expect(await errorOf(loadModel(variant('feat', (c) => (c.output.features = 'pool'))))).toMatch(
      /gives outputs \["codes","features"\], but its card names a features output "pool"/,
    )
  })

  it('refuses a model file that is not the one its card describes (SHA-256)', async () => {
    const folder = variant('sha', (c) => (c.model.sha256 = '0'.repeat(64)))
    expect(await errorOf(loadModel(folder))).toMatch(/model\.onnx is not the model its card describes \(SHA-256 [0-9a-f]{12}…, card says 000000000000…\)/)
  })

  it('refuses a corrupt ONNX file with an error naming the file', async () => {
    const noSha = (c: ModelCard): void => {
      delete c.model.sha256
    }
    const truncated = variant('truncated', noSha, (b) => b.subarray(0, Math.floor(b.length / 3)))
    expect(await errorOf(loadModel(truncated))).toMatch(/truncated\/model\.onnx is not a readable ONNX model \(/)
    const garbage = variant('garbage', noSha, () => Buffer.from('this is not a protobuf at all'))
    expect(await errorOf(loadModel(garbage))).toMatch(/garbage\/model\.onnx is not a readable ONNX model/)
    // The good model still loads afterwards: a bad file leaves the process working.
    await (await loadModel(model)).session.release()
  })

  it('refuses a missing, unparsable or invalid card', async () => {
    const folder = variant('nocard', () => undefined)
    rmSync(join(folder, 'model.card.json'))
    expect(await errorOf(loadModel(folder))).toMatch(/model card .*nocard\/model\.card\.json is missing/)
    writeFileSync(join(folder, 'model.card.json'), '{ "format": ')
    expect(await errorOf(loadModel(folder))).toMatch(/model card model\.card\.json is not valid JSON/)
    const bits = variant('badbits', (c) => ((c as { bits: number }).bits = 100))
    expect(await errorOf(loadModel(bits))).toBe('model.card.json is not a valid model card (bits: must be 64, 128 or 256 (the code lengths the catalog stores))')
    const std = variant('badstd', (c) => (c.normalisation.std = [1]))
    expect(await errorOf(loadModel(std))).toBe('model.card.json is not a valid model card (normalisation.std: has 1 values for 12 bands)')
  })

  it('refuses a folder with no or several .onnx files', async () => {
    const empty = join(dir, 'empty')
    mkdirSync(empty)
    expect(await errorOf(loadModel(empty))).toMatch(/model folder .*empty holds no \.onnx file/)
    const two = variant('two', () => undefined)
    copyFileSync(join(two, 'model.onnx'), join(two, 'other.onnx'))
    expect(await errorOf(loadModel(two))).toMatch(/holds 2 \.onnx files \(model\.onnx, other\.onnx\)/)
  })
})

describe.skipIf(!hasTorch)('listModels', () => {
  it('lists every model folder with its card, and says why a folder cannot be used', () => {
    const root = join(dir, 'models')
    mkdirSync(root)
    const good = variant(join('models', 'good'), () => undefined)
    mkdirSync(join(root, 'broken'))
    writeFileSync(join(root, 'broken', 'model.onnx'), 'x')
    const entries = listModels(root)
    expect(entries.map((e) => [e.dir, e.id, e.error === null])).toEqual([
      [join(root, 'broken'), null, false],
      [good, 'test-milan', true],
    ])
    expect(entries[0]!.error).toMatch(/model\.card\.json is missing/)
    expect(readCard(join(good, 'model.card.json')).bits).toBe(128)
    expect(listModels(join(dir, 'no-such-folder'))).toEqual([])
  })
})
