import type { Metadata } from 'next';
import type { ReactNode } from 'react';

import './globals.css';

// Rendered per request, never at build time: every page's scripts must carry the nonce of the response's
// Content-Security-Policy (src/proxy.ts), which a prerendered page cannot know.
export const dynamic = 'force-dynamic';

export const metadata: Metadata = {
  title: { default: 'Tenancy Starter', template: '%s · Tenancy Starter' },
  description: 'Projects and tasks for your team',
};

export default function RootLayout({ children }: { children: ReactNode }) {
  return (
    <html lang="en">
      <body>{children}</body>
    </html>
  );
}
