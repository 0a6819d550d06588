import { useEffect, useState } from 'preact/hooks';
import { navigate, type Route, withParams } from '../router';

/** Where a series over time starts (`from` in the URL); it ends at the view's asOf. */
export function SeriesFrom({ route, from }: { route: Route; from: string }) {
  const [value, setValue] = useState(from);
  useEffect(() => setValue(from), [from]);
  return (
    <form
      class="inline-form"
      onSubmit={(event) => {
        event.preventDefault();
        navigate(withParams(route, { from: value || undefined }));
      }}
    >
      <label for="series-from">Series from</label>
      <input
        id="series-from"
        type="date"
        value={value}
        onInput={(event) => setValue(event.currentTarget.value)}
      />
      <button type="submit">Redraw</button>
    </form>
  );
}
