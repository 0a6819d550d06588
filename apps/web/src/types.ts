/** The API's answers, as API.md describes them; quantities are canonical kilograms as decimal strings. */

export interface Page<T> {
  items: T[];
  nextCursor: string | null;
}

export interface Source {
  country: string;
  quantity: string;
  share: string;
  restricted: boolean;
}

export interface Exposure {
  country: string;
  material: string;
  asOf: string;
  consumption: string | null;
  consumptionYear: number | null;
  sourcesYear: number | null;
  sources: Source[];
  hhi: string | null;
  cr3: string | null;
  restrictedShare: string | null;
  stockpileHolding: string;
  daysOfCover: string | null;
  offtakeCoverage: string | null;
}

export interface CountryExposure {
  country: string;
  asOf: string;
  materials: Exposure[];
}

export interface Statistic {
  material: string;
  year: number;
  annualQuantity: string;
  country?: string;
  importer?: string;
  exporter?: string;
}

export interface Participant {
  country: string;
  sharePercent: string;
}

export interface StockpileListItem {
  stockpileId: string;
  name: string;
  custodian: string;
  participants: Participant[];
  onHand: { material: string; onHand: string }[];
}

export interface Balance {
  material: string;
  location: string;
  onHand: string;
  acquired: string;
  released: string;
  transferredIn: string;
  transferredOut: string;
}

export interface StockpileView {
  stockpileId: string;
  name: string;
  custodian: string;
  participants: Participant[];
  balances: Balance[];
}

export interface InventoryRow extends Balance {
  stockpileId: string;
}

export interface Inventory {
  asOf: string;
  rows: InventoryRow[];
  nextCursor: string | null;
}

export interface ProjectSummary {
  projectId: string;
  name: string;
  operator: string;
  country: string;
  stage: string;
  materials: string[];
}

export interface Money {
  amount: string;
  currency: string;
}

export interface Financing {
  financingId: string;
  financier: string;
  financierCountry: string;
  instrument: string;
  amount: Money;
}

export interface Offtake {
  offtakeId: string;
  buyer: string;
  buyerCountry: string;
  material: string;
  annualVolume: string;
  startsOn: string;
  endsOn: string;
  terminatedOn: string | null;
  delivered: string;
  inForce: boolean;
}

export interface BookEntry {
  material: string;
  annualCapacity: string | null;
  committed: string;
  remaining: string | null;
  peakCommitment: string;
  headroom: string | null;
}

export interface ProjectView extends ProjectSummary {
  capacity: { material: string; annualCapacity: string }[];
  financings: Financing[];
  offtakes: Offtake[];
  offtakeBook: BookEntry[];
}

export interface OfftakeBook {
  projectId: string;
  asOf: string;
  materials: BookEntry[];
}

export interface RestrictionPeriod {
  restrictionId: string;
  imposedBy: string;
  measure: string;
  legalReference: string;
  from: string;
  to: string | null;
}

export interface Restriction {
  restrictionId: string;
  imposedBy: string;
  measure: string;
  materials: string[];
  appliesTo: string[];
  announcedOn: string;
  effectiveFrom: string;
  liftedFrom: string | null;
  legalReference: string;
}

export interface StoredEvent {
  eventId: string;
  type: string;
  streamId: string;
  revision: string;
  position: string;
  recordedAt: string;
  effectiveAt: string;
  data: Record<string, unknown>;
  metadata: { actor?: { name: string; roles: string[] }; hash?: string; prevHash?: string } & Record<
    string,
    unknown
  >;
}

export interface Digest {
  position: string;
  digest: string;
  events: number;
}

export interface Verification {
  verified: boolean;
  events: number;
  streams: number;
  sequence: string;
  lastPosition: string;
  densePositions: boolean;
  digest: string;
  digestVersion: number;
  failures: {
    streamId: string;
    revision: string;
    eventId: string;
    position: string;
    kind: string;
    message: string;
  }[];
  failureCount: number;
}

/** DOMAIN.md's material catalogue. */
export const MATERIALS: Record<string, string> = {
  'graphite-flake': 'graphite, natural flake concentrate',
  'graphite-spherical': 'graphite, spherical purified',
  'graphite-anode': 'graphite, coated active anode material',
  'graphite-synthetic': 'graphite, synthetic',
  gallium: 'gallium metal, unwrought',
  germanium: 'germanium metal, unwrought',
  'ndpr-oxide': 'rare earths, NdPr oxide',
  'dysprosium-oxide': 'rare earths, Dy oxide',
  'lithium-carbonate': 'lithium carbonate',
  'lithium-hydroxide': 'lithium hydroxide',
  'nickel-sulphate': 'nickel sulphate',
  'cobalt-sulphate': 'cobalt sulphate',
};

export const STAGES = [
  'exploration',
  'feasibility',
  'financing',
  'construction',
  'commissioning',
  'production',
  'suspended',
  'closed',
];
