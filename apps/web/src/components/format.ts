// Dates are formatted on the server in UTC, so server and client markup never disagree.
const dateFormat = new Intl.DateTimeFormat('en-GB', { day: 'numeric', month: 'short', year: 'numeric', timeZone: 'UTC' });
const dateTimeFormat = new Intl.DateTimeFormat('en-GB', { day: 'numeric', month: 'short', hour: '2-digit', minute: '2-digit', timeZone: 'UTC' });

export function formatDate(value: Date | string | null): string {
  if (value === null) return '—';
  const date = typeof value === 'string' ? new Date(`${value}T00:00:00Z`) : value;
  return dateFormat.format(date);
}

export function formatDateTime(value: Date): string {
  return `${dateTimeFormat.format(value)} UTC`;
}

/** A YYYY-MM-DD due date before today (UTC). */
export function isOverdue(dueDate: string | null, done: boolean): boolean {
  return !done && dueDate !== null && dueDate < new Date().toISOString().slice(0, 10);
}
