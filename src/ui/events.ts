/** Window events panels use to keep each other current (no shared state, no polling). */

/** Fired on window after a checkpoint was written, imported, renamed or deleted. */
export const CHECKPOINTS_CHANGED = 'rcw:checkpoints-changed';

/** Calls `listener` whenever the checkpoint list may have changed; returns an unsubscribe function. */
export function onCheckpointsChanged(listener: () => void): () => void {
  window.addEventListener(CHECKPOINTS_CHANGED, listener);
  return () => window.removeEventListener(CHECKPOINTS_CHANGED, listener);
}
