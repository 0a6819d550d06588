import { useMemo, useState } from 'preact/hooks';
import uPlot from 'uplot';
import { getJson } from '../api';
import { Chart, type ChartOptions, SERIES_COLOURS, utc } from '../components/chart';
import { CsvLink } from '../components/csv-link';
import { SeriesFrom } from '../components/series-from';
import { DetailPage } from '../components/detail-page';
import { CountryField, countryParam, FilterForm, MaterialField } from '../components/filters';
import { ListPage } from '../components/list-page';
import { Show } from '../components/status';
import { type Column, ScrollingTable, Table } from '../components/table';
import { addMonths, dayIn, dayOf, epochSeconds, seriesDays } from '../dates';
import { countryName, formatMass, NONE, plottedTonnes } from '../format';
import { useLoad } from '../load';
import { hrefOf, type Route, timesOf } from '../router';
import { cutLabel } from '../title';
import { type Inventory, type Participant, type StockpileListItem, type StockpileView } from '../types';

const participantsText = (participants: Participant[]) =>
  participants.map((participant) => `${participant.country} ${participant.sharePercent}%`).join(', ');

function StockpileFilters({ route }: { route: Route }) {
  const [participant, setParticipant] = useState(route.params.get('participant') ?? '');
  const [material, setMaterial] = useState(route.params.get('material') ?? '');
  return (
    <FilterForm
      route={route}
      label="Filter stockpiles"
      submitLabel="Filter"
      params={() => ({ participant: countryParam(participant), material: material || undefined })}
    >
      <CountryField
        id="filter-participant"
        label="Participant country"
        value={participant}
        onInput={setParticipant}
      />
      <MaterialField id="filter-material" value={material} anyLabel="any" onChange={setMaterial} />
    </FilterForm>
  );
}

export function StockpileList({ route }: { route: Route }) {
  const times = timesOf(route.params);
  const query = {
    ...times,
    participant: route.params.get('participant') ?? undefined,
    material: route.params.get('material') ?? undefined,
  };
  return (
    <ListPage<StockpileListItem>
      title="Stockpiles"
      path="/stockpiles"
      query={query}
      lede={`Stockpiles with their participants and on-hand totals, ${cutLabel(route)}.`}
      csvFileName="stockpiles.csv"
      filters={<StockpileFilters route={route} />}
      what="stockpiles"
      none="No stockpile matches at this time."
    >
      {(stockpiles) => (
        <ScrollingTable
          caption={`Stockpiles, ${cutLabel(route)}`}
          columns={['Stockpile', 'Custodian', 'Participants', 'On hand']}
        >
          {stockpiles.map((stockpile) => (
            <tr key={stockpile.stockpileId}>
              <th scope="row">
                <a href={hrefOf(['stockpiles', stockpile.stockpileId], times)}>{stockpile.name}</a>
              </th>
              <td>{stockpile.custodian}</td>
              <td>{participantsText(stockpile.participants)}</td>
              <td>
                <ul class="plain">
                  {stockpile.onHand.map((row) => (
                    <li key={row.material}>
                      {row.material}: <data value={row.onHand}>{formatMass(row.onHand)}</data>
                    </li>
                  ))}
                </ul>
              </td>
            </tr>
          ))}
        </ScrollingTable>
      )}
    </ListPage>
  );
}

