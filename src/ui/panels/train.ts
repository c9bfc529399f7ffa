/** Train panel: datasets + preset → Train in a worker, live plots, checkpoints with Resume (src/ui/train/). */
import type { AppContext } from '../context.ts';
import { mountModelFolder } from '../model-folder/panel.ts';
import { mountTrain } from '../train/panel.ts';

export function mountTrainPanel(root: HTMLElement, ctx: AppContext): void {
  mountTrain(root, ctx);
  mountModelFolder(root, ctx); // pretrained Hugging Face models (docs/pretrained.md)
}
