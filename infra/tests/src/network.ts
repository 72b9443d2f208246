// What the compose network does, done by hand outside Docker: a service name and its container port become
// 127.0.0.1 and the port the local process really listens on, and a port published to the host (the browser's
// http://localhost:3000) becomes the local port of the server behind it. Nothing else in a value changes.

export interface LocalEndpoint {
  /** The port the service listens on inside its container (5432, 6432, 3000...). */
  containerPort: number;
  /** The port published on the host, when compose publishes one. */
  publishedPort?: number;
  /** Where the local stand-in listens. */
  localPort: number;
}

export type Network = Record<string, LocalEndpoint>;

const LOCAL_HOST = '127.0.0.1';

/** A value of a service's environment as the process outside Docker needs it. */
export function mapValue(value: string, network: Network, serviceNames: readonly string[]): string {
  if (!/^[a-z][a-z0-9+.-]*:\/\//i.test(value)) {
    const named = serviceNames.find((name) => new RegExp(`(^|[^A-Za-z0-9_-])${name}:\\d`).test(value));
    if (named) throw new Error(`"${value}" names compose service ${named} outside a URL: the test cannot map it`);
    return value;
  }
  const url = new URL(value);
  const port = Number(url.port || defaultPort(url.protocol));
  const service = network[url.hostname];
  if (service) {
    if (port !== service.containerPort)
      throw new Error(`${url.hostname}:${port} is not the port service ${url.hostname} listens on (${service.containerPort})`);
    return withEndpoint(value, url, service.localPort);
  }
  if (serviceNames.includes(url.hostname)) throw new Error(`${value} points at compose service ${url.hostname}, which this test does not run`);
  if (url.hostname === 'localhost' || url.hostname === LOCAL_HOST) {
    const published = Object.values(network).find((endpoint) => endpoint.publishedPort === port);
    if (published) return withEndpoint(value, url, published.localPort);
  }
  return value;
}

export function mapEnvironment(env: Record<string, string>, network: Network, serviceNames: readonly string[]): Record<string, string> {
  return Object.fromEntries(Object.entries(env).map(([key, value]) => [key, mapValue(value, network, serviceNames)]));
}

function withEndpoint(original: string, url: URL, port: number): string {
  url.hostname = LOCAL_HOST;
  url.port = String(port);
  const mapped = url.toString();
  // URL adds a "/" path to http URLs given without one; keep the value's own shape.
  return mapped.endsWith('/') && !original.endsWith('/') && url.pathname === '/' ? mapped.slice(0, -1) : mapped;
}

function defaultPort(protocol: string): number {
  return { 'http:': 80, 'https:': 443, 'postgres:': 5432, 'postgresql:': 5432 }[protocol] ?? 0;
}
