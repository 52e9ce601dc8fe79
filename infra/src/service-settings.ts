import { type ServiceManifest, serviceUrlSetting } from '@storekeeper/contracts/manifest';
import type { EnvironmentConfig } from './environments.ts';

/** Where each setting of one service comes from on ECS. */
export interface ServiceSettings {
  /** Plain values, in the task definition. */
  readonly environment: Readonly<Record<string, string>>;
  /** Secret settings: the SSM parameter (a SecureString) ECS injects each from. */
  readonly secrets: Readonly<Record<string, string>>;
}

export interface SettingsContext {
  readonly env: EnvironmentConfig;
  /** Every service, for the URLs of the ones this one calls or whose paths it is given. */
  readonly services: readonly ServiceManifest[];
  readonly region: string;
  /** Physical name of each DynamoDB table, by the table name in the manifest. */
  readonly tableNames: Readonly<Record<string, string>>;
  /** The service behind the load balancer, and the hops in front of it. */
  readonly edge: { readonly service: string; readonly trustedProxyHops: number };
  /** The public origin (https://shop.example.com), when a domain is configured. */
  readonly publicUrl?: string | undefined;
}

/** The SSM path of one environment's parameters of one service. */
export function parameterPath(env: EnvironmentConfig, service: string): string {
  return `/storekeeper/${env.name}/${service}`;
}

/** `http://user:3001`: the Service Connect name and port of a service, as its callers use it. */
export function serviceConnectUrl(service: ServiceManifest): string {
  return `http://${service.name}:${service.port}`;
}

/**
 * Every setting of a service on ECS, derived from its manifest: its stores, the services
 * it calls, what other services provide to it, the environment's tracing and topology.
 * A secret setting always comes from SSM, never from the template. A required setting
 * that nothing here provides stops the synthesis with its name: a new required setting
 * cannot reach production without infrastructure.
 */
export function serviceSettings(
  service: ServiceManifest,
  context: SettingsContext,
): ServiceSettings {
  const { env } = context;
  const declared = new Map(service.settings.map((s) => [s.name, s]));
  const environment: Record<string, string> = {};
  const secrets: Record<string, string> = {};
  const set = (name: string, value: string) => {
    if (declared.has(name)) environment[name] = value;
  };

  set('NODE_ENV', 'production');
  set('LOG_LEVEL', 'info');
  set('AWS_REGION', context.region);
  set('TOPOLOGY_PREFIX', `${env.name}-`);
  // Fargate's SIGTERM comes with the target already deregistering: keep serving a little
  // while the load balancer and the Service Connect proxies stop sending.
  set('SHUTDOWN_DRAIN_DELAY_MS', '5000');
  set('TRACING', env.tracing);
  set('TRACING_SAMPLING_RATE', String(env.tracingSamplingRate));
  if (env.tracing === 'xray') set('AWS_XRAY_DAEMON_ADDRESS', '127.0.0.1:2000');
  else set('OTEL_EXPORTER_OTLP_ENDPOINT', 'http://127.0.0.1:4318');

  for (const table of service.stores.dynamodb) {
    const physical = context.tableNames[table.tableName];
    if (!physical) throw new Error(`${service.name}: no table was created for ${table.tableName}`);
    set(table.setting, physical);
  }
  for (const callee of service.calls) {
    const target = context.services.find((s) => s.name === callee);
    if (!target) throw new Error(`${service.name} calls "${callee}", which is not a service`);
    set(serviceUrlSetting(callee), serviceConnectUrl(target));
  }
  for (const provider of context.services) {
    for (const [setting, path] of Object.entries(provider.provides)) {
      if (provider.name !== service.name) set(setting, `${serviceConnectUrl(provider)}${path}`);
    }
  }
  if (service.name === context.edge.service) {
    set('TRUSTED_PROXY_HOPS', String(context.edge.trustedProxyHops));
  }
  if (context.publicUrl) set('VERIFY_EMAIL_URL', `${context.publicUrl}/verify-email`);

  for (const [name, value] of Object.entries(env.settings[service.name] ?? {})) {
    if (!declared.has(name)) {
      throw new Error(`${env.name}: ${service.name} has no setting ${name} to set`);
    }
    environment[name] = value;
  }

  for (const setting of service.settings) {
    if (!setting.secret) continue;
    if (setting.name in environment) {
      throw new Error(
        `${service.name}: ${setting.name} is secret and must come from SSM, not the template`,
      );
    }
    secrets[setting.name] = `${parameterPath(env, service.name)}/${setting.name}`;
  }

  const missing = service.settings.filter(
    (s) => s.required && !(s.name in environment) && !(s.name in secrets),
  );
  if (missing.length > 0) {
    const names = missing.map((s) => s.name).join(', ');
    throw new Error(
      `${service.name} requires ${names}, which the infrastructure does not provide: ` +
        'derive it in infra/src/service-settings.ts or set it per environment in infra/src/environments.ts',
    );
  }
  return { environment, secrets };
}
