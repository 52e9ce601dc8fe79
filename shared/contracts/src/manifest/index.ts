export * from './read-service-manifests.ts';
export * from './service-manifest.ts';
