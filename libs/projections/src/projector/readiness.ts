import type { ProjectorReport } from './projector';

/** Read models further behind than this (events, or positions where they are not dense) are catching up. */
export const READY_LAG_EVENTS = 1000n;
/** EventStoreDB positions are byte offsets: about a thousand small events. */
export const READY_LAG_POSITIONS = 1_000_000n;

/**
 * The /ready answer, shared by the API and apps/projector: 503 naming the model, its position and the
 * event when a read model stopped on an error; 503 `catching-up` with each model's progress while one is
 * behind; 200 `ready` otherwise. It costs a head lookup and the checkpoints, at any lag.
 */
export function readiness(report: ProjectorReport) {
  const bound = report.lagUnit === 'events' ? READY_LAG_EVENTS : READY_LAG_POSITIONS;
  const failed = report.models.filter((model) => model.parked);
  const behind = report.models.filter((model) => model.lag > bound);
  const status =
    failed.length > 0 || report.stoppedBecause ? 'failed' : behind.length > 0 ? 'catching-up' : 'ready';
  return {
    ready: status === 'ready',
    body: {
      status,
      headPosition: report.headPosition.toString(),
      projector: { role: report.role, holder: report.holder ?? null, owner: report.owner },
      ...(report.stoppedBecause ? { stoppedBecause: report.stoppedBecause } : {}),
      readModels: Object.fromEntries(
        report.models.map((model) => [
          model.name,
          {
            checkpoint: model.checkpoint.toString(),
            [report.lagUnit === 'events' ? 'lag' : 'lagPositions']: model.lag.toString(),
            ...(report.headPosition > 0n
              ? { progress: Number((model.checkpoint * 1000n) / report.headPosition) / 1000 }
              : { progress: 1 }),
            ...(model.parked
              ? {
                  failed: {
                    position: model.parked.position.toString(),
                    eventId: model.parked.eventId,
                    error: model.parked.message,
                    failures: model.parked.failures,
                    retryAt: model.parked.retryAt,
                  },
                }
              : {}),
          },
        ]),
      ),
    },
  };
}

/** Prometheus lines for projection lag and failures per read model. */
export function projectionMetricLines(report: ProjectorReport): string[] {
  const unit = report.lagUnit === 'events' ? 'events' : 'positions';
  return [
    `# HELP ledger_projection_lag_${unit} How far each read model is behind the head of the log (${unit}).`,
    `# TYPE ledger_projection_lag_${unit} gauge`,
    ...report.models.map((model) => `ledger_projection_lag_${unit}{read_model="${model.name}"} ${model.lag}`),
    '# HELP ledger_projection_failures_total Times a read model stopped on an event it could not project.',
    '# TYPE ledger_projection_failures_total counter',
    ...report.models.map(
      (model) => `ledger_projection_failures_total{model="${model.name}"} ${model.failures}`,
    ),
    '# HELP ledger_projection_stopped Whether a read model is stopped on a failing event (1) or not (0).',
    '# TYPE ledger_projection_stopped gauge',
    ...report.models.map(
      (model) => `ledger_projection_stopped{model="${model.name}"} ${model.parked ? 1 : 0}`,
    ),
  ];
}
