/**
 * A service's name: its folder under `services/` and the `name` in its definition
 * (`services/<name>/src/service.ts`, manifest `services/<name>/service.json`). The
 * contracts name services only where a contract does (producers, consumers); which
 * services exist, their ports and their stores are read from their definitions.
 */
export type ServiceName = string;
