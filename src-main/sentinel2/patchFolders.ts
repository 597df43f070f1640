import { readdirSync, realpathSync, statSync } from 'node:fs'
import type { Dirent } from 'node:fs'
import { join } from 'node:path'
import { errorMessage } from '../common/errors'

/** A folder holds a patch when it has band files (or a v1 labels file); nothing below it is searched. */
function isPatchFile(name: string): boolean {
  return /\.tiff?$/i.test(name) || name.endsWith('_labels_metadata.json')
}

/**
 * Folders at or below `root` that hold patch files (GeoTIFFs or v1 labels JSON), sorted by path; the
 * search does not descend into a patch folder. Throws when `root` is not a readable folder.
 */
export function findPatchFolders(root: string): string[] {
  let st
  try {
    st = statSync(root)
  } catch (e) {
    throw new Error(`cannot read ${root} (${errorMessage(e)})`)
  }
  if (!st.isDirectory()) throw new Error(`${root} is not a folder`)
  const found: string[] = []
  const seen = new Set<string>()
  const walk = (dir: string): void => {
    const real = realpathSync(dir)
    if (seen.has(real)) return // a symlink loop
    seen.add(real)
    let entries: Dirent[]
    try {
      entries = readdirSync(dir, { withFileTypes: true })
    } catch (e) {
      throw new Error(`cannot read folder ${dir} (${errorMessage(e)})`)
    }
    if (entries.some((e) => !e.isDirectory() && isPatchFile(e.name))) {
      found.push(dir)
      return
    }
    const subdirs = entries
      .filter((e) => !e.name.startsWith('.') && (e.isDirectory() || (e.isSymbolicLink() && statSync(join(dir, e.name), { throwIfNoEntry: false })?.isDirectory())))
      .map((e) => e.name)
      .sort()
    for (const d of subdirs) walk(join(dir, d))
  }
  walk(root)
  return found
}
