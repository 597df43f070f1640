import { join } from 'node:path'
import { pathToFileURL } from 'node:url'
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
import { forwardEvents, registerIpcHandlers } from '../../../src-main/app/ipc'
import type { RendererLocation } from '../../../src-main/app/rendererLocation'
import { isRendererUrl, rendererLocationFor } from '../../../src-main/app/rendererLocation'
import { testModelFolders } from '../../support'
import { AppService } from '../../../src-main/service/appService'
import { Catalog } from '../../../src-main/catalog/catalog'
import type { AppEvent } from '../../../src-main/contract/ipc'
import { EVENT_CHANNEL, IPC_CALL_NAMES } from '../../../src-main/contract/ipc'
import { createFixtureCatalog, makeTempDir } from '../../fixtureCatalog'
import { FakeIpcMain, FakeWebContents, eventFrom, frameAt } from '../fakes'

const RENDERER_FILE = join('/opt/earthqube/out/renderer/index.html')
const FILE_RENDERER: RendererLocation = { kind: 'file', file: RENDERER_FILE }
const OUR_URL = pathToFileURL(RENDERER_FILE).href

describe('registerIpcHandlers', () => {
  let temp: ReturnType<typeof makeTempDir>
  let file: string
  let service: AppService
  let ipcMain: FakeIpcMain
  let warnings: string[]
  let unregister: () => void

  beforeEach(async () => {
    temp = makeTempDir('earthqube-ipc-')
    file = join(temp.dir, 'catalog.db')
    await createFixtureCatalog(file)
    service = new AppService({ catalogPath: file, mode: 'electron', version: '1.2.3', models: testModelFolders() })
    ipcMain = new FakeIpcMain()
    warnings = []
    unregister = registerIpcHandlers(ipcMain, service, FILE_RENDERER, (m) => warnings.push(m))
  })
  afterEach(async () => {
    await service.close()
    temp.remove()
  })

  const feedbackCount = (): number => {
    const catalog = Catalog.open(file, { readonly: true })
    const n = catalog.feedback().length
    catalog.close()
    return n
  }

  it('registers exactly one handler per contract call, and removes them all', () => {
    expect([...ipcMain.handlers.keys()]).toEqual(IPC_CALL_NAMES)
    unregister()
    expect(ipcMain.handlers.size).toBe(0)
  })

  it('answers our renderer with the result', async () => {
    const r = await ipcMain.invoke('app:info', eventFrom(frameAt(OUR_URL)))
    expect(r).toEqual({ ok: true, value: { version: '1.2.3', mode: 'electron', catalogPath: file } })
  })

  it('answers our renderer whatever its hash or query string', async () => {
    const r = await ipcMain.invoke('search:query', eventFrom(frameAt(`${OUR_URL}?x=1#/results`)), { page: { limit: 2 } })
    expect(r).toMatchObject({ ok: true, value: { total: 5 } })
  })

  it('returns a readable error for a bad payload', async () => {
    const r = await ipcMain.invoke('search:query', eventFrom(frameAt(OUR_URL)), { page: { limit: 5000 } })
    expect(r).toEqual({ ok: false, error: 'invalid search:query request: page.limit must be at most 1000' })
  })

  it.each([
    ['another site', 'https://evil.example/index.html'],
    ['another local file', pathToFileURL('/tmp/evil/index.html').href],
    ['a file next to the renderer', pathToFileURL('/opt/earthqube/out/renderer/other.html').href],
    ['a remote file URL', 'file://evil.example/opt/earthqube/out/renderer/index.html'],
    ['a dev server the app does not use', 'http://localhost:5173/'],
  ])('refuses a call from %s, and the call does not run', async (_what, url) => {
    const r = await ipcMain.invoke('feedback:add', eventFrom(frameAt(url)), { text: 'hello' })
    expect(r).toEqual({ ok: false, error: 'feedback:add refused: the call did not come from the EarthQube window' })
    expect(feedbackCount()).toBe(0)
    expect(warnings).toEqual([`refused IPC call feedback:add from ${url}`])
  })

  it('refuses a call from an iframe inside our renderer', async () => {
    const r = await ipcMain.invoke('feedback:add', eventFrom(frameAt(OUR_URL, frameAt(OUR_URL))), { text: 'hello' })
    expect(r).toMatchObject({ ok: false })
    expect(feedbackCount()).toBe(0)
  })

  it('refuses a call whose frame is gone', async () => {
    const r = await ipcMain.invoke('catalog:stats', eventFrom(null))
    expect(r).toMatchObject({ ok: false })
    expect(warnings).toEqual(['refused IPC call catalog:stats from a destroyed frame'])
  })

  it('refuses extra arguments, and the call does not run', async () => {
    const r = await ipcMain.invoke('feedback:add', eventFrom(frameAt(OUR_URL)), { text: 'hello' }, { text: 'again' })
    expect(r).toEqual({ ok: false, error: 'feedback:add takes at most one argument, got 2' })
    expect(feedbackCount()).toBe(0)
  })

  it('stores feedback from our renderer', async () => {
    const r = await ipcMain.invoke('feedback:add', eventFrom(frameAt(OUR_URL)), { text: 'hello' })
    expect(r).toMatchObject({ ok: true, value: { id: 1 } })
    expect(feedbackCount()).toBe(1)
  })

  it('hands the service only contract calls, with the single payload', async () => {
    const fake = { handle: vi.fn(async () => ({ ok: true as const, value: null })) }
    const other = new FakeIpcMain()
    registerIpcHandlers(other, fake, FILE_RENDERER, () => {})
    await other.invoke('catalog:stats', eventFrom(frameAt(OUR_URL)))
    await other.invoke('catalog:stats', eventFrom(frameAt('https://evil.example/')))
    expect(fake.handle.mock.calls).toEqual([['catalog:stats', undefined]])
  })
})

