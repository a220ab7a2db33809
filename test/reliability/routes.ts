import type { FastifyInstance } from 'fastify';

/** Full paths and methods from Fastify's radix-tree print (children concatenate onto parents). */
export function routeTable(app: FastifyInstance): Array<{ path: string; methods: string[] }> {
  const out: Array<{ path: string; methods: string[] }> = [];
  const stack: Array<{ depth: number; path: string }> = [];
  for (const line of app.printRoutes({ commonPrefix: false }).split('\n')) {
    const m = /^([\s│├└─]*)(\S.*?) \(([A-Z, ]+)\)$/.exec(line);
    if (!m) continue;
    const depth = m[1]!.length;
    while (stack.length && stack[stack.length - 1]!.depth >= depth) stack.pop();
    const path = (stack[stack.length - 1]?.path ?? '') + m[2]!;
    stack.push({ depth, path });
    out.push({ path, methods: m[3]!.split(', ').filter((x) => x !== 'HEAD') });
  }
  return out;
}

