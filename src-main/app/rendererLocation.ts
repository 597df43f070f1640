import { fileURLToPath } from 'node:url'
import { resolve } from 'node:path'

/**
 * Where our renderer is loaded from: the built index.html (file://…/out/renderer/index.html) or, in
 * development, electron-vite's dev server. Decides both what the window loads and whom IPC trusts.
 */
export type RendererLocation = { kind: 'file'; file: string } | { kind: 'url'; url: string }

/**
 * The renderer to load: the dev server when electron-vite gives one and the app is not packaged
 * (a packaged app never trusts an environment variable to pick its code), else the built file.
 */
export function rendererLocationFor(options: { isPackaged: boolean; devServerUrl: string | undefined; builtIndexHtml: string }): RendererLocation {
  if (!options.isPackaged && options.devServerUrl) return { kind: 'url', url: options.devServerUrl }
  return { kind: 'file', file: resolve(options.builtIndexHtml) }
}

/** True when a frame URL is our renderer: exactly the built index.html, or the dev server's origin. */
export function isRendererUrl(url: string, location: RendererLocation): boolean {
  let parsed: URL
  try {
    parsed = new URL(url)
  } catch {
    return false
  }
  if (location.kind === 'url') return parsed.origin === new URL(location.url).origin
  if (parsed.protocol !== 'file:' || parsed.host !== '') return false
  parsed.hash = ''
  parsed.search = ''
  return resolve(fileURLToPath(parsed)) === location.file
}
