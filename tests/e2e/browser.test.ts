import { spawn } from 'node:child_process'
import type { ChildProcess } from 'node:child_process'
import { existsSync, readFileSync } from 'node:fs'
import { join, resolve } from 'node:path'
import type { Browser, Page } from 'playwright-core'
import { chromium } from 'playwright-core'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { readContentSecurityPolicy } from '../../src-main/server/contentSecurityPolicy'
import { createFixtureCatalog, makeTempDir } from '../fixtureCatalog'

// Browser mode end to end: the built server (out/main/server.js, from `npm run build`) on a temp
// catalog, driven by headless Chromium.

const CHROMIUM = '/usr/bin/chromium'
const ROOT = resolve(__dirname, '../..')
const SERVER = join(ROOT, 'out/main/server.js')
const hasChromium = existsSync(CHROMIUM)
if (!hasChromium) console.warn(`skipping tests/e2e/browser.test.ts: ${CHROMIUM} is missing (apt-get install chromium)`)

/** A browser-mode server on a free port; resolves once it prints its URL. */
async function startServer(catalogFile: string): Promise<{ url: string; process: ChildProcess }> {
  if (!existsSync(SERVER)) throw new Error(`${SERVER} is missing: run \`npm run build\` before the e2e tests`)
  const child = spawn(process.execPath, [SERVER, '--port', '0'], {
    cwd: ROOT,
    env: { ...process.env, EARTHQUBE_DB: catalogFile, PORT: '' },
    stdio: ['ignore', 'pipe', 'pipe'],
  })
  let output = ''
  const url = await new Promise<string>((resolveUrl, reject) => {
    const timer = setTimeout(() => reject(new Error(`the server printed no URL within 15 s:\n${output}`)), 15_000)
    const onData = (chunk: Buffer): void => {
      output += chunk.toString()
      const m = /at (http:\/\/127\.0\.0\.1:\d+\/)/.exec(output)
      if (m) {
        clearTimeout(timer)
        resolveUrl(m[1]!)
      }
    }
    child.stdout!.on('data', onData)
    child.stderr!.on('data', onData)
    child.on('exit', (code) => {
      clearTimeout(timer)
      reject(new Error(`the server exited with code ${code}:\n${output}`))
    })
  })
  return { url, process: child }
}

function stopServer(server: { process: ChildProcess } | undefined): void {
  if (server && server.process.exitCode === null) server.process.kill('SIGTERM')
}

