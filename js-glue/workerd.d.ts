// Types of workerd.js: the same surface as index.d.ts.
export * from './index.js';
export { default } from './index.js';
