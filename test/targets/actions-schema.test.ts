import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { fromRoot } from '../../src/paths.js';
import { parseScenario } from '../../src/scenario/load.js';

/** The k8s scenario with its first fault's inject block replaced by `block` (indented as in the file). */
const BASE = readFileSync(fromRoot('challenges/chat-service-k8s/scenario.yaml'), 'utf8');
const FIRST = `    inject:
      kubernetes:
        - action: ingress
          name: chat
          rule: 0
          path: 1
          set: { servicePort: 8081 }
`;
const INJECT_LINE = BASE.split('\n').indexOf('    inject:') + 1;

function problems(block: string): string[] {
  expect(BASE).toContain(FIRST);
  const r = parseScenario(BASE.replace(FIRST, block), 's.yaml');
  return r.ok ? [] : r.problems;
}

describe('fault actions in the scenario: shapes and messages (file:line: path: message)', () => {
  it('accepts exec and http actions next to kubernetes', () => {
    expect(
      problems(`    inject:
      exec:
        inject: { command: [./break.sh, "{{team}}"], timeout: 30s }
        revert: { shell: './fix.sh "$FIREDRILL_TEAM"', env: { TOKEN: "{{secret.ci}}" } }
        check: { command: [./check.sh] }
      http:
        inject: { url: "https://ci.example.com/{{vars.repo}}/dispatch", headers: { authorization: "Bearer {{secret.ci}}" }, body: '{"fault":"{{fault}}"}', expect: [204, 200-299] }
        revert: { method: PUT, url: "https://ci.example.com/revert" }
`),
    ).toEqual([]);
  });

  it('names the line and path of a wrong kubernetes action', () => {
    expect(
      problems(`    inject:
      kubernetes:
        - action: ingres
          name: chat
`),
    ).toEqual([`s.yaml:${INJECT_LINE + 2}: faults[0].inject.kubernetes[0].action: must be one of: ingress, networkPolicy, deleteNetworkPolicy, secret, image, scale (got 'ingres')`]);
    expect(
      problems(`    inject:
      kubernetes:
        - { action: scale, deployment: Backend_1, replicas: -1 }
`),
    ).toEqual([
      `s.yaml:${INJECT_LINE + 2}: faults[0].inject.kubernetes[0].deployment: must be a Kubernetes object name (got 'Backend_1')`,
      `s.yaml:${INJECT_LINE + 2}: faults[0].inject.kubernetes[0].replicas: must be at least 0 (got -1)`,
    ]);
    expect(problems(`    inject:\n      kubernetes:\n        - { action: ingress, name: chat, set: {} }\n`)).toEqual([`s.yaml:${INJECT_LINE + 2}: faults[0].inject.kubernetes[0].set: must change at least one field`]);
  });

  it('refuses a secret placeholder in a kubernetes namespace and an unknown placeholder anywhere', () => {
    expect(problems(`    inject:\n      kubernetes:\n        - { action: scale, deployment: backend, replicas: 0, namespace: "{{secret.x}}" }\n`)).toEqual([
      `s.yaml:${INJECT_LINE + 2}: faults[0].inject.kubernetes[0].namespace: {{secret.x}}: secrets are not allowed here (the value would be recorded in the event log)`,
    ]);
    expect(problems(`    inject:\n      exec:\n        inject: { command: [echo, "{{teem}}"] }\n        revert: { command: ["true"] }\n`)).toEqual([
      `s.yaml:${INJECT_LINE + 2}: faults[0].inject.exec.inject.command[1]: unknown placeholder {{teem}} (use team, fault, namespace, publicUrl, vars.NAME or secret.NAME)`,
    ]);
  });

  it('wants exactly one of command or shell, a real URL, and at least one action', () => {
    expect(problems(`    inject:\n      exec:\n        inject: { timeout: 5s }\n        revert: { command: ["true"] }\n`)).toEqual([
      `s.yaml:${INJECT_LINE + 2}: faults[0].inject.exec.inject: must have exactly one of: command (a list, run without a shell) or shell (a script)`,
    ]);
    expect(problems(`    inject:\n      http:\n        inject: { url: "ftp://x" }\n        revert: { url: "https://x", expect: [299-200] }\n`)).toEqual([
      `s.yaml:${INJECT_LINE + 2}: faults[0].inject.http.inject.url: must start with http:// or https:// (got 'ftp://x')`,
      `s.yaml:${INJECT_LINE + 3}: faults[0].inject.http.revert.expect[0]: range '299-200' runs backwards`,
    ]);
    expect(problems(`    inject: {}\n`)).toEqual([`s.yaml:${INJECT_LINE}: faults[0].inject: must have at least one action: local, kubernetes, exec or http`]);
  });
});
