import swc from 'unplugin-swc';
import { tracewireProject } from '../../vitest.shared';

// Nest needs decorator metadata, which vitest's default transform drops; SWC
// emits it (tsconfig.json: emitDecoratorMetadata).
export default tracewireProject('example-nestjs', { plugins: [swc.vite()] });
