import { useState } from 'preact/hooks';
import { apiKey } from '../api';

/**
 * Asks for the API key once per tab. The field has no `name`, so even a form submitted without script
 * could not put the key in a URL.
 */
export function KeyForm({ refused }: { refused: boolean }) {
  const [key, setKey] = useState('');
  return (
    <section class="key-form" aria-labelledby="key-heading">
      <h1 id="key-heading" tabIndex={-1}>
        Enter your API key
      </h1>
      {refused && (
        <p role="alert" class="problem">
          The ledger refused the key: it is unknown or was revoked. Paste another one.
        </p>
      )}
      <p>
        The key stays in this tab’s session storage until you close the tab or forget it; it is never put in a
        URL or a cookie. On its first start the ledger prints an admin key, and keeps it in{' '}
        <code>data/api-keys.json</code>.
      </p>
      <form
        onSubmit={(event) => {
          event.preventDefault();
          if (key.trim()) apiKey.set(key.trim());
        }}
      >
        <label for="api-key">API key</label>
        <input
          id="api-key"
          type="password"
          autocomplete="off"
          spellcheck={false}
          required
          value={key}
          onInput={(event) => setKey(event.currentTarget.value)}
        />
        <button type="submit">Use this key</button>
      </form>
    </section>
  );
}
