import { qwen2Suite } from './qwen2-suite.ts';

// WebGPU in Node (Dawn on SwiftShader), fixture shapes only (a shader compile per new shape).
qwen2Suite('webgpu', { optional: true });
