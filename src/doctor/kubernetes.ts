import { ApiException, AppsV1Api, CoreV1Api, NetworkingV1Api, type KubeConfig } from '@kubernetes/client-node';
import { deploymentFromKubernetes, type Deployment } from './checks.js';
import type { Finding } from './findings.js';

/** One namespace's Ingresses, Services, Deployments and Secrets (list: read only), as a deployment for the checks. */
export async function readKubernetesDeployment(kc: KubeConfig, namespace: string): Promise<Deployment> {
  const net = kc.makeApiClient(NetworkingV1Api);
  const core = kc.makeApiClient(CoreV1Api);
  const apps = kc.makeApiClient(AppsV1Api);
  const [ingresses, services, deployments, secrets] = await Promise.all([
    net.listNamespacedIngress({ namespace }),
    core.listNamespacedService({ namespace }),
    apps.listNamespacedDeployment({ namespace }),
    core.listNamespacedSecret({ namespace }),
  ]);
  // Plain JSON, as the API sends it (the client's classes hold the same fields).
  const plain = (l: { items: unknown[] }) => JSON.parse(JSON.stringify(l.items)) as unknown[];
  return deploymentFromKubernetes(namespace, { ingresses: plain(ingresses), services: plain(services), deployments: plain(deployments), secrets: plain(secrets) });
}

/**
 * `doctor --team` on a kubernetes team: its deployment, or the finding that says why it cannot be
 * read (a refused list, an unreachable API server) — a finding, never a crash.
 */
export async function kubernetesTeamDeployment(team: string, namespace: string, kubeConfig: () => KubeConfig): Promise<{ deployment: Deployment } | { finding: Finding }> {
  const id = `team.${team}.kubernetes`;
  let kc: KubeConfig;
  try {
    kc = kubeConfig();
  } catch (err) {
    return { finding: { id, severity: 'critical', message: `the kubeconfig cannot be loaded: ${(err as Error).message}`, fix: 'fix kubernetes.kubeconfig (FIREDRILL_KUBECONFIG), or run inside the cluster' } };
  }
  try {
    return { deployment: await readKubernetesDeployment(kc, namespace) };
  } catch (err) {
    const code = err instanceof ApiException ? err.code : undefined;
    const why = code === 403 ? 'Forbidden (403)' : code === 401 ? 'Unauthorized (401)' : code !== undefined ? `HTTP ${code}` : (err as Error).message;
    return {
      finding: {
        id,
        severity: 'critical',
        message: `team ${team}: cannot list the ingresses, services, deployments and secrets of namespace ${namespace}: ${why}`,
        fix: code === 403 || code === 401 ? `grant firedrill's service account 'list' on ingresses, services, deployments and secrets in namespace ${namespace} (deploy/kubernetes/rbac.yaml)` : 'check that firedrill can reach the API server (kubeconfig server address, network)',
      },
    };
  }
}
