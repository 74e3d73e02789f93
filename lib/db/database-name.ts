/** Used when neither `MONGODB_DB` nor the connection string names a database. */
export const DEFAULT_DATABASE_NAME = 'clerk_mongo_sync';

/**
 * The app database: `MONGODB_DB`, else the one named in the URI, else
 * `clerk_mongo_sync`. Pure, so CLI tools (doctor) resolve it exactly as the app does.
 */
export function resolveDatabaseName(uri: string, configured: string | undefined): string {
  return configured ?? databaseInUri(uri) ?? DEFAULT_DATABASE_NAME;
}

function databaseInUri(uri: string): string | undefined {
  const path = /^mongodb(?:\+srv)?:\/\/[^/]+\/([^?]+)/.exec(uri)?.[1];
  return path ? decodeURIComponent(path) : undefined;
}
