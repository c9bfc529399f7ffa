/**
 * Monaco through a slim entry: the editor core (editor.api) plus the Python basic-language
 * contribution. `import * as monaco from 'monaco-editor'` would pull every language and its
 * worker (27.8 MB built, docs/platform.md). Import this module lazily (`await import('./monaco.ts')`)
 * so the editor loads only when a panel shows one.
 */
import * as monaco from 'monaco-editor/editor/editor.api.js';
import 'monaco-editor/languages/definitions/python/register.js';
// editor.api is the bare editor; these are the editing features worth their weight for short
// Python programs (the full list is in monaco-editor/esm/vs/editor/editor.main.js).
import 'monaco-editor/esm/vs/base/browser/ui/codicons/codicon/codicon.css'; // via the alias in vite.config.ts
import 'monaco-editor/esm/vs/base/browser/ui/codicons/codicon/codicon-modifiers.css';
import 'monaco-editor/editor/browser/coreCommands.js';
import 'monaco-editor/editor/common/standaloneStrings.js';
import 'monaco-editor/editor/contrib/bracketMatching/browser/bracketMatching.js';
import 'monaco-editor/editor/contrib/clipboard/browser/clipboard.js';
import 'monaco-editor/editor/contrib/comment/browser/comment.js';
import 'monaco-editor/editor/contrib/contextmenu/browser/contextmenu.js';
import 'monaco-editor/editor/contrib/cursorUndo/browser/cursorUndo.js';
import 'monaco-editor/features/find/register.js';
import 'monaco-editor/editor/contrib/find/browser/findController.js';
import 'monaco-editor/editor/contrib/folding/browser/folding.js';
import 'monaco-editor/editor/contrib/hover/browser/hoverContribution.js';
import 'monaco-editor/editor/contrib/indentation/browser/indentation.js';
import 'monaco-editor/editor/contrib/linesOperations/browser/linesOperations.js';
import 'monaco-editor/editor/contrib/links/browser/links.js';
import 'monaco-editor/editor/contrib/multicursor/browser/multicursor.js';
import 'monaco-editor/editor/contrib/suggest/browser/suggestController.js';
import 'monaco-editor/editor/contrib/wordHighlighter/browser/wordHighlighter.js';
import 'monaco-editor/editor/contrib/wordOperations/browser/wordOperations.js';

// The editor worker (diffing, links, word ranges). `new Worker(new URL(...))` is the form Vite
// bundles for both the dev server and the build; `?worker` imports failed in dev (docs/platform.md).
self.MonacoEnvironment = {
  getWorker: () =>
    new Worker(new URL('monaco-editor/editor/editor.worker.js', import.meta.url), {
      type: 'module',
      name: 'monaco-editor',
    }),
};

export interface EditorOptions {
  language?: 'python' | 'plaintext';
  readOnly?: boolean;
  /** Called with the full text after every edit. */
  onChange?: (value: string) => void;
  /** Extra Monaco options (they win over the defaults here). */
  monaco?: monaco.editor.IStandaloneEditorConstructionOptions;
}

export function createEditor(
  el: HTMLElement,
  value: string,
  opts: EditorOptions = {},
): monaco.editor.IStandaloneCodeEditor {
  const editor = monaco.editor.create(el, {
    value,
    language: opts.language ?? 'python',
    readOnly: opts.readOnly ?? false,
    automaticLayout: true, // follows the panel when the window or the tab layout changes
    minimap: { enabled: false },
    scrollBeyondLastLine: false,
    fontSize: 13,
    tabSize: 4,
    insertSpaces: true,
    renderLineHighlight: 'line',
    theme: 'vs',
    ...opts.monaco,
  });
  // No keyboard trap: Tab indents inside the editor, but after Esc the next Tab (or Shift+Tab) leaves it.
  editor.onKeyDown((e) => {
    if (e.keyCode === monaco.KeyCode.Escape) editor.updateOptions({ tabFocusMode: true });
  });
  editor.onDidBlurEditorText(() => editor.updateOptions({ tabFocusMode: false }));
  if (opts.onChange) {
    const onChange = opts.onChange;
    editor.onDidChangeModelContent(() => onChange(editor.getValue()));
  }
  return editor;
}

export { monaco };
