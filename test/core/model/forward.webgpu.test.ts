import { forwardSuite } from './forward-suite.ts';

// WebGPU in Node (Dawn on SwiftShader): logits, loss and gradients at the fixture's one shape.
forwardSuite('webgpu', { fixtureOnly: true, optional: true });
