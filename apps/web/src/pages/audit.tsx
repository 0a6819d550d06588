import { useEffect, useRef, useState } from 'preact/hooks';
import { ApiProblem, getJson, headPosition } from '../api';
import { Problem, Show } from '../components/status';
import { ScrollingTable, Table } from '../components/table';
import { dayOf } from '../dates';
import { formatInstant, NONE } from '../format';
import { useLoad } from '../load';
import { navigate, type Route, timesOf, withParams } from '../router';
import { cutLabel, useTitle } from '../title';
import type { Digest, StoredEvent, Verification } from '../types';

const POSITION = /^\d+$/;

/** The digest to publish, at the knownAt position when it is one, else at the head; with a copy button. */
function DigestPanel({ knownAt }: { knownAt: string | undefined }) {
  const position = knownAt && POSITION.test(knownAt) ? knownAt : undefined;
  const loaded = useLoad(`digest@${position ?? 'head'}`, async (signal) => {
    const [head, digest] = await Promise.all([
      headPosition(signal),
      getJson<Digest>('/audit/digest', { position }, signal),
    ]);
    return { head, digest };
  });
  const field = useRef<HTMLInputElement>(null);
  const [copied, setCopied] = useState('');
  useEffect(() => setCopied(''), [position]);
  return (
    <section aria-labelledby="digest-heading">
      <h2 id="digest-heading">Head and digest</h2>
      <Show loaded={loaded} what="the digest">
        {({ head, digest }) => (
          <>
            <dl class="figures">
              <div>
                <dt>Head position</dt>
                <dd>{head ?? NONE}</dd>
              </div>
              <div>
                <dt>Digest position</dt>
                <dd>{digest.position}</dd>
              </div>
              <div>
                <dt>Events covered</dt>
                <dd>{digest.events.toLocaleString('en')}</dd>
              </div>
            </dl>
            {knownAt && !position && (
              <p>A digest is taken at a log position; this is the head’s, as knownAt is a date-time.</p>
            )}
            <div class="digest">
              <label for="digest">Log digest (version 2) up to position {digest.position}</label>
              <input id="digest" ref={field} class="mono" readOnly value={digest.digest} size={66} />
              <button
                type="button"
                onClick={() => {
                  field.current?.select();
                  navigator.clipboard.writeText(digest.digest).then(
                    () => setCopied('Copied the digest.'),
                    () =>
                      setCopied('The browser refused the clipboard: the digest is selected, press Ctrl+C.'),
                  );
                }}
              >
                Copy digest
              </button>
              <span role="status" class="copied">
                {copied}
              </span>
            </div>
            <p class="hint">
              Publish it with its position; the same digest at the same position later proves that no event up
              to there was changed, reordered, removed or given another recorded time.
            </p>
          </>
        )}
      </Show>
    </section>
  );
}

/** Recomputes every hash chain on the server on request: it reads the whole log, so never on page load. */
function VerifyPanel() {
  const [result, setResult] = useState<
    | { state: 'idle' }
    | { state: 'running' }
    | { state: 'done'; verification: Verification }
    | { state: 'failed'; problem: ApiProblem }
  >({ state: 'idle' });
  return (
    <section aria-labelledby="verify-heading">
      <h2 id="verify-heading">Verify the log</h2>
      <button
        type="button"
        disabled={result.state === 'running'}
        onClick={() => {
          setResult({ state: 'running' });
          getJson<Verification>('/audit/verify').then(
            (verification) => setResult({ state: 'done', verification }),
            (problem: unknown) =>
              setResult({
                state: 'failed',
                problem:
                  problem instanceof ApiProblem ? problem : new ApiProblem(0, 'page-error', String(problem)),
              }),
          );
        }}
      >
        Verify every hash chain
      </button>
      <div aria-live="polite" class="verify-result">
        {result.state === 'running' && <p role="status">Verifying…</p>}
        {result.state === 'failed' && <Problem problem={result.problem} />}
        {result.state === 'done' && <VerificationResult verification={result.verification} />}
      </div>
    </section>
  );
}

function VerificationResult({ verification }: { verification: Verification }) {
  return (
    <>
      <p class={verification.verified ? 'verified' : 'not-verified'}>
        <strong>{verification.verified ? 'Verified' : 'Not verified'}</strong>:{' '}
        {verification.verified
          ? `every hash chain holds over ${verification.events.toLocaleString('en')} events in ${verification.streams.toLocaleString('en')} streams.`
          : `${verification.failureCount.toLocaleString('en')} failures.`}
      </p>
      <dl class="figures">
        <div>
          <dt>Last position</dt>
          <dd>{verification.lastPosition}</dd>
        </div>
        <div>
          <dt>Dense positions</dt>
          <dd>{verification.densePositions ? 'yes' : 'no'}</dd>
        </div>
        <div>
          <dt>Digest (version {verification.digestVersion})</dt>
          <dd class="mono">{verification.digest}</dd>
        </div>
      </dl>
      {verification.failures.length > 0 && (
        <Table caption="Failures" columns={['Stream', 'Revision', 'Position', 'Kind', 'Message']}>
          {verification.failures.map((failure) => (
            <tr key={`${failure.eventId}/${failure.kind}`}>
              <th scope="row">{failure.streamId}</th>
              <td>{failure.revision}</td>
              <td>{failure.position}</td>
              <td>{failure.kind}</td>
              <td>{failure.message}</td>
            </tr>
          ))}
        </Table>
      )}
    </>
  );
}