describe.skipIf(!hasChromium)('browser mode', () => {
  let temp: ReturnType<typeof makeTempDir>
  let server: { url: string; process: ChildProcess }
  let emptyServer: { url: string; process: ChildProcess } | undefined
  let browser: Browser
  let page: Page
  const pageProblems: string[] = []

  beforeAll(async () => {
    temp = makeTempDir('earthqube-e2e-')
    const catalogFile = join(temp.dir, 'catalog.db')
    await createFixtureCatalog(catalogFile)
    server = await startServer(catalogFile)
    browser = await chromium.launch({
      executablePath: CHROMIUM,
      headless: true,
      args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
    })
    page = await browser.newPage()
    // CSP violations and script errors show up as console errors.
    page.on('console', (m) => {
      if (m.type() === 'error') pageProblems.push(m.text())
    })
    page.on('pageerror', (e) => pageProblems.push(e.message))
    await page.goto(server.url)
  })

  afterAll(async () => {
    await browser?.close()
    stopServer(server)
    stopServer(emptyServer)
    temp?.remove()
  })

  it('shows the title and the catalog stats line', async () => {
    await expect.poll(() => page.locator('h1').textContent()).toBe('EarthQube')
    const stats = page.locator('[data-test="stats"]')
    await stats.waitFor()
    expect(await stats.textContent()).toContain('5 patches · BigEarthNet v2 (5) · 2017-06-13 to 2018-05-21')
  })

  it('talks to main over HTTP (no preload in browser mode)', async () => {
    expect(await page.evaluate("'earthqube' in window")).toBe(false)
    const footer = async () => (await page.locator('footer').textContent())?.replace(/\s+/g, ' ')
    await expect.poll(footer).toMatch(/browser mode · catalog .*catalog\.db/)
  })

  it('runs a query and shows the total, the first names and the label counts', async () => {
    await page.locator('#query').fill('{"labels": {"operator": "some", "labels": ["Arable land"]}, "sort": {"by": "name"}}')
    await page.getByRole('button', { name: 'Search' }).click()
    const result = page.locator('[data-test="result"]')
    await result.waitFor()
    expect(await result.locator('.total').textContent()).toContain('2 patches match')
    expect(await result.locator('ol li').allTextContents()).toEqual([
      'S2A_MSIL2A_20180521T100031_N9999_R122_T33UUP_41_12',
      'S2B_MSIL2A_20180205T100139_N9999_R122_T33UUP_40_12',
    ])
    const labels = await result.locator('table').textContent()
    expect(labels).toContain('Arable land')
    expect(labels).toContain('Urban fabric')
  })

  it('shows the readable error of a bad query', async () => {
    await page.locator('#query').fill('{"page": {"limit": 5000}}')
    await page.getByRole('button', { name: 'Search' }).click()
    const alert = page.locator('section[aria-labelledby="query-title"] [role="alert"]')
    await alert.waitFor()
    expect(await alert.textContent()).toContain('page.limit must be at most 1000')
  })

  it('says when the query is not JSON', async () => {
    await page.locator('#query').fill('{"page": ')
    await page.getByRole('button', { name: 'Search' }).click()
    await expect.poll(() => page.locator('section[aria-labelledby="query-title"] [role="alert"]').textContent()).toContain('The query is not JSON')
  })

  it('stores feedback', async () => {
    await page.locator('#feedback').fill('Looks good so far')
    await page.getByRole('button', { name: 'Send' }).click()
    await expect.poll(() => page.locator('section[aria-labelledby="feedback-title"] [role="status"]').textContent()).toContain('saved as note #1')
  })

  it('ran without script errors or CSP violations', () => {
    expect(pageProblems).toEqual([])
  })

  it('sends the renderer CSP as a header, with the other hardening headers', async () => {
    const res = await fetch(server.url)
    const meta = readContentSecurityPolicy(readFileSync(join(ROOT, 'out/renderer/index.html'), 'utf8'))
    expect(res.headers.get('content-security-policy')).toBe(meta)
    expect(meta).toContain("default-src 'self'")
    expect(meta).not.toContain('unsafe-eval')
    expect(res.headers.get('x-content-type-options')).toBe('nosniff')
    expect(res.headers.get('content-type')).toBe('text/html; charset=utf-8')
  })

  it('serves the built assets with their content types', async () => {
    const html = await (await fetch(server.url)).text()
    const script = /src="\.\/(assets\/[^"]+\.js)"/.exec(html)![1]!
    const res = await fetch(new URL(script, server.url))
    expect(res.status).toBe(200)
    expect(res.headers.get('content-type')).toBe('text/javascript; charset=utf-8')
  })

  it.each(['/../package.json', '/..%2f..%2fpackage.json', '/%2e%2e/%2e%2e/package.json', '/.vite/manifest.json', '/assets/'])(
    'serves nothing outside the renderer: %s',
    async (path) => {
      // fetch() would normalise the dots away; send the raw path.
      const { request } = await import('node:http')
      const url = new URL(server.url)
      const status = await new Promise<number>((done, fail) => {
        request({ host: url.hostname, port: url.port, path, method: 'GET' }, (res) => {
          res.resume()
          done(res.statusCode!)
        })
          .on('error', fail)
          .end()
      })
      expect(status).toBe(404)
    },
  )

  it('refuses API calls from another origin, and bodies not declared JSON', async () => {
    const call = (headers: Record<string, string>) =>
      fetch(new URL('api/app:info', server.url), { method: 'POST', headers, body: '' })
    const foreign = await call({ 'Content-Type': 'application/json', Origin: 'https://evil.example' })
    expect(foreign.status).toBe(403)
    expect(await foreign.json()).toEqual({ ok: false, error: 'calls from https://evil.example are refused; only the EarthQube page may call the API' })
    expect((await call({ 'Content-Type': 'text/plain' })).status).toBe(415)
    expect((await call({ 'Content-Type': 'application/json' })).status).toBe(200)
  })

  it('says how to import data when there is no catalog yet', async () => {
    emptyServer = await startServer(join(temp.dir, 'missing', 'catalog.db'))
    const empty = await browser.newPage()
    await empty.goto(emptyServer.url)
    const stats = empty.locator('[data-test="stats"]')
    await stats.waitFor()
    expect((await stats.textContent())?.replace(/\s+/g, ' ')).toContain('No catalog yet — import data with npx earthqube import reben …')
    await empty.close()
  })
})
