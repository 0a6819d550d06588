import { useEffect, useState } from 'preact/hooks';
import { apiKey } from './api';
import { KeyForm } from './components/key-form';
import { TimeControls } from './components/time-controls';
import { AuditPage } from './pages/audit';
import { ExposureDetail, ExposureList } from './pages/exposure';
import { ProjectDetail, ProjectList } from './pages/projects';
import { RestrictionsPage } from './pages/restrictions';
import { StockpileDetail, StockpileList } from './pages/stockpiles';
import { hrefOf, navigate, type Route, timesOf, useRoute } from './router';

const PAGES = [
  { segment: 'exposure', label: 'Exposure' },
  { segment: 'stockpiles', label: 'Stockpiles' },
  { segment: 'projects', label: 'Projects' },
  { segment: 'restrictions', label: 'Restrictions' },
  { segment: 'audit', label: 'Audit' },
];

function PageOf({ route }: { route: Route }) {
  const [page, first, second] = route.segments;
  switch (page) {
    case 'exposure':
      return first && second ? (
        <ExposureDetail route={route} country={first} material={second} />
      ) : (
        <ExposureList route={route} />
      );
    case 'stockpiles':
      return first ? <StockpileDetail route={route} stockpileId={first} /> : <StockpileList route={route} />;
    case 'projects':
      return first ? <ProjectDetail route={route} projectId={first} /> : <ProjectList route={route} />;
    case 'restrictions':
      return <RestrictionsPage route={route} />;
    case 'audit':
      return <AuditPage route={route} />;
    default:
      return (
        <section>
          <h1 tabIndex={-1}>No such page</h1>
          <p>
            <a href={hrefOf(['exposure'], timesOf(route.params))}>Go to the exposure page</a>.
          </p>
        </section>
      );
  }
}

export function App() {
  const route = useRoute();
  const [key, setKey] = useState(apiKey.get());
  useEffect(() => apiKey.onChange(() => setKey(apiKey.get())), []);

  const page = route.segments[0];
  useEffect(() => {
    if (page === undefined)
      navigate(hrefOf(['exposure'], Object.fromEntries(route.params)), { replace: true });
  }, [page, route.params]);

  // A new page moves the focus to its heading, as a page load would put a screen reader at the top.
  const path = route.segments.join('/');
  const [firstPath] = useState(path);
  useEffect(() => {
    if (path !== firstPath) document.querySelector<HTMLElement>('main h1')?.focus();
  }, [path, firstPath]);

  return (
    <>
      <a class="skip" href="#content">
        Skip to content
      </a>
      <header class="top">
        <p class="brand">
          <a href={hrefOf(['exposure'], timesOf(route.params))}>Minerals Ledger</a>
        </p>
        <nav aria-label="Pages">
          <ul>
            {PAGES.map(({ segment, label }) => (
              <li key={segment}>
                <a
                  href={hrefOf([segment], timesOf(route.params))}
                  aria-current={segment === page ? 'page' : undefined}
                >
                  {label}
                </a>
              </li>
            ))}
          </ul>
        </nav>
        {key && (
          <button type="button" class="forget" onClick={() => apiKey.clear()}>
            Forget key
          </button>
        )}
      </header>
      {key && <TimeControls route={route} />}
      <main id="content" tabIndex={-1}>
        {key ? <PageOf route={route} /> : <KeyForm refused={apiKey.wasRefused()} />}
      </main>
    </>
  );
}
