'use client';

import type { ReactNode } from 'react';
import { useFormStatus } from 'react-dom';

/** A form's submit button: disabled with a spinner while the action runs. */
export function SubmitButton({
  children,
  pendingLabel,
  variant = 'primary',
  size,
  name,
  value,
  ...rest
}: {
  children: ReactNode;
  pendingLabel?: string;
  variant?: 'primary' | 'default' | 'danger' | 'ghost';
  size?: 'sm';
  name?: string;
  value?: string;
  'aria-label'?: string;
}) {
  const { pending } = useFormStatus();
  const className = ['btn', variant !== 'default' && `btn-${variant}`, size && `btn-${size}`].filter(Boolean).join(' ');
  return (
    <button type="submit" className={className} disabled={pending} aria-busy={pending} name={name} value={value} {...rest}>
      {pending && <span className="spinner" aria-hidden="true" />}
      {pending && pendingLabel ? pendingLabel : children}
    </button>
  );
}