describe('forwardEvents', () => {
  it('sends every service event to each live window on the one event channel, until stopped', async () => {
    const temp = makeTempDir('earthqube-events-')
    const service = new AppService({ catalogPath: join(temp.dir, 'none.db'), mode: 'electron', version: '1', models: testModelFolders() })
    const open = new FakeWebContents()
    const closed = new FakeWebContents(true)
    const stop = forwardEvents(service, () => [open, closed])
    const started = await service.handle('jobs:start', { kind: 'import-reben', files: ['/no/such/file.parquet'] })
    await service.whenJobDone(started.ok ? started.value.id : '')
    stop()
    await service.handle('jobs:start', { kind: 'import-reben', files: ['/no/such/other.parquet'] })
    await service.close()
    temp.remove()
    expect(closed.sent).toEqual([])
    expect(open.sent.map(([channel]) => channel).every((c) => c === EVENT_CHANNEL)).toBe(true)
    const states = open.sent.map(([, event]) => (event as AppEvent).name === 'jobs:update' && (event as { payload: { state: string } }).payload.state)
    expect(states).toEqual(['queued', 'running', 'failed'])
  })
})

describe('rendererLocationFor', () => {
  it('uses the dev server only when not packaged', () => {
    const built = '/opt/earthqube/out/renderer/index.html'
    expect(rendererLocationFor({ isPackaged: false, devServerUrl: 'http://localhost:5173', builtIndexHtml: built })).toEqual({
      kind: 'url',
      url: 'http://localhost:5173',
    })
    expect(rendererLocationFor({ isPackaged: true, devServerUrl: 'http://localhost:5173', builtIndexHtml: built })).toEqual({
      kind: 'file',
      file: built,
    })
    expect(rendererLocationFor({ isPackaged: false, devServerUrl: undefined, builtIndexHtml: built }).kind).toBe('file')
  })
})

describe('isRendererUrl with the dev server', () => {
  const dev: RendererLocation = { kind: 'url', url: 'http://localhost:5173/' }

  it('accepts any page of the dev server origin', () => {
    expect(isRendererUrl('http://localhost:5173/', dev)).toBe(true)
    expect(isRendererUrl('http://localhost:5173/index.html#x', dev)).toBe(true)
  })

  it('refuses other ports, hosts and schemes, and garbage', () => {
    expect(isRendererUrl('http://localhost:5174/', dev)).toBe(false)
    expect(isRendererUrl('http://127.0.0.1:5173/', dev)).toBe(false)
    expect(isRendererUrl('https://localhost:5173/', dev)).toBe(false)
    expect(isRendererUrl('not a url', dev)).toBe(false)
    expect(isRendererUrl('', FILE_RENDERER)).toBe(false)
  })
})
