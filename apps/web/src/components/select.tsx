import type { ComponentProps } from 'react';

/**
 * A <select> that starts from `defaultValue` whenever that changes. React applies a select's defaultValue only
 * when the element mounts, and after a form action it resets the form to the elements' defaults: an edit form
 * would show the value it was first rendered with (the old saved one) after a save, and the next save would
 * write that old value back. The key remounts the element with the new default.
 */
export function Select({ defaultValue, ...props }: Omit<ComponentProps<'select'>, 'defaultValue' | 'value'> & { defaultValue: string }) {
  return <select key={defaultValue} defaultValue={defaultValue} {...props} />;
}
