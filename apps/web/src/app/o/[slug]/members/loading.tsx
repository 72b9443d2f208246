import { PageSkeleton } from '@/components/skeletons';

export default function Loading() {
  return <PageSkeleton rows={4} />;
}
