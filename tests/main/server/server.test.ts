import { request } from 'node:http'
import type { AddressInfo } from 'node:net'
import type { Server } from 'node:http'
import { mkdirSync, symlinkSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { AppEvent } from '../../../src-main/contract/ipc'
import { createBrowserModeServer } from '../../../src-main/server/server'
import { AppService } from '../../../src-main/service/appService'
import { createFixtureCatalog, makeTempDir } from '../../fixtureCatalog'
import { testModelFolders } from '../../support'

const CSP = "default-src 'self'"

/** One raw HTTP request to the server (the Host and every header as given, nothing added). */
function send(
  port: number,
  options: { method?: string; path: string; headers?: Record<string, string>; body?: string },
): Promise<{ status: number; headers: Record<string, string | string[] | undefined>; body: string }> {
  return new Promise((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port, method: options.method ?? 'GET', path: options.path, headers: options.headers ?? {} }, (res) => {
      let body = ''
      res.setEncoding('utf8')
      res.on('data', (c: string) => (body += c))
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body }))
    })
    req.on('error', reject)
    req.end(options.body)
  })
}

describe('browser-mode server', () => {
  let temp: ReturnType<typeof makeTempDir>
  let service: AppService
  let server: Server
  let port: number
  let host: string
  const json = (): Record<string, string> => ({ Host: host, 'Content-Type': 'application/json' })

  beforeAll(async () => {
    temp = makeTempDir('earthqube-server-')
    const rendererDir = join(temp.dir, 'renderer')
    mkdirSync(join(rendererDir, 'assets'), { recursive: true })
    writeFileSync(join(rendererDir, 'index.html'), '<!doctype html><title>EarthQube</title>')
    writeFileSync(join(rendererDir, 'assets', 'app.js'), 'console.log(1)')
    writeFileSync(join(rendererDir, '.env'), 'SECRET=1')
    writeFileSync(join(temp.dir, 'outside.txt'), 'not for the browser')
    symlinkSync(join(temp.dir, 'outside.txt'), join(rendererDir, 'escape.txt'))
    const catalogPath = join(temp.dir, 'catalog.db')
    await createFixtureCatalog(catalogPath)
    service = new AppService({ catalogPath, mode: 'browser', version: '0.0.1', models: testModelFolders() })
    server = createBrowserModeServer({ service, rendererDir, contentSecurityPolicy: CSP, maxBodyBytes: 10_000 })
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r))
    port = (server.address() as AddressInfo).port
    host = `127.0.0.1:${port}`
  })
  afterAll(async () => {
    server.closeAllConnections()
    await new Promise((r) => server.close(r))
    await service.close()
    temp.remove()
  })

  it('answers a contract call with its result, as JSON, uncached', async () => {
    const r = await send(port, { method: 'POST', path: '/api/search:query', headers: json(), body: '{"page":{"limit":1}}' })
    expect(r.status).toBe(200)
    expect(r.headers['content-type']).toBe('application/json; charset=utf-8')
    expect(r.headers['cache-control']).toBe('no-store')
    expect(JSON.parse(r.body)).toMatchObject({ ok: true, value: { total: 5 } })
  })

  it('sends the CSP and the hardening headers with every response', async () => {
    const r = await send(port, { path: '/', headers: { Host: host } })
    expect(r.status).toBe(200)
    expect(r.body).toContain('<title>EarthQube</title>')
    expect(r.headers['content-security-policy']).toBe(CSP)
    expect(r.headers['x-content-type-options']).toBe('nosniff')
    expect(r.headers['x-frame-options']).toBe('DENY')
  })

  it.each([
    ['a DNS-rebinding Host', { Host: 'evil.example:80' }, 421],
    ['a Host naming another port', { Host: '127.0.0.1:1' }, 421],
  ])('refuses %s', async (_what, headers, status) => {
    const r = await send(port, { path: '/', headers })
    expect(r.status).toBe(status)
    expect(JSON.parse(r.body).error).toMatch(/this server answers only to 127\.0\.0\.1:\d+ or localhost:\d+/)
  })

  it('refuses calls from another origin or site, and bodies not declared JSON', async () => {
    const foreign = await send(port, { method: 'POST', path: '/api/catalog:stats', headers: { ...json(), Origin: 'https://evil.example' } })
    expect(foreign.status).toBe(403)
    expect(JSON.parse(foreign.body).error).toBe('calls from https://evil.example are refused; only the EarthQube page may call the API')
    const crossSite = await send(port, { method: 'POST', path: '/api/catalog:stats', headers: { ...json(), 'Sec-Fetch-Site': 'cross-site' } })
    expect(crossSite.status).toBe(403)
    const form = await send(port, { method: 'POST', path: '/api/feedback:add', headers: { Host: host, 'Content-Type': 'text/plain' }, body: '{"text":"x"}' })
    expect(form.status).toBe(415)
  })

  it('refuses unknown calls, other methods and oversized bodies, naming the problem', async () => {
    const unknown = await send(port, { method: 'POST', path: '/api/catalog:drop', headers: json() })
    expect(unknown.status).toBe(404)
    expect(JSON.parse(unknown.body).error).toMatch(/^unknown call "catalog:drop"; the calls are catalog:stats, /)
    const get = await send(port, { path: '/api/catalog:stats', headers: { Host: host } })
    expect(get.status).toBe(405)
    const big = await send(port, { method: 'POST', path: '/api/feedback:add', headers: json(), body: JSON.stringify({ text: 'x'.repeat(20_000) }) })
    expect(big.status).toBe(413)
    expect(JSON.parse(big.body).error).toBe('request body is over 10000 bytes')
    const notJson = await send(port, { method: 'POST', path: '/api/search:query', headers: json(), body: '{page' })
    expect(notJson.status).toBe(400)
  })

  it.each(['/../outside.txt', '/%2e%2e/outside.txt', '/assets/..%2f..%2foutside.txt', '/.env', '/escape.txt', '/assets/%00app.js', '/assets'])(
    'serves nothing outside the renderer or hidden: %s',
    async (path) => {
      const r = await send(port, { path, headers: { Host: host } })
      expect(r.status).toBe(404)
      expect(r.body).not.toContain('not for the browser')
      expect(r.body).not.toContain('SECRET')
    },
  )

  it('serves built assets with their content type', async () => {
    const r = await send(port, { path: '/assets/app.js', headers: { Host: host } })
    expect(r.status).toBe(200)
    expect(r.headers['content-type']).toBe('text/javascript; charset=utf-8')
  })

  it('streams main\'s events to the page as Server-Sent Events', async () => {
    const events: AppEvent[] = []
    const stream = await new Promise<import('node:http').IncomingMessage>((resolve, reject) => {
      const req = request({ host: '127.0.0.1', port, path: '/api/events', headers: { Host: host, 'Sec-Fetch-Site': 'same-origin' } }, resolve)
      req.on('error', reject)
      req.end()
    })
    expect(stream.statusCode).toBe(200)
    expect(stream.headers['content-type']).toBe('text/event-stream; charset=utf-8')
    let buffer = ''
    const gotFailure = new Promise<void>((resolve) => {
      stream.setEncoding('utf8')
      stream.on('data', (chunk: string) => {
        buffer += chunk
        for (;;) {
          const end = buffer.indexOf('\n\n')
          if (end < 0) break
          const message = buffer.slice(0, end)
          buffer = buffer.slice(end + 2)
          if (!message.startsWith('data: ')) continue
          const event = JSON.parse(message.slice(6)) as AppEvent
          events.push(event)
          if (event.name === 'jobs:update' && event.payload.state === 'failed') resolve()
        }
      })
    })
    // A job whose file is missing fails at once: queued, running, failed.
    const start = await send(port, { method: 'POST', path: '/api/jobs:start', headers: json(), body: JSON.stringify({ kind: 'import-reben', files: ['/no/such.parquet'] }) })
    expect(JSON.parse(start.body)).toMatchObject({ ok: true, value: { state: 'queued' } })
    await gotFailure
    stream.destroy()
    expect(events.map((e) => e.name === 'jobs:update' && e.payload.state)).toEqual(['queued', 'running', 'failed'])
  })

  it('refuses an event stream asked for by another site', async () => {
    const r = await send(port, { path: '/api/events', headers: { Host: host, Origin: 'https://evil.example' } })
    expect(r.status).toBe(403)
    const post = await send(port, { method: 'POST', path: '/api/events', headers: json() })
    expect(post.status).toBe(405)
  })
})
