import { useState } from 'preact/hooks';
import { getJson } from '../api';
import { CsvLink } from '../components/csv-link';
import { CountryField, countryParam, FilterForm, MaterialField } from '../components/filters';
import { Show } from '../components/status';
import { ScrollingTable } from '../components/table';
import { dayOf, epochSeconds, today, yearOf } from '../dates';
import { countryName, formatDay } from '../format';
import { useLoad } from '../load';
import { type Params, type Route, timesOf } from '../router';
import { cutLabel, useTitle } from '../title';
import { MATERIALS, type Restriction, type RestrictionPeriod } from '../types';

const DEFAULT_IMPORTER = 'JP';

/** One measure's period, with every material it covered over exactly that period. */
interface TimelineRow extends RestrictionPeriod {
  materials: string[];
}

function rowsOf(periodsByMaterial: { material: string; periods: RestrictionPeriod[] }[]): TimelineRow[] {
  const rows = new Map<string, TimelineRow>();
  for (const { material, periods } of periodsByMaterial) {
    for (const period of periods) {
      const key = `${period.restrictionId}|${period.from}|${period.to ?? ''}`;
      const row = rows.get(key) ?? { ...period, materials: [] };
      row.materials.push(material);
      rows.set(key, row);
    }
  }
  return [...rows.values()].sort(
    (a, b) => a.from.localeCompare(b.from) || a.restrictionId.localeCompare(b.restrictionId),
  );
}

function RestrictionFilters({
  route,
  importer,
  material,
}: {
  route: Route;
  importer: string;
  material: string;
}) {
  const [importerField, setImporter] = useState(importer);
  const [materialField, setMaterial] = useState(material);
  return (
    <FilterForm
      route={route}
      label="Importer and material"
      submitLabel="Show"
      params={() => ({ importer: countryParam(importerField), material: materialField || undefined })}
    >
      <CountryField
        id="importer"
        label="Importing country"
        value={importerField}
        required
        onInput={setImporter}
      />
      <MaterialField id="material" value={materialField} anyLabel="every material" onChange={setMaterial} />
    </FilterForm>
  );
}

/** Periods as bars on a shared axis of years, with the as-of date marked. The table beside says it in words. */
function Timeline({ rows, asOfDay }: { rows: TimelineRow[]; asOfDay: string }) {
  const lastDay = [asOfDay, today(), ...rows.map((row) => row.to ?? row.from)].sort().at(-1)!;
  const firstYear = Math.min(...rows.map((row) => yearOf(row.from)), yearOf(asOfDay)) - 1;
  const lastYear = yearOf(lastDay) + 2;
  const start = epochSeconds(`${firstYear}-01-01`);
  const span = epochSeconds(`${lastYear}-01-01`) - start;
  const at = (day: string) => `${(100 * (epochSeconds(day) - start)) / span}%`;
  const years = Array.from({ length: lastYear - firstYear }, (_, index) => firstYear + index);
  return (
    <div class="timeline" aria-hidden="true">
      <div class="timeline-axis">
        {years.map((year) => (
          <span key={year} class="tick" style={{ left: at(`${year}-01-01`) }}>
            {year}
          </span>
        ))}
      </div>
      {rows.map((row) => (
        <div class="timeline-row" key={`${row.restrictionId}|${row.from}`}>
          <span class="timeline-label">
            {row.restrictionId} · {row.measure}
          </span>
          <div class="track">
            <span
              class={`bar ${row.measure}${row.to ? '' : ' open'}`}
              style={{
                left: at(row.from),
                width: `calc(${at(row.to ?? `${lastYear}-01-01`)} - ${at(row.from)})`,
              }}
            />
            <span class="as-of" style={{ left: at(asOfDay) }} />
          </div>
        </div>
      ))}
    </div>
  );
}

export function RestrictionsPage({ route }: { route: Route }) {
  useTitle('Export restrictions');
  const times = timesOf(route.params);
  const importer = route.params.get('importer') ?? DEFAULT_IMPORTER;
  const material = route.params.get('material') ?? '';
  const asOfDay = dayOf(times.asOf);
  const materials = material ? [material] : Object.keys(MATERIALS);
  const loaded = useLoad(JSON.stringify({ times, importer, material }), async (signal) => {
    const active: Params = { ...times, activeOn: asOfDay, importer, material: material || undefined };
    const [periods, inForce] = await Promise.all([
      Promise.all(
        materials.map(async (code) => ({
          material: code,
          periods: (
            await getJson<{ periods: RestrictionPeriod[] }>(
              '/export-restrictions/timeline',
              { ...times, importer, material: code },
              signal,
            )
          ).periods,
        })),
      ),
      getJson<{ rows: Restriction[] }>('/export-restrictions', active, signal),
    ]);
    return { rows: rowsOf(periods), active: inForce.rows };
  });
  return (
    <section aria-labelledby="page-heading">
      <h1 id="page-heading" tabIndex={-1}>
        Export restrictions: timeline for {countryName(importer)}
      </h1>
      <p class="lede">
        The periods during which each measure applied to imports of {material || 'each material'} by{' '}
        {countryName(importer)}, {cutLabel(route)}.
      </p>
      <RestrictionFilters route={route} importer={importer} material={material} />
      <Show loaded={loaded} what="restrictions">
        {({ rows, active }) => (
          <>
            {rows.length === 0 ? (
              <p>No measure applied to these imports, as far as the ledger knew.</p>
            ) : (
              <>
                <Timeline rows={rows} asOfDay={asOfDay} />
                <ScrollingTable
                  caption="Periods [from, to) during which each measure applied"
                  columns={['Measure', 'Imposed by', 'Kind', 'Materials', 'From', 'To', 'Legal reference']}
                >
                  {rows.map((row) => (
                    <tr key={`${row.restrictionId}|${row.from}`}>
                      <th scope="row">{row.restrictionId}</th>
                      <td>{countryName(row.imposedBy)}</td>
                      <td>{row.measure}</td>
                      <td>{row.materials.join(', ')}</td>
                      <td class="nowrap">{formatDay(row.from)}</td>
                      <td class="nowrap">{row.to ? formatDay(row.to) : 'in force'}</td>
                      <td>{row.legalReference}</td>
                    </tr>
                  ))}
                </ScrollingTable>
              </>
            )}
            <h2>Active on {asOfDay}</h2>
            <p>
              {active.length === 0
                ? 'No measure was active that day.'
                : `${active.length} ${active.length === 1 ? 'measure' : 'measures'} active that day.`}{' '}
              <CsvLink
                path="/export-restrictions"
                query={{ ...times, activeOn: asOfDay, importer, material: material || undefined }}
                fileName={`restrictions-${importer}-${asOfDay}.csv`}
                label="CSV"
              />
            </p>
            {active.length > 0 && (
              <ul class="active-measures">
                {active.map((measure) => (
                  <li key={measure.restrictionId}>
                    <strong>{measure.restrictionId}</strong>: {measure.measure} by{' '}
                    {countryName(measure.imposedBy)} on {measure.materials.join(', ')} to{' '}
                    {measure.appliesTo.map(countryName).join(', ')}, announced{' '}
                    {formatDay(measure.announcedOn)}, effective {formatDay(measure.effectiveFrom)} (
                    {measure.legalReference})
                  </li>
                ))}
              </ul>
            )}
          </>
        )}
      </Show>
    </section>
  );
}
