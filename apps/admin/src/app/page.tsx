import { redirect } from 'next/navigation';

import { requireOperator } from '@/server/session';

export default async function HomePage() {
  await requireOperator();
  redirect('/tenants');
}
