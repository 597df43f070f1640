import { join, resolve } from 'node:path'
import type { ModelFolders } from '../inference/modelRegistry'

/** What an adapter knows of its surroundings and hands to the core: nothing below reads the environment. */
export interface HostEnvironment {
  /** The process environment (EARTHQUBE_DB, EARTHQUBE_MODELS). */
  env: Readonly<Record<string, string | undefined>>
  /** The user's home folder. */
  home: string
  /** The app's resources folder (nomenclature, models), as the adapter finds it beside its bundle. */
  resourcesDir: string | null
}

/** The app's own folder when Electron's userData is not there (browser mode, the CLI): ~/.earthqube. */
export function defaultDataDir(host: Pick<HostEnvironment, 'home'>): string {
  return join(host.home, '.earthqube')
}

/** The shipped models (`<resources>/models`) and the user's: $EARTHQUBE_MODELS, else ~/.earthqube/models. */
export function modelFoldersOf(host: HostEnvironment): ModelFolders {
  const fromEnv = host.env['EARTHQUBE_MODELS']
  return {
    shipped: host.resourcesDir ? join(host.resourcesDir, 'models') : null,
    user: fromEnv ? resolve(fromEnv) : join(defaultDataDir(host), 'models'),
  }
}
