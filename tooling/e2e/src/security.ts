import type { Page } from '@playwright/test';

// What both apps' e2e suites check about their security headers and Content-Security-Policy, written once so the
// two apps are held to the same rules. The values are spelled out here rather than imported from @repo/auth, so a
// change there has to convince these tests.

export interface HeaderCheck {
  /** Expect Strict-Transport-Security (the response was served over https, by NEXTAUTH_URL or a trusted proxy). */
  https: boolean;
}

/** What is wrong with a response's headers (lower-case names, as Playwright and fetch give them); [] when all is well. */
export function securityHeaderProblems(headers: Record<string, string>, { https }: HeaderCheck): string[] {
  const problems: string[] = [];
  const csp = headers['content-security-policy'];
  if (!csp) problems.push('no Content-Security-Policy');
  else {
    const directives = new Map(
      csp
        .split(';')
        .map((part) => part.trim().split(/\s+/))
        .map(([name, ...values]) => [name!, values]),
    );
    const script = directives.get('script-src') ?? directives.get('default-src') ?? [];
    if (!script.some((value) => /^'nonce-[A-Za-z0-9+/=]{16,}'$/.test(value))) problems.push(`script-src has no nonce: ${csp}`);
    if (script.includes("'unsafe-inline'") || script.includes("'unsafe-eval'")) problems.push(`script-src allows inline or eval: ${csp}`);
    if (directives.get('frame-ancestors')?.join(' ') !== "'none'") problems.push(`frame-ancestors is not 'none': ${csp}`);
    if (directives.get('object-src')?.join(' ') !== "'none'") problems.push(`object-src is not 'none': ${csp}`);
  }
  if (headers['x-frame-options'] !== 'DENY') problems.push(`X-Frame-Options is ${headers['x-frame-options']}`);
  if (headers['x-content-type-options'] !== 'nosniff') problems.push(`X-Content-Type-Options is ${headers['x-content-type-options']}`);
  if (!['no-referrer', 'same-origin', 'strict-origin', 'strict-origin-when-cross-origin'].includes(headers['referrer-policy'] ?? '')) {
    problems.push(`Referrer-Policy is ${headers['referrer-policy']}`);
  }
  const hsts = headers['strict-transport-security'];
  if (https && !/max-age=\d{7,}/.test(hsts ?? '')) problems.push(`no Strict-Transport-Security of a year or more over https (${hsts})`);
  if (!https && hsts !== undefined) problems.push(`Strict-Transport-Security over http: ${hsts}`);
  return problems;
}

/** The nonce of a response's policy, to check that every response gets its own. */
export function policyNonce(headers: Record<string, string>): string | undefined {
  return /'nonce-([^']+)'/.exec(headers['content-security-policy'] ?? '')?.[1];
}

export interface CspWatch {
  /** Every violation reported so far, by the page's securitypolicyviolation events or Chromium's console. */
  violations(): string[];
}

/**
 * Collects Content-Security-Policy violations on `page` from now on, across navigations: the documents'
 * securitypolicyviolation events (reported to the test as they happen) and Chromium's console messages about the
 * policy (which also cover what a page's own scripts never see).
 */
export async function watchCsp(page: Page): Promise<CspWatch> {
  const found: string[] = [];
  page.on('console', (message) => {
    const text = message.text();
    if (/Content[ -]Security[ -]Policy/i.test(text)) found.push(`${page.url()}: console: ${text}`);
  });
  await page.exposeFunction('__reportCspViolation', (text: string) => found.push(`${page.url()}: event: ${text}`));
  // Runs in every document before its own scripts (a string: this package is compiled without the DOM's types).
  await page.addInitScript({
    content: `document.addEventListener('securitypolicyviolation', (event) => {
      window.__reportCspViolation(event.effectiveDirective + ' blocked ' + (event.blockedURI || 'inline') + ' at ' + event.sourceFile + ':' + event.lineNumber);
    });`,
  });
  return { violations: () => [...found] };
}
