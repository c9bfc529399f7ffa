/** An execution block as terminal output: the failing line of each frame and the exception line marked. */
export function renderTerminal(text: string, el: HTMLElement = document.createElement('pre')): HTMLElement {
  el.className = 'rc-terminal';
  el.textContent = '';
  const lines = text.split('\n');
  const last = lines.length - 1 - [...lines].reverse().findIndex((l) => l.trim() !== '');
  lines.forEach((line, i) => {
    const span = document.createElement('span');
    span.textContent = line + (i < lines.length - 1 ? '\n' : '');
    if (/^-*> ?\d+ /.test(line)) span.className = 'rc-failing-line';
    else if (i === last && /^\w+(\.\w+)*: /.test(line)) span.className = 'rc-exc-line';
    el.append(span);
  });
  return el;
}