/** Whether the ledger had recorded an event by knownAt (a position, or a date-time). */
function knownBy(event: StoredEvent, knownAt: string | undefined): boolean {
  if (!knownAt) return true;
  if (POSITION.test(knownAt)) return BigInt(event.position) <= BigInt(knownAt);
  const limit = Date.parse(knownAt);
  return Number.isNaN(limit) || Date.parse(event.recordedAt) <= limit;
}

function StreamHistory({ route }: { route: Route }) {
  const times = timesOf(route.params);
  const streamId = route.params.get('stream') ?? '';
  const [field, setField] = useState(streamId);
  useEffect(() => setField(streamId), [streamId]);
  // The streams named in the first page of the log, to pick from.
  const streams = useLoad('streams', async (signal) => {
    const log = await getJson<{ events: StoredEvent[] }>('/audit/log', { limit: '1000' }, signal);
    return [...new Set(log.events.map((event) => event.streamId))].sort();
  });
  const history = useLoad(streamId ? `stream:${streamId}` : null, (signal) =>
    getJson<{ events: StoredEvent[] }>(`/streams/${encodeURIComponent(streamId)}`, {}, signal),
  );
  const asOfDay = dayOf(times.asOf);
  return (
    <section aria-labelledby="stream-heading">
      <h2 id="stream-heading">A stream’s history</h2>
      <form
        class="inline-form"
        onSubmit={(event) => {
          event.preventDefault();
          navigate(withParams(route, { stream: field.trim() || undefined }));
        }}
      >
        <label for="stream-id">Stream</label>
        <input
          id="stream-id"
          class="mono"
          list="stream-ids"
          value={field}
          placeholder="stockpile-ca-jp-critical-minerals"
          size={40}
          onInput={(event) => setField(event.currentTarget.value)}
        />
        <datalist id="stream-ids">
          {streams.state === 'loaded' && streams.data.map((id) => <option key={id} value={id} />)}
        </datalist>
        <button type="submit">Show history</button>
      </form>
      {streamId && (
        <Show loaded={history} what="the stream">
          {({ events }) => {
            const later = events.filter((event) => !knownBy(event, times.knownAt)).length;
            return (
              <>
                <p>
                  {events.length} events;{' '}
                  {later > 0 ? `${later} recorded after knownAt, marked “not yet known”; ` : ''}
                  events effective after {asOfDay} are marked “in the future”.
                </p>
                <ScrollingTable
                  class="events"
                  caption={`${streamId}, as stored, hash chain included`}
                  columns={['Revision', 'Position', 'Type', 'Effective', 'Recorded', 'Actor', 'Hash', 'Data']}
                >
                  {events.map((event) => {
                    const known = knownBy(event, times.knownAt);
                    const future = event.effectiveAt.slice(0, 10) > asOfDay;
                    return (
                      <tr key={event.eventId} class={known ? undefined : 'not-known'}>
                        <th scope="row">{event.revision}</th>
                        <td>{event.position}</td>
                        <td>
                          {event.type}
                          {!known && (
                            <>
                              {' '}
                              <span class="tag">not yet known</span>
                            </>
                          )}
                          {future && (
                            <>
                              {' '}
                              <span class="tag">in the future</span>
                            </>
                          )}
                        </td>
                        <td>{formatInstant(event.effectiveAt)}</td>
                        <td>{formatInstant(event.recordedAt)}</td>
                        <td>{event.metadata.actor?.name ?? NONE}</td>
                        <td class="mono" title={event.metadata.hash}>
                          {event.metadata.hash?.slice(0, 12) ?? NONE}…
                        </td>
                        <td>
                          <details>
                            <summary>data</summary>
                            <pre>{JSON.stringify(event.data, null, 2)}</pre>
                          </details>
                        </td>
                      </tr>
                    );
                  })}
                </ScrollingTable>
              </>
            );
          }}
        </Show>
      )}
    </section>
  );
}

export function AuditPage({ route }: { route: Route }) {
  useTitle('Audit');
  const times = timesOf(route.params);
  return (
    <section aria-labelledby="page-heading">
      <h1 id="page-heading" tabIndex={-1}>
        Audit trail
      </h1>
      <p class="lede">
        The log’s head, the digest to publish, a verification of every hash chain, and any stream’s events as
        stored; {cutLabel(route)}. These need an auditor or admin key.
      </p>
      <DigestPanel knownAt={times.knownAt} />
      <VerifyPanel />
      <StreamHistory route={route} />
    </section>
  );
}
