/// <reference lib="webworker" />
/** Pretrained-model worker: opens a Hugging Face folder (File objects), LoRA fine-tunes, generates, exports. */
import * as Comlink from 'comlink';
import type { PretrainedApi } from '../src/api/pretrained.ts';
import { selectBackend } from '../src/platform/browser/backend.ts';
import { fileListSource } from '../src/platform/browser/model-folder.ts';
import { PretrainedSession } from '../src/services/trainer/pretrained-session.ts';

const session = new PretrainedSession();
const api: PretrainedApi = {
  setBackend: (pref) => selectBackend(pref),
  open: (files, onProgress) => session.open(fileListSource(files), onProgress),
  finetune: (req, onProgress) => session.finetune(req, onProgress),
  generate: (prompt, n) => session.generate(prompt, n),
  info: () => session.info(),
  humanEvalAnswer: (problemPrompt, req) => session.humanEvalAnswer(problemPrompt, req),
  async exportModel(format) {
    const files = await session.exportModel(format);
    return Comlink.transfer(
      files,
      files.map((f) => f.bytes.buffer as ArrayBuffer),
    );
  },
};
Comlink.expose(api);
