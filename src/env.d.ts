/// <reference types="vite/client" />

interface Window {
  /** ms from navigation start until the shell was interactive (first panel + backend in the status bar). */
  __appReadyMs?: number;
}
