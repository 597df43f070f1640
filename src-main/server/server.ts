import { createServer } from 'node:http'
import type { IncomingMessage, OutgoingHttpHeaders, Server, ServerResponse } from 'node:http'
import type { IpcResult } from '../contract/ipc'
import { IPC_CALL_NAMES, fail, isIpcCallName } from '../contract/ipc'
import type { AppService } from '../service/appService'
import { findStaticFile, sendFile } from './staticFiles'

/** What the browser-mode server serves. */
export interface BrowserModeServerOptions {
  /** Runs the contract calls and emits the events. */
  service: Pick<AppService, 'handle' | 'onEvent'>
  /** The built renderer (out/renderer). */
  rendererDir: string
  /** Content-Security-Policy sent with every response (the renderer's own, see contentSecurityPolicy.ts). */
  contentSecurityPolicy: string
  /** Largest request body, bytes. The largest valid query (a 10,000-position polygon) is ~0.5 MB. */
  maxBodyBytes?: number
}

/** Where calls go: POST /api/<call name>, e.g. /api/search:query. */
export const API_PREFIX = '/api/'

/** Where events come from: GET /api/events, a Server-Sent Events stream of `{ name, payload }`. */
export const EVENTS_PATH = '/api/events'

/** A comment line on idle event streams, so proxies and the browser keep them open. */
const KEEPALIVE_MS = 25_000

const DEFAULT_MAX_BODY_BYTES = 2 * 1024 * 1024

/** An HTTP-level refusal (before a call reaches the service). */
class HttpError extends Error {
  constructor(
    readonly status: number,
    message: string,
    readonly headers: OutgoingHttpHeaders = {},
  ) {
    super(message)
  }
}

/**
 * Browser mode: a plain Node HTTP server with the renderer's files and the IPC contract at
 * POST /api/<call>. Meant to listen on 127.0.0.1 only. Because any web page the user opens can send
 * requests to localhost, a call is accepted only when the Host is ours (no DNS rebinding), the
 * Origin, if sent, is ours, and the body is declared JSON (so a cross-site form cannot post it and a
 * cross-site fetch needs a CORS preflight, which is never granted).
 */
export function createBrowserModeServer(options: BrowserModeServerOptions): Server {
  const securityHeaders: OutgoingHttpHeaders = {
    'Content-Security-Policy': options.contentSecurityPolicy,
    'X-Content-Type-Options': 'nosniff',
    'X-Frame-Options': 'DENY',
    'Referrer-Policy': 'no-referrer',
    'Cross-Origin-Opener-Policy': 'same-origin',
    'Cross-Origin-Resource-Policy': 'same-origin',
  }
  return createServer((req, res) => {
    for (const [name, value] of Object.entries(securityHeaders)) res.setHeader(name, value!)
    route(req, res, options).catch((e: unknown) => {
      const error = e instanceof HttpError ? e : new HttpError(500, `internal error: ${e instanceof Error ? e.message : String(e)}`)
      if (res.headersSent) {
        res.destroy()
        return
      }
      sendJson(res, error.status, fail(error.message), error.headers)
    })
  })
}

async function route(req: IncomingMessage, res: ServerResponse, options: BrowserModeServerOptions): Promise<void> {
  const host = checkHost(req)
  const url = new URL(req.url ?? '/', `http://${host}`)
  const method = req.method ?? 'GET'
  if (url.pathname === EVENTS_PATH) {
    if (method !== 'GET') throw new HttpError(405, `${EVENTS_PATH} takes GET`, { Allow: 'GET' })
    checkSameSite(req, host)
    streamEvents(req, res, options.service)
    return
  }
  if (url.pathname.startsWith(API_PREFIX)) {
    if (method !== 'POST') throw new HttpError(405, `${url.pathname} takes POST`, { Allow: 'POST' })
    checkSameOrigin(req, host)
    const name = decodeCallName(url.pathname.slice(API_PREFIX.length))
    if (!isIpcCallName(name)) {
      throw new HttpError(404, `unknown call ${JSON.stringify(name)}; the calls are ${IPC_CALL_NAMES.join(', ')}`)
    }
    const payload = await readJsonBody(req, options.maxBodyBytes ?? DEFAULT_MAX_BODY_BYTES)
    sendJson(res, 200, await options.service.handle(name, payload))
    return
  }
  if (method !== 'GET' && method !== 'HEAD') throw new HttpError(405, `${method} is not served here`, { Allow: 'GET, HEAD' })
  const file = await findStaticFile(options.rendererDir, url.pathname)
  if (!file) {
    res.writeHead(404, { 'Content-Type': 'text/plain; charset=utf-8' })
    res.end(`${url.pathname} not found\n`)
    return
  }
  sendFile(file, method, res)
}

