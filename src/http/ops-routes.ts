// /healthz (the process answers), /readyz (database reachable, every configured method healthy)
// and /metrics (Prometheus text).

import type { FastifyInstance } from 'fastify';
import type { AppContext } from './app.ts';

export async function opsRoutes(app: FastifyInstance, context: AppContext): Promise<void> {
  const { useCases } = context;

  app.get('/healthz', async () => ({ status: 'ok' }));

  app.get('/readyz', async (_request, reply) => {
    const checks: Record<string, { ok: boolean; detail?: string | undefined; height?: number | undefined }> = {};
    try {
      await useCases.pingDatabase();
      checks['database'] = { ok: true };
    } catch (error) {
      checks['database'] = { ok: false, detail: 'unreachable' };
      useCases.log.warn({ err: error }, 'readyz: database unreachable');
    }
    for (const adapter of useCases.methods.adapters()) {
      const health = adapter.health();
      checks[`method:${adapter.methodIds.join(',')}`] = { ok: health.ok, detail: health.detail, height: health.height };
    }
    const ready = Object.values(checks).every((c) => c.ok);
    return reply.status(ready ? 200 : 503).send({ status: ready ? 'ready' : 'not_ready', checks });
  });

  app.get('/metrics', async (_request, reply) => {
    const lines = [context.metrics.render()];
    try {
      lines.push('# HELP coffer_invoices Invoices by status.', '# TYPE coffer_invoices gauge');
      for (const { status, count } of await useCases.invoiceCountsByStatus()) lines.push(`coffer_invoices{status="${status}"} ${count}`);
    } catch {
      lines.push('# coffer_invoices unavailable: database unreachable');
    }
    lines.push('# HELP coffer_method_up Payment method health (1 healthy).', '# TYPE coffer_method_up gauge');
    for (const adapter of useCases.methods.adapters()) {
      const up = adapter.health().ok ? 1 : 0;
      for (const id of adapter.methodIds) lines.push(`coffer_method_up{method="${id}"} ${up}`);
    }
    return reply.type('text/plain; version=0.0.4').serializer((x) => x as string).send(lines.join('\n') + '\n');
  });
}
