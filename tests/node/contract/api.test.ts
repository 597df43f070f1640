import { describe, expect, it } from 'vitest'
import { bindApi } from '../../../src-main/contract/api'
import { EVENT_NAMES, IPC_CALLS, isIpcCallName, methodNameOf } from '../../../src-main/contract/calls'
import type { AppEvent } from '../../../src-main/contract/ipc'
import { EVENT_CONTRACT, IPC_CONTRACT } from '../../../src-main/contract/ipc'

describe('the contract', () => {
  it('gives schemas to exactly the calls and events the zod-free name lists hold, in the same order', () => {
    expect(Object.keys(IPC_CONTRACT)).toEqual([...IPC_CALLS])
    expect(Object.keys(EVENT_CONTRACT)).toEqual([...EVENT_NAMES])
  })

  it('names every call capability:verb, and its API function capabilityVerb', () => {
    for (const name of IPC_CALLS) expect(name).toMatch(/^[a-z]+:[a-z]+$/i)
    expect(methodNameOf('catalog:stats')).toBe('catalogStats')
    expect(methodNameOf('jobs:start')).toBe('jobsStart')
  })

  it('tells its call names from other strings, inherited property names included', () => {
    expect(isIpcCallName('search:query')).toBe(true)
    expect(isIpcCallName('search:drop')).toBe(false)
    expect(isIpcCallName('__proto__')).toBe(false)
    expect(isIpcCallName('constructor')).toBe(false)
  })
})

describe('bindApi (what both transports are built with)', () => {
  const sent: [string, unknown][] = []
  const listeners: ((e: AppEvent) => void)[] = []
  const api = bindApi({
    invoke: (name, request) => {
      sent.push([name, request])
      return Promise.resolve({ ok: true, value: name })
    },
    subscribe: (listener) => {
      listeners.push(listener)
      return () => listeners.splice(listeners.indexOf(listener), 1)
    },
  })

  it('has one function per call and onEvent, nothing else', () => {
    expect(Object.keys(api).sort()).toEqual([...IPC_CALLS.map(methodNameOf), 'onEvent'].sort())
    for (const key of Object.keys(api)) expect(typeof (api as unknown as Record<string, unknown>)[key]).toBe('function')
    expect(Object.isFrozen(api)).toBe(true)
  })

  it('sends each call on its own name with its one request', async () => {
    sent.length = 0
    expect(await api.searchQuery({ page: { limit: 1 } })).toEqual({ ok: true, value: 'search:query' })
    await api.catalogStats()
    await api.jobsCancel({ id: 'job-1' })
    expect(sent).toEqual([
      ['search:query', { page: { limit: 1 } }],
      ['catalog:stats', undefined],
      ['jobs:cancel', { id: 'job-1' }],
    ])
  })

  it('hands event listeners to the transport, and unsubscribes them', () => {
    const got: AppEvent[] = []
    const off = api.onEvent((e) => got.push(e))
    listeners.forEach((l) => l({ name: 'catalog:changed', payload: { cause: 'import-reben', jobId: 'job-1' } }))
    off()
    expect(listeners).toHaveLength(0)
    expect(got).toEqual([{ name: 'catalog:changed', payload: { cause: 'import-reben', jobId: 'job-1' } }])
  })
})
