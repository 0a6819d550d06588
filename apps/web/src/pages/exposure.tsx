import { Fragment } from 'preact';
import { useMemo } from 'preact/hooks';
import uPlot from 'uplot';
import { allItems, getJson } from '../api';
import { Chart, type ChartOptions, COLOURS, utc } from '../components/chart';
import { CsvLink } from '../components/csv-link';
import { SeriesFrom } from '../components/series-from';
import { Show } from '../components/status';
import { ScrollingTable, Table } from '../components/table';
import { addMonths, dayIn, dayOf, epochSeconds, seriesDays } from '../dates';
import { countryName, formatDays, formatHhi, formatMass, formatShare, NONE, plotted } from '../format';
import { useLoad } from '../load';
import { hrefOf, type Route, timesOf } from '../router';
import { cutLabel, useTitle } from '../title';
import { type CountryExposure, type Exposure, MATERIALS, type Statistic } from '../types';

/** The importing countries with statistics in force for the cut: those exposure can be computed for. */
async function importingCountries(times: Record<string, string | undefined>, signal: AbortSignal) {
  const [consumption, flows] = await Promise.all([
    allItems<Statistic>('/supply/consumption', times, signal),
    allItems<Statistic>('/supply/trade-flows', times, signal),
  ]);
  const countries = new Set<string>();
  for (const row of consumption) if (row.country) countries.add(row.country);
  for (const row of flows) if (row.importer) countries.add(row.importer);
  return [...countries].sort();
}

export function ExposureList({ route }: { route: Route }) {
  useTitle('Exposure');
  const times = timesOf(route.params);
  const loaded = useLoad(JSON.stringify(times), async (signal) => {
    const countries = await importingCountries(times, signal);
    return Promise.all(
      countries.map((country) => getJson<CountryExposure>(`/exposure/${country}`, times, signal)),
    );
  });
  return (
    <section aria-labelledby="page-heading">
      <h1 id="page-heading" tabIndex={-1}>
        Exposure by country and material
      </h1>
      <p class="lede">
        Concentration of each importing country’s supply (HHI, 0 to 10,000), the share from suppliers under an
        export restriction, and the stockpile’s days of cover, {cutLabel(route)}.
      </p>
      <Show loaded={loaded} what="exposure">
        {(countries) =>
          countries.length === 0 ? (
            <p>
              No supply statistics are known for this time. <code>npm run seed</code> loads the demo data.
            </p>
          ) : (
            <>
              <ScrollingTable
                caption={`Exposure, ${cutLabel(route)}`}
                columns={[
                  'Country',
                  'Material',
                  { label: 'Consumption', number: true },
                  { label: 'HHI', number: true },
                  { label: 'Top 3 share', number: true },
                  { label: 'Restricted share', number: true },
                  { label: 'Stockpile holding', number: true },
                  { label: 'Days of cover', number: true },
                  { label: 'Offtake coverage', number: true },
                ]}
              >
                {countries.flatMap((country) =>
                  country.materials.map((row) => (
                    <tr key={`${row.country}/${row.material}`}>
                      <th scope="row" class="nowrap">
                        {countryName(row.country)}
                      </th>
                      <td class="nowrap">
                        <a href={hrefOf(['exposure', row.country, row.material], times)}>{row.material}</a>
                      </td>
                      <td class="number">{formatMass(row.consumption)}</td>
                      <td class="number">{formatHhi(row.hhi)}</td>
                      <td class="number">{formatShare(row.cr3)}</td>
                      <td class="number">{formatShare(row.restrictedShare)}</td>
                      <td class="number">{formatMass(row.stockpileHolding)}</td>
                      <td class="number">{formatDays(row.daysOfCover)}</td>
                      <td class="number">{formatShare(row.offtakeCoverage)}</td>
                    </tr>
                  )),
                )}
              </ScrollingTable>
              <p class="downloads">
                Exact figures as CSV:{' '}
                {countries.map((country, index) => (
                  <Fragment key={country.country}>
                    {index > 0 && ', '}
                    <CsvLink
                      path={`/exposure/${country.country}`}
                      query={times}
                      fileName={`exposure-${country.country}.csv`}
                      label={countryName(country.country)}
                    />
                  </Fragment>
                ))}
              </p>
            </>
          )
        }
      </Show>
    </section>
  );
}

