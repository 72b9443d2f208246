import { redirect } from 'next/navigation';

import { homePath, requireSession } from '@/server/session';

// The proxy sends signed-out visitors to /sign-in before this runs. A signed-in user starts in their first
// organisation (/o/<slug>/projects), or on the page that says they have none; sign-in lands here.
export default async function HomePage() {
  redirect(homePath(await requireSession()));
}
