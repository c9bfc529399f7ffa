/**
 * A ModelSource over File objects: a folder chosen with <input webkitdirectory> / the directory
 * picker, or files dropped on the page. Reads are File.slice ranges, so a multi-GB shard is never
 * read whole; hashing reads one file at a time (WebCrypto has no streaming digest).
 */
import { CheckpointError } from '../../core/errors.ts';
import type { ModelSource } from '../../core/model/hf-folder.ts';

/** The file's name inside the chosen folder (a dropped/picked folder nests one level: "<folder>/config.json"). */
function baseName(f: File): string {
  const rel = (f as File & { webkitRelativePath?: string }).webkitRelativePath || f.name;
  return rel.split('/').pop()!;
}

export function fileListSource(files: Iterable<File>, label?: string): ModelSource {
  const byName = new Map<string, File>();
  let folder = '';
  for (const f of files) {
    byName.set(baseName(f), f);
    const rel = (f as File & { webkitRelativePath?: string }).webkitRelativePath;
    if (rel && rel.includes('/')) folder ||= rel.split('/')[0]!;
  }
  const name = label ?? (folder || 'dropped files');
  return {
    label: name,
    files: () => [...byName.keys()],
    size: (n) => byName.get(n)?.size ?? 0,
    async read(n, begin = 0, end) {
      const f = byName.get(n);
      if (!f) throw new CheckpointError(`${name}: no file ${n}`);
      return new Uint8Array(await f.slice(begin, end ?? f.size).arrayBuffer());
    },
  };
}
