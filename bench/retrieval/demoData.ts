/** The held-out demo patches of the evaluation and their embeddings: activations, features, band means, labels. */
import { demoPatch } from '../../src-main/demo/archive'
import type { Encoder } from '../../src-main/inference/encoder'
import { demoPatchImage } from '../../src-main/pixels/pixelSources'
import { BIGEARTHNET_BANDS } from '../../src-main/sentinel2/bands'
import type { PatchImage } from '../../src-main/sentinel2/patchImage'
import type { RetrievalSetup } from './setup'

/** Demo patch indices of the database and the queries; throws if any lies in the training range. */
export function heldOutIndices(setup: RetrievalSetup): { db: number[]; queries: number[] } {
  const db = Array.from({ length: setup.dbN }, (_, i) => setup.dbStart + i)
  const queries: number[] = []
  for (let i = setup.queryStart; queries.length < setup.queryN; i++) if (demoPatch(setup.seed, i).split === 'test') queries.push(i)
  if (Math.min(...db, ...queries) < setup.trainedBelow) throw new Error('evaluation patches overlap the training range')
  return { db, queries }
}

/** An embedded set of demo patches: [n, bits] activations, [n, width] features (when the model has them), band means, labels. */
export interface Embedded {
  acts: Float32Array
  feats: { values: Float32Array; width: number } | null
  means: number[][]
  masks: number[]
}

/** Per-band means of the 12 raw bands (reflectance × 10000) of an image. */
function bandMeans(image: PatchImage): number[] {
  return BIGEARTHNET_BANDS.map((b) => {
    const r = image.bands.get(b)!
    let s = 0
    for (let i = 0; i < r.data.length; i++) s += r.data[i]!
    return s / r.data.length
  })
}

/** Runs demo patches through the encoder in chunks; `label` names the set in the timing line on stderr. */
export async function embedDemoPatches(encoder: Encoder, seed: number, indices: number[], label: string): Promise<Embedded> {
  const bits = encoder.bits
  const acts = new Float32Array(indices.length * bits)
  const hasFeatures = encoder.model.card.output.features !== undefined
  const featChunks: Float32Array[] = []
  let width = 0
  const means: number[][] = []
  const masks: number[] = []
  const t0 = performance.now()
  for (let s = 0; s < indices.length; s += 256) {
    const images = indices.slice(s, s + 256).map((i) => demoPatchImage(seed, i))
    const tensor = encoder.tensorOf(images)
    acts.set(await encoder.run(tensor, images.length), s * bits)
    if (hasFeatures) {
      const f = await encoder.features(tensor, images.length)
      featChunks.push(f.values)
      width = f.width
    }
    for (const im of images) means.push(bandMeans(im))
    for (const i of indices.slice(s, s + 256)) masks.push(demoPatch(seed, i).labelsMask)
  }
  process.stderr.write(`${label}: ${indices.length} patches in ${((performance.now() - t0) / 1000).toFixed(1)} s\n`)
  let feats: Embedded['feats'] = null
  if (hasFeatures) {
    const values = new Float32Array(indices.length * width)
    let at = 0
    for (const c of featChunks) {
      values.set(c, at)
      at += c.length
    }
    feats = { values, width }
  }
  return { acts, feats, means, masks }
}
