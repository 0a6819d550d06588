import { useState } from 'preact/hooks';
import { ApiProblem, apiUrl, downloadCsv } from '../api';
import type { Params } from '../router';

/**
 * A CSV download of an API answer, exact as the API writes it. The link names the API's URL (a user may
 * take it to curl with their key); the click fetches it with the key from this tab.
 */
export function CsvLink(props: { path: string; query: Params; fileName: string; label: string }) {
  const [failure, setFailure] = useState<string>();
  const href = apiUrl(props.path, { ...props.query, format: 'csv' });
  return (
    <span class="csv">
      <a
        href={href}
        download={props.fileName}
        onClick={(event) => {
          event.preventDefault();
          setFailure(undefined);
          downloadCsv(props.path, props.query, props.fileName).catch((error: unknown) =>
            setFailure(error instanceof ApiProblem ? error.message : 'the download failed'),
          );
        }}
      >
        {props.label}
      </a>
      {failure && <span role="alert"> {failure}</span>}
    </span>
  );
}