function Figures({ exposure }: { exposure: Exposure }) {
  return (
    <dl class="figures">
      <div>
        <dt>HHI</dt>
        <dd>{formatHhi(exposure.hhi)}</dd>
      </div>
      <div>
        <dt>Restricted share</dt>
        <dd>{formatShare(exposure.restrictedShare)}</dd>
      </div>
      <div>
        <dt>Top 3 share</dt>
        <dd>{formatShare(exposure.cr3)}</dd>
      </div>
      <div>
        <dt>Consumption{exposure.consumptionYear ? ` (${exposure.consumptionYear})` : ''}</dt>
        <dd>{formatMass(exposure.consumption)}</dd>
      </div>
      <div>
        <dt>Stockpile holding</dt>
        <dd>{formatMass(exposure.stockpileHolding)}</dd>
      </div>
      <div>
        <dt>Days of cover</dt>
        <dd>{formatDays(exposure.daysOfCover)}</dd>
      </div>
      <div>
        <dt>Offtake coverage</dt>
        <dd>{formatShare(exposure.offtakeCoverage)}</dd>
      </div>
    </dl>
  );
}

/** Shares of imports per supplier as bars, restricted suppliers in their own colour and legend entry. */
function SourcesChart({ exposure }: { exposure: Exposure }) {
  const { options, data } = useMemo(() => {
    const sources = exposure.sources;
    const indexes = sources.map((_, index) => index);
    const percent = (restricted: boolean) =>
      sources.map((source) => (source.restricted === restricted ? Number(source.share) * 100 : null)) as (
        number | null
      )[];
    const bars = uPlot.paths.bars!({ size: [0.6, 72] });
    const options: ChartOptions = {
      scales: {
        x: { time: false, range: [-0.5, Math.max(sources.length, 1) - 0.5] },
        y: { range: [0, 100] },
      },
      axes: [
        {
          splits: () => indexes,
          values: (_plot, splits) => splits.map((index) => sources[index]?.country ?? ''),
          grid: { show: false },
        },
        { label: 'share of imports (%)', values: (_plot, splits) => splits.map((value) => `${value}%`) },
      ],
      legend: { live: false },
      cursor: { show: false },
      series: [
        { label: 'Supplier' },
        {
          label: 'Restricted on this date',
          fill: COLOURS.red,
          stroke: COLOURS.red,
          paths: bars,
          points: { show: false },
        },
        {
          label: 'Not restricted',
          fill: COLOURS.blue,
          stroke: COLOURS.blue,
          paths: bars,
          points: { show: false },
        },
      ],
    };
    return { options, data: [indexes, percent(true), percent(false)] as uPlot.AlignedData };
  }, [exposure]);
  const description = exposure.sources
    .map(
      (source) => `${source.country} ${formatShare(source.share)}${source.restricted ? ' restricted' : ''}`,
    )
    .join(', ');
  return (
    <Chart
      title={`Supply sources ${exposure.sourcesYear ? `(${exposure.sourcesYear})` : ''}: restricted share ${formatShare(exposure.restrictedShare)}`}
      description={description}
      options={options}
      data={data}
    />
  );
}

function SourcesTable({ exposure }: { exposure: Exposure }) {
  return (
    <Table
      caption={`Supply sources${exposure.sourcesYear ? `, trade flows of ${exposure.sourcesYear}` : ''}`}
      columns={[
        'Exporter',
        { label: 'Quantity', number: true },
        { label: 'Share', number: true },
        'Restricted',
      ]}
    >
      {exposure.sources.map((source) => (
        <tr key={source.country}>
          <th scope="row">{countryName(source.country)}</th>
          <td class="number">{formatMass(source.quantity)}</td>
          <td class="number">{formatShare(source.share)}</td>
          <td>{source.restricted ? <strong class="restricted">restricted</strong> : 'no'}</td>
        </tr>
      ))}
    </Table>
  );
}

