/**
 * The real patches in ../shared/data (BigEarthNet v2, v1, EuroSAT) as queries against the demo database:
 * their nearest neighbours' label overlap, a sanity check across the simulation gap, not a score.
 */
import { existsSync, readdirSync } from 'node:fs'
import { basename, join } from 'node:path'
import { v1Labels } from '../../build/milan/prepare-dataset'
import { maskOf, namesOf } from '../../src-main/catalog/nomenclature'
import { HashIndex } from '../../src-main/hashindex/hashIndex'
import type { Encoder } from '../../src-main/inference/encoder'
import { readExample } from '../../src-main/inference/validate'
import { openRebenFile, readRebenRows } from '../../src-main/ingest/reben'
import { findPatchFolders } from '../../src-main/sentinel2/patchFolders'
import { jaccard } from './metrics'

/** A real patch: its file or folder, its archive, and its labels when it has 19-class labels (else a note). */
interface RealPatch {
  path: string
  kind: string
  mask: number | null
  note: string
}

/** A real patch's 10 nearest demo patches by code. */
export interface RealNeighbours {
  /** Archive and name of the patch. */
  query: string
  /** Its label names, or its EuroSAT class. */
  labels: string
  /** Of the 10, how many share a label with it, and their mean Jaccard index; null without 19-class labels. */
  sharing: { count: number; jaccard: number } | null
  /** Hamming distance of the 1st and the 10th neighbour. */
  nearest: number
  tenth: number
  /** The three labels most often among the 10, with their counts. */
  common: string
}

/** Labels of the real reBEN patch from the metadata table (stops at the row). */
async function rebenLabels(parquet: string, name: string): Promise<number | null> {
  if (!existsSync(parquet)) return null
  for await (const row of readRebenRows(await openRebenFile(parquet))) {
    if (row.patch_id === name) return maskOf('ben19', row.labels)
  }
  return null
}

/** The real patches under `shared` (none when it is absent). */
async function findRealPatches(shared: string): Promise<RealPatch[]> {
  const real: RealPatch[] = []
  if (!existsSync(shared)) return real
  const v2 = findPatchFolders(join(shared, 'bigearthnet', 'BigEarthNet-S2'))
  for (const p of v2) real.push({ path: p, kind: 'BigEarthNet v2', mask: await rebenLabels(join(shared, 'bigearthnet', 'reben-metadata.parquet'), basename(p)), note: '' })
  for (const p of findPatchFolders(join(shared, 'bigearthnet', 'v1'))) {
    const labels = v1Labels(p, basename(p))
    real.push({ path: p, kind: 'BigEarthNet v1', mask: labels.reduce((m, b) => m | (1 << b), 0), note: '' })
  }
  const eurosat = join(shared, 'eurosat')
  if (existsSync(eurosat)) {
    for (const f of readdirSync(eurosat).filter((f) => /\.tiff?$/i.test(f)).sort()) {
      real.push({ path: join(eurosat, f), kind: 'EuroSAT', mask: null, note: `EuroSAT class ${f.replace(/_\d+\.tiff?$/i, '')}` })
    }
  }
  return real
}

/**
 * Encodes every real patch under `shared` and finds its 10 nearest database codes (Hamming, exact k-NN);
 * `dbCodes` are packed 32-bit words and `dbMasks` the label masks, both in database order.
 */
export async function queryRealPatches(shared: string, encoder: Encoder, dbCodes: Uint32Array, dbMasks: readonly number[]): Promise<RealNeighbours[]> {
  const real = await findRealPatches(shared)
  if (real.length === 0) return []
  const out: RealNeighbours[] = []
  const index = HashIndex.fromArrays(encoder.bits, Int32Array.from({ length: dbMasks.length }, (_, i) => i), dbCodes)
  for (const r of real) {
    const image = await readExample(r.path, encoder.model.card)
    const [code] = await encoder.encode([image])
    const nn = await index.knn(code!, 10)
    const masks = nn.map((n) => dbMasks[n.id]!)
    const counts = new Map<string, number>()
    for (const m of masks) for (const l of namesOf('ben19', m)) counts.set(l, (counts.get(l) ?? 0) + 1)
    const common = [...counts].sort((x, y) => y[1] - x[1] || (x[0] < y[0] ? -1 : 1)).slice(0, 3).map(([l, n]) => `${l} (${n})`).join('; ')
    const mask = r.mask
    out.push({
      query: `${r.kind} ${basename(r.path)}`,
      labels: mask === null ? r.note : namesOf('ben19', mask).join('; '),
      sharing: mask === null ? null : { count: masks.filter((m) => (m & mask) !== 0).length, jaccard: masks.reduce((s, m) => s + jaccard(mask, m), 0) / 10 },
      nearest: nn[0]!.distance,
      tenth: nn[9]!.distance,
      common,
    })
  }
  index.close()
  return out
}