/** On hand per location of one material at each date, in tonnes. */
function MaterialChart(props: { material: string; days: string[]; inventories: Inventory[] }) {
  const { material, days, inventories } = props;
  const chart = useMemo(() => {
    const locations = [
      ...new Set(
        inventories.flatMap((inventory) =>
          inventory.rows.filter((row) => row.material === material).map((row) => row.location),
        ),
      ),
    ].sort();
    const onHand = (inventory: Inventory, location: string) =>
      inventory.rows.find((row) => row.material === material && row.location === location)?.onHand ?? '0';
    // Each point holds until the next date asked: a step, not a slope nobody measured.
    const held = uPlot.paths.stepped!({ align: 1 });
    const options: ChartOptions = {
      tzDate: utc,
      scales: { x: { time: true }, y: { range: (_plot, _min, max) => [0, Math.max(1, max ?? 1) * 1.1] } },
      axes: [{}, { label: 'on hand (t)', size: 70 }],
      series: [
        {
          label: 'Date',
          value: (_plot, seconds) =>
            seconds == null ? NONE : new Date(seconds * 1000).toISOString().slice(0, 10),
        },
        ...locations.map((location, index) => ({
          label: location,
          stroke: SERIES_COLOURS[index % SERIES_COLOURS.length]!,
          width: 2,
          paths: held,
          value: (_plot: uPlot, tonnes: number | null) =>
            tonnes == null ? NONE : `${tonnes.toLocaleString('en')} t`,
        })),
      ],
    };
    const data: uPlot.AlignedData = [
      days.map(epochSeconds),
      ...locations.map((location) =>
        inventories.map((inventory) => plottedTonnes(onHand(inventory, location))),
      ),
    ];
    return { options, data, locations, onHand };
  }, [material, days, inventories]);
  return (
    <div class="material-series">
      <Chart
        title={`${material}: on hand per location`}
        description={chart.locations
          .map(
            (location) =>
              `${location}: ${formatMass(chart.onHand(inventories.at(-1)!, location))} at ${days.at(-1)}`,
          )
          .join('; ')}
        options={chart.options}
        data={chart.data}
      />
      <details>
        <summary>Figures behind the {material} chart</summary>
        <Table
          caption={`On hand of ${material} per location and date`}
          columns={[
            'As of',
            ...chart.locations.map((location): Column => ({ label: location, number: true })),
          ]}
        >
          {inventories.map((inventory, index) => (
            <tr key={days[index]}>
              <th scope="row">{days[index]}</th>
              {chart.locations.map((location) => (
                <td class="number" key={location}>
                  {formatMass(chart.onHand(inventory, location))}
                </td>
              ))}
            </tr>
          ))}
        </Table>
      </details>
    </div>
  );
}

function InventoryOverTime({ route, stockpileId }: { route: Route; stockpileId: string }) {
  const times = timesOf(route.params);
  const to = dayOf(times.asOf);
  const from = dayIn(route.params.get('from')) ?? addMonths(to, -24);
  const days = seriesDays(from, to);
  const loaded = useLoad(JSON.stringify({ times, days, stockpileId }), (signal) =>
    Promise.all(
      days.map((day) =>
        getJson<Inventory>('/inventory', { ...times, asOf: day, stockpile: stockpileId }, signal),
      ),
    ),
  );
  return (
    <section aria-labelledby="over-time">
      <h2 id="over-time">On hand over time</h2>
      <SeriesFrom route={route} from={from} />
      <Show loaded={loaded} what="the series">
        {(inventories) => {
          const materials = [
            ...new Set(inventories.flatMap((inventory) => inventory.rows.map((row) => row.material))),
          ].sort();
          return materials.length === 0 ? (
            <p>Nothing was on hand in this period.</p>
          ) : (
            materials.map((material) => (
              <MaterialChart key={material} material={material} days={days} inventories={inventories} />
            ))
          );
        }}
      </Show>
    </section>
  );
}

export function StockpileDetail({ route, stockpileId }: { route: Route; stockpileId: string }) {
  const times = timesOf(route.params);
  return (
    <DetailPage<StockpileView>
      route={route}
      collection="stockpiles"
      collectionTitle="Stockpiles"
      id={stockpileId}
      what="the stockpile"
      after={<InventoryOverTime route={route} stockpileId={stockpileId} />}
    >
      {(stockpile) => (
        <>
          <p class="lede">
            Custodian {stockpile.custodian}; participants{' '}
            {stockpile.participants
              .map((participant) => `${countryName(participant.country)} ${participant.sharePercent}%`)
              .join(', ')}
            ; {cutLabel(route)}.{' '}
            <CsvLink
              path="/inventory"
              query={{ ...times, stockpile: stockpileId }}
              fileName={`inventory-${stockpileId}.csv`}
              label="Inventory as CSV"
            />
          </p>
          <ScrollingTable
            caption="Balances per material and location"
            columns={[
              'Material',
              'Location',
              { label: 'On hand', number: true },
              { label: 'Acquired', number: true },
              { label: 'Released', number: true },
              { label: 'Transferred in', number: true },
              { label: 'Transferred out', number: true },
            ]}
          >
            {stockpile.balances.map((balance) => (
              <tr key={`${balance.material}/${balance.location}`}>
                <th scope="row">{balance.material}</th>
                <td>{balance.location}</td>
                <td class="number">
                  <data value={balance.onHand} title={`${balance.onHand} kg`}>
                    {formatMass(balance.onHand)}
                  </data>
                </td>
                <td class="number">{formatMass(balance.acquired)}</td>
                <td class="number">{formatMass(balance.released)}</td>
                <td class="number">{formatMass(balance.transferredIn)}</td>
                <td class="number">{formatMass(balance.transferredOut)}</td>
              </tr>
            ))}
          </ScrollingTable>
        </>
      )}
    </DetailPage>
  );
}