/** HHI and days of cover at each date, from one exposure report per date (same knownAt). */
function ExposureOverTime(props: { route: Route; country: string; material: string }) {
  const { route, country, material } = props;
  const times = timesOf(route.params);
  const to = dayOf(times.asOf);
  const from = dayIn(route.params.get('from')) ?? addMonths(to, -36);
  const days = seriesDays(from, to);
  const loaded = useLoad(JSON.stringify({ times, days, country, material }), (signal) =>
    Promise.all(
      days.map((day) =>
        getJson<Exposure>(`/exposure/${country}/${material}`, { ...times, asOf: day }, signal),
      ),
    ),
  );
  const chart = useMemo(() => {
    if (loaded.state !== 'loaded') return undefined;
    // Each point holds until the next date asked: a step, not a slope nobody measured.
    const held = uPlot.paths.stepped!({ align: 1 });
    const options: ChartOptions = {
      tzDate: utc,
      scales: {
        x: { time: true },
        hhi: { range: [0, 10000] },
        days: { range: (_plot, _min, max) => [0, Math.max(1, max ?? 1) * 1.1] },
      },
      axes: [
        {},
        { scale: 'hhi', label: 'HHI', size: 60 },
        { scale: 'days', side: 1, label: 'days of cover', grid: { show: false } },
      ],
      series: [
        {
          label: 'Date',
          value: (_plot, seconds) =>
            seconds == null ? NONE : new Date(seconds * 1000).toISOString().slice(0, 10),
        },
        { label: 'HHI', scale: 'hhi', stroke: COLOURS.blue, width: 2, paths: held },
        {
          label: 'Days of cover',
          scale: 'days',
          stroke: COLOURS.orange,
          width: 2,
          dash: [8, 4],
          paths: held,
        },
      ],
    };
    const data: uPlot.AlignedData = [
      days.map(epochSeconds),
      loaded.data.map((row) => plotted(row.hhi)),
      loaded.data.map((row) => plotted(row.daysOfCover)),
    ];
    return { options, data };
  }, [loaded]);
  return (
    <section aria-labelledby="over-time">
      <h2 id="over-time">HHI and days of cover over time</h2>
      <SeriesFrom route={route} from={from} />
      <Show loaded={loaded} what="the series">
        {(rows) =>
          chart && (
            <>
              <Chart
                title={`HHI and days of cover from ${days[0]} to ${to}`}
                description={`${days.length} dates; HHI at ${to}: ${formatHhi(rows.at(-1)?.hhi)}, days of cover ${formatDays(rows.at(-1)?.daysOfCover)}`}
                options={chart.options}
                data={chart.data}
              />
              <details>
                <summary>Figures behind the chart</summary>
                <Table
                  caption="Figures behind the chart, per date"
                  columns={[
                    'As of',
                    { label: 'HHI', number: true },
                    { label: 'Restricted share', number: true },
                    { label: 'Days of cover', number: true },
                  ]}
                >
                  {rows.map((row, index) => (
                    <tr key={days[index]}>
                      <th scope="row">{days[index]}</th>
                      <td class="number">{formatHhi(row.hhi)}</td>
                      <td class="number">{formatShare(row.restrictedShare)}</td>
                      <td class="number">{formatDays(row.daysOfCover)}</td>
                    </tr>
                  ))}
                </Table>
              </details>
            </>
          )
        }
      </Show>
    </section>
  );
}

export function ExposureDetail(props: { route: Route; country: string; material: string }) {
  const { route, country, material } = props;
  const heading = `${countryName(country)}: exposure to ${material}`;
  useTitle(heading);
  const times = timesOf(route.params);
  const path = `/exposure/${encodeURIComponent(country)}/${encodeURIComponent(material)}`;
  const loaded = useLoad(`${path}?${JSON.stringify(times)}`, (signal) =>
    getJson<Exposure>(path, times, signal),
  );
  return (
    <section aria-labelledby="page-heading">
      <p class="breadcrumb">
        <a href={hrefOf(['exposure'], times)}>Exposure</a> › {countryName(country)}
      </p>
      <h1 id="page-heading" tabIndex={-1}>
        {heading}
      </h1>
      <p class="lede">
        {MATERIALS[material] ?? material}, {cutLabel(route)}.{' '}
        <CsvLink path={path} query={times} fileName={`exposure-${country}-${material}.csv`} label="CSV" />
      </p>
      <Show loaded={loaded} what="the exposure">
        {(exposure) => (
          <>
            <Figures exposure={exposure} />
            {exposure.sources.length === 0 ? (
              <p>No trade flows are known for this country and material at this time.</p>
            ) : (
              <div class="side-by-side">
                <SourcesChart exposure={exposure} />
                <SourcesTable exposure={exposure} />
              </div>
            )}
          </>
        )}
      </Show>
      <ExposureOverTime route={route} country={country} material={material} />
    </section>
  );
}
