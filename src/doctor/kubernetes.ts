import { AppsV1Api, CoreV1Api, NetworkingV1Api, type KubeConfig } from '@kubernetes/client-node';
import { deploymentFromKubernetes, type Deployment } from './checks.js';

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
