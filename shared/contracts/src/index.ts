export * from './resources.ts';
export * from './services.ts';
