import { createReadStream } from 'node:fs'
import { realpath, stat } from 'node:fs/promises'
import type { ServerResponse } from 'node:http'
import { extname, isAbsolute, relative, resolve, sep } from 'node:path'

/** Content types of the files a Vite build emits. */
const CONTENT_TYPES: Readonly<Record<string, string>> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json; charset=utf-8',
  '.map': 'application/json; charset=utf-8',
  '.txt': 'text/plain; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.jpg': 'image/jpeg',
  '.jpeg': 'image/jpeg',
  '.gif': 'image/gif',
  '.webp': 'image/webp',
  '.ico': 'image/x-icon',
  '.woff': 'font/woff',
  '.woff2': 'font/woff2',
  '.ttf': 'font/ttf',
  '.wasm': 'application/wasm',
}

/** Content type for a file name; unknown kinds are opaque bytes (nosniff keeps browsers from guessing). */
export function contentTypeOf(file: string): string {
  return CONTENT_TYPES[extname(file).toLowerCase()] ?? 'application/octet-stream'
}

/** A file to serve. */
export interface StaticFile {
  path: string
  size: number
}

/**
 * The file under `root` a URL path names, or null when it names nothing servable: a path that
 * escapes root (after decoding), a hidden file, a NUL byte, a directory or a missing file. Symlinks
 * are followed only when their target stays inside root.
 */
export async function findStaticFile(root: string, urlPath: string): Promise<StaticFile | null> {
  let decoded: string
  try {
    decoded = decodeURIComponent(urlPath)
  } catch {
    return null
  }
  if (decoded.includes('\0')) return null
  const wanted = decoded === '/' ? 'index.html' : decoded.replace(/^\/+/, '')
  if (wanted.split(/[\\/]/).some((segment) => segment.startsWith('.'))) return null
  const base = resolve(root)
  const file = resolve(base, wanted)
  if (!isInside(base, file)) return null
  try {
    const [realBase, realFile] = await Promise.all([realpath(base), realpath(file)])
    if (!isInside(realBase, realFile)) return null
    const info = await stat(realFile)
    return info.isFile() ? { path: realFile, size: info.size } : null
  } catch {
    return null
  }
}

function isInside(base: string, file: string): boolean {
  const rel = relative(base, file)
  return rel !== '' && !rel.startsWith(`..${sep}`) && rel !== '..' && !isAbsolute(rel)
}

/** Sends a resolved file (headers only for HEAD). */
export function sendFile(file: StaticFile, method: string, res: ServerResponse): void {
  res.writeHead(200, { 'Content-Type': contentTypeOf(file.path), 'Content-Length': file.size, 'Cache-Control': 'no-cache' })
  if (method === 'HEAD') {
    res.end()
    return
  }
  createReadStream(file.path)
    .on('error', () => res.destroy())
    .pipe(res)
}
