import { useMemo, useState } from 'preact/hooks';
import uPlot from 'uplot';
import { allItems, getJson } from '../api';
import { Chart, type ChartOptions, SERIES_COLOURS } from '../components/chart';
import { CsvLink } from '../components/csv-link';
import { DetailPage } from '../components/detail-page';
import { CountryField, countryParam, FilterForm, MaterialField } from '../components/filters';
import { ListPage } from '../components/list-page';
import { Show } from '../components/status';
import { ScrollingTable } from '../components/table';
import { dayOf, yearOf } from '../dates';
import { countryName, formatDay, formatMass, formatMoney, NONE, plottedTonnes } from '../format';
import { useLoad } from '../load';
import { hrefOf, type Params, type Route, timesOf } from '../router';
import { cutLabel } from '../title';
import { type BookEntry, type OfftakeBook, type ProjectSummary, type ProjectView, STAGES } from '../types';

const FILTERS = ['country', 'material', 'stage', 'operator', 'buyer'] as const;

function ProjectFilters({ route }: { route: Route }) {
  const [values, setValues] = useState<Params>(
    Object.fromEntries(FILTERS.map((name) => [name, route.params.get(name) ?? ''])),
  );
  const setValue = (name: string, value: string) => setValues({ ...values, [name]: value });
  return (
    <FilterForm
      route={route}
      label="Filter projects"
      submitLabel="Filter"
      params={() => ({
        ...Object.fromEntries(FILTERS.map((name) => [name, values[name]?.trim() || undefined])),
        country: countryParam(values.country ?? ''),
      })}
    >
      <CountryField
        id="filter-country"
        label="Country"
        value={values.country}
        onInput={(value) => setValue('country', value)}
      />
      <MaterialField
        id="filter-material"
        value={values.material}
        anyLabel="any"
        onChange={(value) => setValue('material', value)}
      />
      <div class="field">
        <label for="filter-stage">Stage on the as-of date</label>
        <select
          id="filter-stage"
          value={values.stage}
          onChange={(event) => setValue('stage', event.currentTarget.value)}
        >
          <option value="">any</option>
          {STAGES.map((stage) => (
            <option key={stage} value={stage}>
              {stage}
            </option>
          ))}
        </select>
      </div>
      <div class="field">
        <label for="filter-operator">Operator</label>
        <input
          id="filter-operator"
          value={values.operator}
          onInput={(event) => setValue('operator', event.currentTarget.value)}
        />
      </div>
      <div class="field">
        <label for="filter-buyer">Offtake buyer (name or country)</label>
        <input
          id="filter-buyer"
          value={values.buyer}
          onInput={(event) => setValue('buyer', event.currentTarget.value)}
        />
      </div>
    </FilterForm>
  );
}

export function ProjectList({ route }: { route: Route }) {
  const times = timesOf(route.params);
  const query: Params = { ...times };
  for (const name of FILTERS) query[name] = route.params.get(name) ?? undefined;
  return (
    <ListPage<ProjectSummary>
      title="Projects"
      path="/projects"
      query={query}
      lede={`Mines and processing plants registered, with their stage, ${cutLabel(route)}.`}
      csvFileName="projects.csv"
      filters={<ProjectFilters route={route} />}
      what="projects"
      none="No project matches at this time."
    >
      {(projects) => (
        <ScrollingTable
          caption={`${projects.length} ${projects.length === 1 ? 'project' : 'projects'}, ${cutLabel(route)}`}
          columns={['Project', 'Operator', 'Country', 'Stage', 'Materials']}
        >
          {projects.map((project) => (
            <tr key={project.projectId}>
              <th scope="row">
                <a href={hrefOf(['projects', project.projectId], times)}>{project.name}</a>
              </th>
              <td>{project.operator}</td>
              <td>{countryName(project.country)}</td>
              <td>{project.stage}</td>
              <td>{project.materials.join(', ')}</td>
            </tr>
          ))}
        </ScrollingTable>
      )}
    </ListPage>
  );
}

interface ProjectYear {
  year: number;
  /** null: the project was not registered (as known at knownAt) on 1 January of that year */
  stage: string | null;
  book: BookEntry[];
}

/**
 * The years from before the first offtake (or the asOf year) to after the last one, at most 30: the span
 * in which the offtake book changes.
 */
