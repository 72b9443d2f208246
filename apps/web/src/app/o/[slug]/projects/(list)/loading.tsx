import { PageSkeleton } from '@/components/skeletons';

// Only the list page has a loading.tsx: a loading boundary above a project page would start the response
// (status 200) before the page could answer 404 for another tenant's project. Those pages await their
// existence check first and stream the rest inside <Suspense>.
export default function Loading() {
  return <PageSkeleton rows={6} />;
}
