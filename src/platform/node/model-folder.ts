/** A ModelSource over a directory on disk: range reads, so a shard is never read whole. */
import { createHash } from 'node:crypto';
import { closeSync, createReadStream, existsSync, openSync, readdirSync, readSync, statSync } from 'node:fs';
import path from 'node:path';
import { UsageError } from '../../core/errors.ts';
import type { ModelSource } from '../../core/model/hf-folder.ts';

export function nodeModelSource(dir: string): ModelSource {
  if (!existsSync(dir) || !statSync(dir).isDirectory()) throw new UsageError(`${dir} is not a directory`);
  const names = readdirSync(dir).filter((f) => statSync(path.join(dir, f)).isFile());
  const sizes = new Map(names.map((f) => [f, statSync(path.join(dir, f)).size]));
  return {
    label: dir,
    files: () => [...names],
    size: (n) => sizes.get(n) ?? 0,
    async read(n, begin = 0, end) {
      const size = sizes.get(n);
      if (size === undefined) throw new UsageError(`${dir}: no file ${n}`);
      const stop = Math.min(end ?? size, size);
      const out = new Uint8Array(Math.max(0, stop - begin));
      const fd = openSync(path.join(dir, n), 'r');
      try {
        let off = 0;
        while (off < out.length) {
          const got = readSync(fd, out, off, out.length - off, begin + off);
          if (got === 0) break;
          off += got;
        }
      } finally {
        closeSync(fd);
      }
      return out;
    },
    async sha256(n) {
      const h = createHash('sha256');
      for await (const chunk of createReadStream(path.join(dir, n))) h.update(chunk as Buffer);
      return h.digest('hex');
    },
  };
}
