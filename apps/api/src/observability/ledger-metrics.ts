import { projectionMetricLines, type ProjectorReport } from '@ledger/projections';
import { Injectable } from '@nestjs/common';

/**
 * The few numbers operators watch, in Prometheus text format. Kept in process: one API instance is one
 * scrape target.
 */
@Injectable()
export class LedgerMetrics {
  private readonly commands = new Map<string, number>();
  private commandSeconds = 0;
  private commandCount = 0;
  /** requests answered, by the labels of their line: route pattern, method and status */
  private readonly httpRequests = new Map<string, number>();

  commandFinished(outcome: 'accepted' | 'refused', elapsedNanoseconds: bigint): void {
    this.commands.set(outcome, (this.commands.get(outcome) ?? 0) + 1);
    this.commandSeconds += Number(elapsedNanoseconds) / 1e9;
    this.commandCount += 1;
  }

  /** `route` is the route's pattern (`/projects/:id`), never the path: ids must not multiply the series. */
  httpRequestAnswered(route: string, method: string, status: number): void {
    const labels = `route="${escapeLabel(route)}",method="${escapeLabel(method)}",status="${status}"`;
    this.httpRequests.set(labels, (this.httpRequests.get(labels) ?? 0) + 1);
  }

  render(projection: ProjectorReport): string {
    const lines = [
      '# HELP ledger_http_requests_total HTTP requests answered, by route pattern, method and status.',
      '# TYPE ledger_http_requests_total counter',
      ...[...this.httpRequests].map(([labels, count]) => `ledger_http_requests_total{${labels}} ${count}`),
      '# HELP ledger_commands_total Commands handled, by outcome.',
      '# TYPE ledger_commands_total counter',
      ...[...this.commands].map(([outcome, count]) => `ledger_commands_total{outcome="${outcome}"} ${count}`),
      '# HELP ledger_command_duration_seconds Time from a command reaching the handler to its append.',
      '# TYPE ledger_command_duration_seconds summary',
      `ledger_command_duration_seconds_sum ${this.commandSeconds}`,
      `ledger_command_duration_seconds_count ${this.commandCount}`,
      ...projectionMetricLines(projection),
    ];
    return `${lines.join('\n')}\n`;
  }
}

/** Prometheus label values escape backslash, double quote and line feed. */
const escapeLabel = (value: string): string =>
  value.replace(/[\\"\n]/g, (c) => (c === '\n' ? '\\n' : `\\${c}`));
