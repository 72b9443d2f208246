/** On every support page: whose data this is, that it is read-only and logged, and when the access ends. */
export function SupportBanner({ name, slug, endsAt, minutesLeft }: { name: string; slug: string; endsAt: Date; minutesLeft: number }) {
  return (
    <div className="alert alert-warn" role="status" data-testid="support-banner">
      <strong>Support view of {name}</strong> (<code>{slug}</code>): what its users see, read-only. Every page you open here is written to the
      organisation&apos;s activity log. Access ends at <time dateTime={endsAt.toISOString()}>{endsAt.toISOString().slice(11, 16)} UTC</time> (in {minutesLeft}{' '}
      min).
    </div>
  );
}
