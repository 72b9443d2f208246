import type { Metadata } from 'next';
import type { ReactNode } from 'react';

import './globals.css';

// Every page needs the signed-in operator and live data: nothing is prerendered at build time (which has no
// database and no secrets). Rendering per request also gives every page's scripts the nonce of the response's
// Content-Security-Policy (src/proxy.ts).
export const dynamic = 'force-dynamic';

export const metadata: Metadata = {
  title: 'Tenancy Operator Console',
  description: 'Operate the tenants of the Tenancy Starter',
  // An operator tool has no business in a search index.
  robots: { index: false, follow: false },
};

export default function RootLayout({ children }: { children: ReactNode }) {
  return (
    <html lang="en">
      <body>{children}</body>
    </html>
  );
}
