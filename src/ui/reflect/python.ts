/**
 * The Reflect panel's Python: the page's session supervisor (src/page/python.ts), its state shown in the
 * status bar.
 */
import type { PythonState } from '../../api/python.ts';
import { pageSessionPython, type PythonSupervisor } from '../../page/python.ts';
import type { AppContext } from '../context.ts';

export function pagePython(ctx: AppContext): PythonSupervisor {
  return pageSessionPython((state: PythonState, detail?: string) => {
    if (state === 'loading') ctx.setPyodideState('loading');
    else if (state === 'restarting') ctx.setPyodideState('loading', detail ? `restarting: ${detail}` : 'restarting');
    else if (state === 'ready' || state === 'running') ctx.setPyodideState('ready', detail);
    else if (state === 'failed') ctx.setPyodideState('error', detail);
    else ctx.setPyodideState('not started');
  });
}
