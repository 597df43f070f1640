/**
 * The Content-Security-Policy of the renderer, read from the `<meta http-equiv>` of its built
 * index.html, so the header browser mode sends is the very policy the Electron window enforces.
 * Throws when the page has none: serving the renderer without its policy is not an option.
 */
export function readContentSecurityPolicy(indexHtml: string): string {
  for (const tag of indexHtml.match(/<meta\b[^>]*>/gi) ?? []) {
    const attributes = new Map<string, string>()
    for (const m of tag.matchAll(/([\w-]+)\s*=\s*(?:"([^"]*)"|'([^']*)')/g)) {
      attributes.set(m[1]!.toLowerCase(), m[2] ?? m[3] ?? '')
    }
    const policy = attributes.get('content')?.trim()
    if (attributes.get('http-equiv')?.toLowerCase() === 'content-security-policy' && policy) {
      return policy.replace(/\s+/g, ' ')
    }
  }
  throw new Error('the renderer\'s index.html has no Content-Security-Policy <meta>; refusing to serve it without one')
}
