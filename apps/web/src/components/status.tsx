import type { ComponentChildren } from 'preact';
import type { ApiProblem } from '../api';
import type { Loaded } from '../load';

export function Problem({ problem }: { problem: ApiProblem }) {
  const hint =
    problem.status === 403
      ? 'This key lacks the role for it: the audit pages need an auditor or admin key.'
      : problem.code === 'known-at-beyond-head'
        ? 'Choose a position or time the ledger has reached.'
        : undefined;
  return (
    <div class="problem" role="alert">
      <p>
        <strong>{problem.title}</strong>
        {problem.status ? ` (${problem.status} ${problem.code})` : ''}
      </p>
      {problem.detail && <p>{problem.detail}</p>}
      {hint && <p>{hint}</p>}
    </div>
  );
}

/** What was loaded, or that it is loading, or why it failed. */
export function Show<T>(props: {
  loaded: Loaded<T>;
  what: string;
  children: (data: T) => ComponentChildren;
}) {
  const { loaded } = props;
  if (loaded.state === 'loading') {
    return (
      <p class="loading" role="status">
        Loading {props.what}…
      </p>
    );
  }
  if (loaded.state === 'failed') return <Problem problem={loaded.problem} />;
  return <>{props.children(loaded.data)}</>;
}
