import type { Metadata } from 'next';

import { STRATEGIES } from '@repo/tenancy';

import { CreateTenantForm } from '@/components/create-tenant-form';
import { provisionSteps } from '@/server/provision';
import { requireOperator } from '@/server/session';

export const metadata: Metadata = { title: 'Create tenant · Tenancy Operator Console' };

export default async function NewTenantPage() {
  await requireOperator();
  const steps = Object.fromEntries(STRATEGIES.map((s) => [s, provisionSteps(s)])) as Record<(typeof STRATEGIES)[number], string[]>;
  return (
    <>
      <div className="page-head">
        <div>
          <h1>Create tenant</h1>
          <p className="muted">The tenant and its first admin, made its owner, who can sign in to the web app as soon as this finishes.</p>
        </div>
      </div>
      <CreateTenantForm steps={steps} />
    </>
  );
}
