/**
 * The releases of the chat service that exist, as a registry of built images would list them.
 * `entry` is relative to this folder, without extension: the platform runs `<entry>.js` from dist/.
 */
export type Component = 'ingress' | 'frontend' | 'backend' | 'database';
export const components: readonly Component[] = ['database', 'backend', 'frontend', 'ingress'];

export interface Release {
  version: string;
  date: string;
  notes: string;
  entry: string;
}

export const releases: Record<'frontend' | 'backend', Release[]> = {
  frontend: [
    { version: '1.3.0', date: '2025-09-02', notes: 'Chat page with live updates.', entry: 'frontend/releases/1.3.0' },
    { version: '1.4.0', date: '2025-10-14', notes: 'Shows when each message was sent; remembers your display name.', entry: 'frontend/releases/1.4.0' },
  ],
  backend: [
    { version: '1.3.0', date: '2025-09-02', notes: 'Messages API with server-sent events.', entry: 'backend/releases/1.3.0' },
    { version: '1.4.0', date: '2025-10-14', notes: 'Idempotent posts (clientId); health check covers the database.', entry: 'backend/releases/1.4.0' },
    {
      version: '1.5.0',
      date: '2025-11-20',
      notes: 'Faster message encoding: request bodies are decoded as single-byte text, skipping UTF-8 validation (~12% less CPU per post).',
      entry: 'backend/releases/1.5.0',
    },
  ],
};

/** Components that are not versioned by the manifest run one fixed build. */
export const fixedEntries: Record<'ingress' | 'database', string> = { ingress: 'ingress/main', database: 'database/main' };

export function findRelease(component: string, version: string): Release | undefined {
  return (releases as Record<string, Release[]>)[component]?.find((r) => r.version === version);
}

/** Everything the platform needs, as one value (it is handed to the platform by src/server.ts). */
export const catalog = { releases, fixedEntries };
