export { ProcessorModule } from './processor.module.js';
