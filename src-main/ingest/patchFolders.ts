import { basename } from 'node:path'
import { findPatchFolders } from '../sentinel2/patchFolders'
import type { ParsedPatchName } from './patchName'

/** A patch folder found under an import root, with its name (the folder's) parsed. */
export interface NamedPatchFolder {
  path: string
  name: string
  parsed: ParsedPatchName
}

/**
 * The patch folders under `root`, each named by its folder and parsed with the archive's naming rule;
 * the one lister behind the v1 and v2 importers. Errors: no folder at all (`layout` says what was
 * expected), a name that does not parse (naming the folder), a patch in two folders.
 */
export function listPatchFolders(root: string, parseName: (name: string) => ParsedPatchName, layout: string): NamedPatchFolder[] {
  const paths = findPatchFolders(root)
  if (paths.length === 0) throw new Error(`no patch folders found in ${root} (expected ${layout})`)
  const byName = new Map<string, string>()
  return paths.map((path) => {
    const name = basename(path)
    let parsed: ParsedPatchName
    try {
      parsed = parseName(name)
    } catch (e) {
      throw new Error(`patch folder ${path}: ${(e as Error).message}`)
    }
    const twin = byName.get(name)
    if (twin) throw new Error(`patch ${name} is in two folders: ${twin} and ${path}`)
    byName.set(name, path)
    return { path, name, parsed }
  })
}