function yearsOf(project: ProjectView, asOfDay: string): number[] {
  const asOfYear = yearOf(asOfDay);
  const starts = project.offtakes.map((offtake) => yearOf(offtake.startsOn));
  const ends = project.offtakes.map((offtake) => yearOf(offtake.endsOn));
  const first = Math.min(asOfYear, ...starts) - 2;
  const last = Math.min(Math.max(asOfYear, ...ends) + 1, first + 29);
  return Array.from({ length: last - first + 1 }, (_, index) => first + index);
}

/**
 * The project as it stood on 1 January of each year. The list (filtered to the project's country) says
 * whether it was registered then and in which stage, so no year before its registration is asked for
 * and answered 404.
 */
async function projectYears(project: ProjectView, years: number[], times: Params, signal: AbortSignal) {
  return Promise.all(
    years.map(async (year): Promise<ProjectYear> => {
      const asOf = `${year}-01-01`;
      const listed = await allItems<ProjectSummary>(
        '/projects',
        { ...times, asOf, country: project.country },
        signal,
      );
      const stage = listed.find((candidate) => candidate.projectId === project.projectId)?.stage ?? null;
      if (stage === null) return { year, stage, book: [] };
      const book = await getJson<OfftakeBook>(
        `/projects/${encodeURIComponent(project.projectId)}/offtake-book`,
        { ...times, asOf },
        signal,
      );
      return { year, stage, book: book.materials };
    }),
  );
}

function BookOverYears({ route, project }: { route: Route; project: ProjectView }) {
  const times = timesOf(route.params);
  const years = yearsOf(project, dayOf(times.asOf));
  const loaded = useLoad(JSON.stringify({ times, years, id: project.projectId }), (signal) =>
    projectYears(project, years, times, signal),
  );
  const chart = useMemo(() => {
    if (loaded.state !== 'loaded') return undefined;
    const rows = loaded.data;
    const entry = (row: ProjectYear, material: string) => row.book.find((book) => book.material === material);
    const bars = uPlot.paths.bars!({ size: [0.6, 48] });
    const stepped = uPlot.paths.stepped!({ align: 1 });
    const options: ChartOptions = {
      scales: {
        x: { time: false, range: [years[0]! - 0.5, years.at(-1)! + 0.5] },
        y: { range: (_plot, _min, max) => [0, Math.max(1, max ?? 1) * 1.15] },
      },
      axes: [
        { splits: () => years, values: (_plot, splits) => splits.map(String), grid: { show: false } },
        { label: 'tonnes a year', size: 70 },
      ],
      legend: { live: false },
      cursor: { show: false },
      series: [
        { label: 'Year' },
        ...project.materials.flatMap((material, index) => {
          const colour = SERIES_COLOURS[index % SERIES_COLOURS.length]!;
          return [
            {
              label: `${material} committed`,
              fill: `${colour}99`,
              stroke: colour,
              paths: bars,
              points: { show: false },
            },
            {
              label: `${material} capacity`,
              stroke: colour,
              width: 2,
              dash: [8, 4],
              paths: stepped,
              points: { show: false },
            },
          ];
        }),
      ],
    };
    const data: uPlot.AlignedData = [
      years,
      ...project.materials.flatMap((material) => [
        rows.map((row) => plottedTonnes(entry(row, material)?.committed)),
        rows.map((row) => plottedTonnes(entry(row, material)?.annualCapacity)),
      ]),
    ];
    return { options, data, entry };
  }, [loaded, project]);
  return (
    <section aria-labelledby="book-over-years">
      <h2 id="book-over-years">Offtake book against capacity over the years</h2>
      <Show loaded={loaded} what="the years">
        {(rows) =>
          chart && (
            <>
              <Chart
                title={`Committed offtake volume and declared capacity on 1 January, ${years[0]} to ${years.at(-1)}`}
                description={project.materials
                  .map((material) => {
                    const peak = rows.reduce((top, row) => {
                      const committed = chart.entry(row, material)?.committed;
                      return committed && Number(committed) > Number(top) ? committed : top;
                    }, '0');
                    return `${material}: peak commitment ${formatMass(peak)}`;
                  })
                  .join('; ')}
                options={chart.options}
                data={chart.data}
              />
              <ScrollingTable
                caption="Stage, capacity and commitments on 1 January of each year"
                columns={[
                  'Year',
                  'Stage',
                  'Material',
                  { label: 'Capacity', number: true },
                  { label: 'Committed', number: true },
                  { label: 'Remaining', number: true },
                ]}
              >
                {rows.flatMap((row) =>
                  row.stage === null
                    ? [
                        <tr key={row.year}>
                          <th scope="row">{row.year}</th>
                          <td colSpan={5}>not registered</td>
                        </tr>,
                      ]
                    : project.materials.map((material) => {
                        const book = chart.entry(row, material);
                        return (
                          <tr key={`${row.year}/${material}`}>
                            <th scope="row">{row.year}</th>
                            <td>{row.stage}</td>
                            <td>{material}</td>
                            <td class="number">{formatMass(book?.annualCapacity)}</td>
                            <td class="number">{formatMass(book?.committed)}</td>
                            <td class="number">{formatMass(book?.remaining)}</td>
                          </tr>
                        );
                      }),
                )}
              </ScrollingTable>
            </>
          )
        }
      </Show>
    </section>
  );
}

