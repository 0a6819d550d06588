import { useEffect, useState } from 'preact/hooks';
import { headPosition } from '../api';
import { navigate, type Route, withParams } from '../router';

const POSITION = /^\d+$/;

/**
 * The two times of every report: `asOf`, the effective date (when facts hold in the world), and `knownAt`,
 * what the ledger had recorded by a log position or a date-time. Both live in the URL, so a link shares
 * the view and the back button steps back through time travel.
 */
export function TimeControls({ route }: { route: Route }) {
  const asOf = route.params.get('asOf') ?? '';
  const knownAt = route.params.get('knownAt') ?? '';
  const [asOfField, setAsOfField] = useState(asOf.slice(0, 10));
  const [knownAtField, setKnownAtField] = useState(knownAt);
  useEffect(() => setAsOfField(asOf.slice(0, 10)), [asOf]);
  useEffect(() => setKnownAtField(knownAt), [knownAt]);

  // The head moves as commands arrive: ask again on every navigation, keeping the last answer meanwhile
  // (the slider must stay where it is, with the focus of a user stepping through positions).
  const [headValue, setHeadValue] = useState<string>();
  const view = `${route.segments.join('/')}?${route.params}`;
  useEffect(() => {
    const controller = new AbortController();
    headPosition(controller.signal).then(
      (position) => controller.signal.aborted || setHeadValue(position),
      () => undefined, // without the head there is no slider; the text field still works
    );
    return () => controller.abort();
  }, [view]);
  const sliderValue = POSITION.test(knownAtField) ? knownAtField : (headValue ?? '0');

  const go = (changes: { asOf?: string | undefined; knownAt?: string | undefined }) =>
    navigate(withParams(route, changes));

  return (
    <form
      class="times"
      aria-label="Time travel"
      onSubmit={(event) => {
        event.preventDefault();
        go({ asOf: asOfField || undefined, knownAt: knownAtField.trim() || undefined });
      }}
    >
      <div class="field">
        <label for="as-of">As of (effective date)</label>
        <input
          id="as-of"
          type="date"
          value={asOfField}
          aria-describedby="as-of-hint"
          onInput={(event) => setAsOfField(event.currentTarget.value)}
        />
        <small id="as-of-hint">when the facts hold; empty: today</small>
      </div>
      <div class="field">
        <label for="known-at">Known at (log position or date-time)</label>
        <input
          id="known-at"
          type="text"
          inputMode="text"
          spellcheck={false}
          placeholder="latest"
          value={knownAtField}
          aria-describedby="known-at-hint"
          onInput={(event) => setKnownAtField(event.currentTarget.value)}
        />
        <small id="known-at-hint">
          what the ledger had recorded: a position such as 24, or 2026-03-01T09:00:00Z; empty: latest
        </small>
      </div>
      {headValue !== undefined && headValue !== '0' && (
        <div class="field">
          <label for="known-at-position">
            Known at position <output for="known-at-position">{sliderValue}</output> of {headValue}
          </label>
          <input
            id="known-at-position"
            type="range"
            min="1"
            max={headValue}
            step="1"
            value={sliderValue}
            onInput={(event) => setKnownAtField(event.currentTarget.value)}
            onChange={(event) => go({ knownAt: event.currentTarget.value })}
          />
        </div>
      )}
      <div class="buttons">
        <button type="submit">Show</button>
        <button type="button" disabled={!asOf} onClick={() => go({ asOf: undefined })}>
          Today
        </button>
        <button type="button" disabled={!knownAt} onClick={() => go({ knownAt: undefined })}>
          Latest
        </button>
      </div>
    </form>
  );
}