/** The request's Host when it names this server on loopback; anything else is refused (DNS rebinding). */
function checkHost(req: IncomingMessage): string {
  const host = req.headers.host ?? ''
  const port = req.socket.localPort
  if (host !== `127.0.0.1:${port}` && host !== `localhost:${port}`) {
    throw new HttpError(421, `this server answers only to 127.0.0.1:${port} or localhost:${port}, not ${JSON.stringify(host)}`)
  }
  return host
}

/** Refuses requests made by other sites' pages (by Origin and, where browsers send it, Sec-Fetch-Site). */
function checkSameSite(req: IncomingMessage, host: string): void {
  const origin = req.headers.origin
  if (origin !== undefined && origin !== `http://${host}`) {
    throw new HttpError(403, `calls from ${origin} are refused; only the EarthQube page may call the API`)
  }
  const site = req.headers['sec-fetch-site']
  if (site !== undefined && site !== 'same-origin' && site !== 'none') {
    throw new HttpError(403, `calls from a ${site} page are refused; only the EarthQube page may call the API`)
  }
}

/** Refuses calls made by other sites' pages, and bodies not declared JSON. */
function checkSameOrigin(req: IncomingMessage, host: string): void {
  checkSameSite(req, host)
  const type = (req.headers['content-type'] ?? '').split(';')[0]!.trim().toLowerCase()
  if (type !== 'application/json') {
    throw new HttpError(415, `send the request as Content-Type: application/json, not ${JSON.stringify(type)}`)
  }
}

/** Sends every event of the service to this client until it goes away. */
function streamEvents(req: IncomingMessage, res: ServerResponse, service: Pick<AppService, 'onEvent'>): void {
  res.writeHead(200, {
    'Content-Type': 'text/event-stream; charset=utf-8',
    'Cache-Control': 'no-store',
    Connection: 'keep-alive',
  })
  // Tells the client the stream is open (EventSource fires `open` on the first bytes).
  res.write(': connected\n\n')
  const unsubscribe = service.onEvent((event) => {
    res.write(`data: ${JSON.stringify(event)}\n\n`)
  })
  const keepalive = setInterval(() => res.write(': keepalive\n\n'), KEEPALIVE_MS)
  keepalive.unref()
  const stop = (): void => {
    clearInterval(keepalive)
    unsubscribe()
  }
  req.on('close', stop)
  res.on('close', stop)
}

function decodeCallName(segment: string): string {
  try {
    return decodeURIComponent(segment)
  } catch {
    throw new HttpError(400, `${JSON.stringify(segment)} is not a valid call name`)
  }
}

/** The JSON body, or undefined when empty (calls without arguments). */
async function readJsonBody(req: IncomingMessage, maxBytes: number): Promise<unknown> {
  const chunks: Buffer[] = []
  let size = 0
  for await (const chunk of req as AsyncIterable<Buffer>) {
    size += chunk.length
    if (size > maxBytes) throw new HttpError(413, `request body is over ${maxBytes} bytes`, { Connection: 'close' })
    chunks.push(chunk)
  }
  const text = Buffer.concat(chunks).toString('utf8')
  if (text.trim() === '') return undefined
  try {
    return JSON.parse(text) as unknown
  } catch (e) {
    throw new HttpError(400, `request body is not JSON: ${(e as Error).message}`)
  }
}

function sendJson(res: ServerResponse, status: number, body: IpcResult<unknown>, headers: OutgoingHttpHeaders = {}): void {
  const text = JSON.stringify(body)
  res.writeHead(status, {
    ...headers,
    'Content-Type': 'application/json; charset=utf-8',
    'Content-Length': Buffer.byteLength(text),
    'Cache-Control': 'no-store',
  })
  res.end(text)
}