function ProjectTables({ route, project }: { route: Route; project: ProjectView }) {
  const times = timesOf(route.params);
  const path = `/projects/${encodeURIComponent(project.projectId)}`;
  return (
    <>
      <dl class="figures">
        <div>
          <dt>Stage</dt>
          <dd>{project.stage}</dd>
        </div>
        <div>
          <dt>Operator</dt>
          <dd>{project.operator}</dd>
        </div>
        <div>
          <dt>Country</dt>
          <dd>{countryName(project.country)}</dd>
        </div>
        {project.capacity.map((capacity) => (
          <div key={capacity.material}>
            <dt>Capacity, {capacity.material}</dt>
            <dd>{formatMass(capacity.annualCapacity)} a year</dd>
          </div>
        ))}
      </dl>
      <ScrollingTable
        caption={
          <>
            Offtake book, {cutLabel(route)}{' '}
            <CsvLink
              path={`${path}/offtake-book`}
              query={times}
              fileName={`offtake-book-${project.projectId}.csv`}
              label="CSV"
            />
          </>
        }
        columns={[
          'Material',
          { label: 'Capacity a year', number: true },
          { label: 'Committed', number: true },
          { label: 'Remaining', number: true },
          { label: 'Peak commitment', number: true },
          { label: 'Headroom at peak', number: true },
        ]}
      >
        {project.offtakeBook.map((book) => (
          <tr key={book.material}>
            <th scope="row">{book.material}</th>
            <td class="number">{formatMass(book.annualCapacity)}</td>
            <td class="number">{formatMass(book.committed)}</td>
            <td class="number">{formatMass(book.remaining)}</td>
            <td class="number">{formatMass(book.peakCommitment)}</td>
            <td class="number">{formatMass(book.headroom)}</td>
          </tr>
        ))}
      </ScrollingTable>
      <ScrollingTable
        caption={
          <>
            Offtakes{' '}
            <CsvLink path={path} query={times} fileName={`offtakes-${project.projectId}.csv`} label="CSV" />
          </>
        }
        columns={[
          'Buyer',
          'Material',
          { label: 'Volume a year', number: true },
          'Term',
          'Terminated',
          { label: 'Delivered', number: true },
          'In force',
        ]}
      >
        {project.offtakes.map((offtake) => (
          <tr key={offtake.offtakeId}>
            <th scope="row">
              {offtake.buyer} ({offtake.buyerCountry})
            </th>
            <td>{offtake.material}</td>
            <td class="number">{formatMass(offtake.annualVolume)}</td>
            <td>
              {formatDay(offtake.startsOn)} to {formatDay(offtake.endsOn)}
            </td>
            <td>{offtake.terminatedOn ? formatDay(offtake.terminatedOn) : NONE}</td>
            <td class="number">{formatMass(offtake.delivered)}</td>
            <td>{offtake.inForce ? 'yes' : 'no'}</td>
          </tr>
        ))}
      </ScrollingTable>
      <ScrollingTable
        caption="Financings"
        columns={['Financier', 'Country', 'Instrument', { label: 'Amount', number: true }]}
      >
        {project.financings.map((financing) => (
          <tr key={financing.financingId}>
            <th scope="row">{financing.financier}</th>
            <td>{countryName(financing.financierCountry)}</td>
            <td>{financing.instrument}</td>
            <td class="number">
              <data value={financing.amount.amount}>{formatMoney(financing.amount)}</data>
            </td>
          </tr>
        ))}
      </ScrollingTable>
    </>
  );
}

export function ProjectDetail({ route, projectId }: { route: Route; projectId: string }) {
  return (
    <DetailPage<ProjectView>
      route={route}
      collection="projects"
      collectionTitle="Projects"
      id={projectId}
      what="the project"
    >
      {(project) => (
        <>
          <p class="lede">{cutLabel(route)}.</p>
          <ProjectTables route={route} project={project} />
          <BookOverYears route={route} project={project} />
        </>
      )}
    </DetailPage>
  );
}
