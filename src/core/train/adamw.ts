/**
 * AdamW with decoupled weight decay (Loshchilov & Hutter), written on tf.Variables like PyTorch's
 * torch.optim.AdamW: p ← p·(1 − lr·wd); m ← β1·m + (1−β1)·g; v ← β2·v + (1−β2)·g²;
 * p ← p − (lr / (1−β1ᵗ)) · m / (√v / √(1−β2ᵗ) + ε). The learning rate is passed per step (the
 * schedule lives outside), and moments can be exported to / imported from a checkpoint.
 */
import * as tf from '@tensorflow/tfjs';
import { CheckpointError, ConfigError } from '../errors.ts';

export interface AdamWOptions {
  beta1: number;
  beta2: number;
  eps: number;
  weightDecay: number;
  /** Which parameters get weight decay. Default: every parameter of rank ≥ 2 (norm gains are
   *  excluded, as in the Hugging Face Trainer's default grouping). */
  decay?: (name: string, v: tf.Variable) => boolean;
}

export interface AdamWState {
  step: number;
  /** Moments in the parameter layout (model.params), by parameter name. */
  m: Record<string, { shape: number[]; data: Float32Array }>;
  v: Record<string, { shape: number[]; data: Float32Array }>;
}

export class AdamW {
  /** Number of updates applied so far (t in the bias corrections is step + 1 at the next update). */
  step = 0;
  private readonly m = new Map<string, tf.Variable>();
  private readonly v = new Map<string, tf.Variable>();
  private readonly decays = new Map<string, boolean>();

  constructor(
    private readonly params: Map<string, tf.Variable>,
    private readonly opts: AdamWOptions,
  ) {
    for (const [name, p] of params) {
      // tf.variable keeps its own reference to the initial value: dispose the zeros it was made from.
      for (const moments of [this.m, this.v]) {
        const zeros = tf.zerosLike(p);
        moments.set(name, tf.variable(zeros, false));
        zeros.dispose();
      }
      this.decays.set(name, opts.decay ? opts.decay(name, p) : p.rank >= 2);
    }
  }

  /** One update with learning rate `lr`. `grads` (param layout, by name) stay owned by the caller. */
  apply(grads: Map<string, tf.Tensor>, lr: number): void {
    if (!Number.isFinite(lr) || lr < 0)
      throw new ConfigError(`learning rate must be a finite number >= 0, found ${lr}`);
    const { beta1: b1, beta2: b2, eps, weightDecay } = this.opts;
    const t = this.step + 1;
    const bc1 = 1 - Math.pow(b1, t);
    const bc2 = 1 - Math.pow(b2, t);
    for (const [name, p] of this.params) {
      const g = grads.get(name);
      if (!g) throw new ConfigError(`AdamW: no gradient for parameter ${name}`);
      tf.tidy(() => {
        const m = this.m.get(name)!;
        const v = this.v.get(name)!;
        const wd = this.decays.get(name) ? lr * weightDecay : 0;
        const decayed = wd !== 0 ? tf.mul(p, 1 - wd) : p;
        const mNew = tf.add(tf.mul(m, b1), tf.mul(g, 1 - b1));
        const vNew = tf.add(tf.mul(v, b2), tf.mul(tf.square(g), 1 - b2));
        const denom = tf.add(tf.div(tf.sqrt(vNew), Math.sqrt(bc2)), eps);
        m.assign(mNew);
        v.assign(vNew);
        p.assign(tf.sub(decayed, tf.mul(tf.div(mNew, denom), lr / bc1)));
      });
    }
    this.step = t;
  }

  async exportState(): Promise<AdamWState> {
    const out: AdamWState = { step: this.step, m: {}, v: {} };
    for (const [name, m] of this.m) {
      out.m[name] = { shape: [...m.shape], data: new Float32Array(await m.data()) };
      const v = this.v.get(name)!;
      out.v[name] = { shape: [...v.shape], data: new Float32Array(await v.data()) };
    }
    return out;
  }

  /** Restores moments; every parameter must be present with its shape (nothing changes otherwise). */
  importState(s: AdamWState): void {
    if (!Number.isInteger(s.step) || s.step < 0)
      throw new CheckpointError(`optimizer state: step must be an integer >= 0, found ${s.step}`);
    for (const [name, p] of this.params) {
      for (const which of ['m', 'v'] as const) {
        const e = s[which][name];
        if (!e) throw new CheckpointError(`optimizer state: missing ${which} for ${name}`);
        const size = p.shape.reduce((a, b) => a * b, 1);
        if (e.shape.join(',') !== p.shape.join(',') || e.data.length !== size) {
          throw new CheckpointError(
            `optimizer state: ${which} for ${name} has shape [${e.shape}], expected [${p.shape}]`,
          );
        }
      }
    }
    for (const name of this.params.keys()) {
      for (const which of ['m', 'v'] as const) {
        const e = s[which][name]!;
        const t = tf.tensor(e.data, e.shape, 'float32');
        (which === 'm' ? this.m : this.v).get(name)!.assign(t);
        t.dispose();
      }
    }
    this.step = s.step;
  }

  dispose(): void {
    for (const t of [...this.m.values(), ...this.v.values()]) t.dispose();
    this.m.clear();
    this.v.clear();
  }
}
