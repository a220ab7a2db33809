/**
 * What the platform needs to know about the service it runs, as data: which releases of the
 * versioned components exist and which build each runs. The concrete catalog (the chat service's,
 * `challenges/chat-service/app/catalog.ts`) is handed in by the composition root, so the platform,
 * the ops routes and the local target never import the chat service itself.
 */

/** The four processes the platform runs per team; the topology is the platform's own. */
export type Component = 'ingress' | 'frontend' | 'backend' | 'database';
/** Start order (stop in reverse). */
export const components: readonly Component[] = ['database', 'backend', 'frontend', 'ingress'];
export type Versioned = 'frontend' | 'backend';

export interface Release {
  version: string;
  date: string;
  notes: string;
  /** Relative to the service's app folder, without extension: the platform runs `<entry>.js` from dist/. */
  entry: string;
}

export interface Catalog {
  releases: Readonly<Record<Versioned, readonly Release[]>>;
  /** Components that are not versioned by the manifest run one fixed build. */
  fixedEntries: Readonly<Record<Exclude<Component, Versioned>, string>>;
}

export function findRelease(catalog: Catalog, component: string, version: string): Release | undefined {
  return (catalog.releases as Record<string, readonly Release[] | undefined>)[component]?.find((r) => r.version === version);
}

