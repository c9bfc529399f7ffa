/**
 * The page's one Python service: a supervisor over sandboxed Pyodide workers, started on first use (the
 * runtime costs seconds of CPU, so opening the app never loads it). Its state drives the status bar.
 */
import type { PythonState } from '../../api/python.ts';
import { browserPythonTransports } from '../../platform/browser/python-transport.ts';
import { PythonSupervisor } from '../../services/python/supervisor.ts';
import type { AppContext } from '../context.ts';

let shared: PythonSupervisor | null = null;

export function pagePython(ctx: AppContext): PythonSupervisor {
  if (shared) return shared;
  const indexURL = new URL(`${import.meta.env.BASE_URL}pyodide/`, location.href).href;
  shared = new PythonSupervisor(browserPythonTransports(indexURL), {
    onState: (state: PythonState, detail?: string) => {
      if (state === 'loading') ctx.setPyodideState('loading');
      else if (state === 'restarting') ctx.setPyodideState('loading', detail ? `restarting: ${detail}` : 'restarting');
      else if (state === 'ready' || state === 'running') ctx.setPyodideState('ready', detail);
      else if (state === 'failed') ctx.setPyodideState('error', detail);
      else ctx.setPyodideState('not started');
    },
  });
  // For the browser test's escape probes and for poking at it from the devtools console.
  (window as unknown as { __rcPython?: PythonSupervisor }).__rcPython = shared;
  return shared;
}
