import { join, resolve } from 'node:path'

/**
 * The catalog file the app opens: the --db flag, else $EARTHQUBE_DB, else `<defaultDir>/catalog.db`
 * (Electron passes its userData folder, browser mode ~/.earthqube). Relative paths are from the cwd.
 */
export function resolveCatalogPath(options: {
  flag?: string | undefined
  env: Readonly<Record<string, string | undefined>>
  defaultDir: string
}): string {
  const chosen = options.flag ?? options.env['EARTHQUBE_DB']
  return chosen !== undefined && chosen.trim() !== '' ? resolve(chosen) : join(options.defaultDir, 'catalog.db')
}
