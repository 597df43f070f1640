import type { AddressInfo } from 'node:net'
import type { Server } from 'node:http'
import { mkdirSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { pathToFileURL } from 'node:url'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { registerIpcHandlers } from '../../src-main/app/ipc'
import { bindApi } from '../../src-main/contract/api'
import type { IpcCallName } from '../../src-main/contract/calls'
import { IPC_CALLS } from '../../src-main/contract/calls'
import type { EarthqubeApi } from '../../src-main/contract/ipc'
import { createBrowserModeServer } from '../../src-main/server/server'
import { AppService } from '../../src-main/service/appService'
import { FIXTURE_ROWS, createFixtureCatalog, makeTempDir } from '../fixtureCatalog'
import { testModelFolders } from '../support'
import { FakeIpcMain, eventFrom, frameAt } from './fakes'

// Every call of the contract through both transports, built the way the preload and the browser-mode
// client build theirs (bindApi): the renderer must not be able to tell which one it has.

/** For each call: requests to send (valid and invalid), answered identically by both transports. */
const REQUESTS: Record<IpcCallName, unknown[]> = {
  'catalog:stats': [undefined, { extra: 1 }],
  'search:query': [{ page: { limit: 2 } }, { countries: ['Austria'], sort: { by: 'name', order: 'desc' } }, { page: { limit: 5000 } }, 'x'],
  'feedback:add': [{ text: '' }, { text: 7 }, { text: 'ok', more: 1 }],
  'similar:query': [{ name: FIXTURE_ROWS[0]!.patch_id, k: 2 }, { name: 'x', k: 2, radius: 1 }, {}],
  'models:list': [undefined, 1],
  'jobs:start': [{ kind: 'import-v1', folder: 'relative' }, { kind: 'nothing' }],
  'jobs:list': [undefined],
  'jobs:cancel': [{ id: 'job-404' }, { id: 4 }],
  'app:info': [undefined],
}

describe('the contract over both transports', () => {
  let temp: ReturnType<typeof makeTempDir>
  let service: AppService
  let server: Server
  let electron: EarthqubeApi
  let http: EarthqubeApi

  beforeAll(async () => {
    temp = makeTempDir('earthqube-transports-')
    const catalogPath = join(temp.dir, 'catalog.db')
    await createFixtureCatalog(catalogPath)
    service = new AppService({ catalogPath, mode: 'browser', version: '0.0.1', models: testModelFolders() })

    // Electron: the IPC adapter on a fake ipcMain, called from our renderer's top frame.
    const rendererFile = join(temp.dir, 'renderer', 'index.html')
    const ipcMain = new FakeIpcMain()
    registerIpcHandlers(ipcMain, service, { kind: 'file', file: rendererFile })
    const ours = eventFrom(frameAt(pathToFileURL(rendererFile).href))
    electron = bindApi({
      invoke: (name, request) => (request === undefined ? ipcMain.invoke(name, ours) : ipcMain.invoke(name, ours, request)),
      subscribe: () => () => {},
    })

    // Browser mode: the HTTP server on loopback, called with fetch as the page does.
    mkdirSync(join(temp.dir, 'renderer'), { recursive: true })
    writeFileSync(rendererFile, '<!doctype html>')
    server = createBrowserModeServer({ service, rendererDir: join(temp.dir, 'renderer'), contentSecurityPolicy: "default-src 'self'" })
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r))
    const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}/api/`
    http = bindApi({
      invoke: async (name, request) => {
        const r = await fetch(`${base}${name}`, { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: request === undefined ? '' : JSON.stringify(request) })
        return r.json()
      },
      subscribe: () => () => {},
    })
  })
  afterAll(async () => {
    server.closeAllConnections()
    await new Promise((r) => server.close(r))
    await service.close()
    temp.remove()
  })

  it('covers every call of the contract', () => {
    expect(Object.keys(REQUESTS)).toEqual([...IPC_CALLS])
  })

  it.each(IPC_CALLS.flatMap((name) => REQUESTS[name].map((request) => [name, request] as const)))('%s %j answers the same both ways', async (name, request) => {
    const call = (api: EarthqubeApi): Promise<unknown> => (api as unknown as Record<string, (r: unknown) => Promise<unknown>>)[name.replace(/:(\w)/, (_m, c: string) => c.toUpperCase())]!(request)
    const viaIpc = await call(electron)
    const viaHttp = await call(http)
    expect(viaHttp).toEqual(viaIpc)
    expect(viaIpc).toHaveProperty('ok')
  })
})
