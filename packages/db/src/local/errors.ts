/** A problem the developer fixes; main prints its message as one line and exits non-zero. */
export class DevError extends Error {
  override name = 'DevError';
}
