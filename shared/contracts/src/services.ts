/** Every service of the system and the port it listens on (DESIGN: one port each). */
export const services = {
  gateway: { port: 8080 },
  user: { port: 3001 },
  order: { port: 3002 },
  billing: { port: 3003 },
  email: { port: 3004 },
} as const;

export type ServiceName = keyof typeof services;
export const serviceNames = Object.keys(services) as ServiceName[];
