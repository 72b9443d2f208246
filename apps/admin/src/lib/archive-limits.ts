// The largest archive the console accepts as an upload. A build-time constant, not a setting: next.config.ts gives the
// same number to Next as proxyClientMaxBodySize, because Next buffers every request body in memory for the proxy
// (src/proxy.ts) and silently cuts off whatever passes that size. Larger archives are restored from ARCHIVE_DIR: put
// the file there and pick it from the list on /tenants/restore.
export const ARCHIVE_UPLOAD_MAX_BYTES = 100 * 1024 * 1024;
