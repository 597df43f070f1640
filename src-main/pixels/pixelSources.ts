/**
 * Where a catalog patch's pixels come from, by its `pixels_path`: a BigEarthNet patch folder or a
 * multi-band GeoTIFF on disk, or a `demo://<seed>/<index>` address that regenerates a simulated demo
 * patch (nothing is stored for those). `indexArchive`'s `pixelSource` and the trainer use this.
 */
import { demoGeometry, demoPatch, parseDemoPixelsPath } from '../demo/archive'
import { renderDemoPatch } from '../demo/pixels'
import type { BandName } from '../sentinel2/bands'
import type { PatchImage } from '../sentinel2/patchImage'
import { BIGEARTHNET_BANDS } from '../sentinel2/bands'
import { readPatchImage } from '../sentinel2/geotiff'

/** The simulated demo patch `index` of the archive of `seed` as a patch image (bands, UTM square, footprint). */
export function demoPatchImage(seed: number, index: number): PatchImage {
  const patch = demoPatch(seed, index)
  const bands = renderDemoPatch(patch)
  return {
    kind: 'bigearthnet-folder',
    path: `demo://${seed}/${index}`,
    name: patch.name,
    bandNames: BIGEARTHNET_BANDS.filter((b: BandName) => bands.has(b)),
    bands,
    ...demoGeometry(patch),
  }
}

/**
 * The pixels a catalog `pixels_path` names: `demo://<seed>/<index>` is regenerated; anything else is a
 * patch folder or a GeoTIFF file read with `readPatchImage` (its errors name the file).
 */
export async function resolvePixels(pixelsPath: string): Promise<PatchImage> {
  const demo = parseDemoPixelsPath(pixelsPath)
  if (demo) return demoPatchImage(demo.seed, demo.index)
  if (pixelsPath.startsWith('demo://')) {
    throw new Error(`${pixelsPath} is not a demo pixels path (expected demo://<seed>/<index>, index below 549,488)`)
  }
  return readPatchImage(pixelsPath)
}
