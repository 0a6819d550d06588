import { type JsonResponse, KEYS, LedgerHarness } from '../support/ledger-harness';

/*
 * Malformed input across every command endpoint of API.md and the main queries, generated from tables:
 * each case must be refused with a 4xx problem+json carrying a `code` (and, for a field problem, `errors`
 * naming the field), never accepted and never a 5xx; and the log must not move.
 */

type Kind =
  | 'text'
  | 'reason'
  | 'id'
  | 'country'
  | 'countries'
  | 'material'
  | 'materials'
  | 'enum'
  | 'day'
  | 'instant'
  | 'quantity'
  | 'money'
  | 'year'
  | 'participants';

interface Endpoint {
  command: string;
  path: string;
  /** a body the endpoint accepts: every case changes one thing in it */
  body: Record<string, unknown>;
  fields: Record<string, { kind: Kind; optional?: true }>;
}

const PROJECT = 'mal-project';
const OFFTAKE = 'mal-offtake';
const STOCKPILE = 'mal-stockpile';
const RESTRICTION = 'mal-restriction';

const tonnes = (amount: string) => ({ amount, unit: 't' });
const EFFECTIVE_AT = { effectiveAt: { kind: 'instant', optional: true } } as const;

/** The 15 commands of API.md, each with a valid body and the kind of each of its fields. */
const ENDPOINTS: Endpoint[] = [
  {
    command: 'RegisterProject',
    path: '/projects',
    body: {
      name: 'Bécancour battery material plant',
      operator: 'Nouveau Monde Graphite',
      country: 'CA',
      materials: ['graphite-anode'],
      stage: 'construction',
      effectiveAt: '2022-08-01',
    },
    fields: {
      id: { kind: 'id', optional: true },
      name: { kind: 'text' },
      operator: { kind: 'text' },
      country: { kind: 'country' },
      materials: { kind: 'materials' },
      stage: { kind: 'enum' },
      ...EFFECTIVE_AT,
    },
  },
  {
    command: 'DeclareCapacity',
    path: `/projects/${PROJECT}/capacity`,
    body: { material: 'graphite-anode', annualCapacity: tonnes('42616'), effectiveAt: '2022-08-01' },
    fields: { material: { kind: 'material' }, annualCapacity: { kind: 'quantity' }, ...EFFECTIVE_AT },
  },
  {
    command: 'AdvanceStage',
    path: `/projects/${PROJECT}/stage`,
    body: { stage: 'commissioning', effectiveAt: '2026-06-01' },
    fields: { stage: { kind: 'enum' }, ...EFFECTIVE_AT },
  },
  {
    command: 'FinanceProject',
    path: `/projects/${PROJECT}/financings`,
    body: {
      financier: 'Export Development Canada',
      financierCountry: 'CA',
      instrument: 'debt',
      amount: { amount: '290000000.00', currency: 'USD' },
      effectiveAt: '2025-01-15',
    },
    fields: {
      financingId: { kind: 'id', optional: true },
      financier: { kind: 'text' },
      financierCountry: { kind: 'country' },
      instrument: { kind: 'enum' },
      amount: { kind: 'money' },
      ...EFFECTIVE_AT,
    },
  },
  {
    command: 'SignOfftake',
    path: `/projects/${PROJECT}/offtakes`,
    body: {
      buyer: 'Panasonic Energy',
      buyerCountry: 'JP',
      material: 'graphite-anode',
      annualVolume: tonnes('1000'),
      startsOn: '2023-01-01',
      endsOn: '2030-01-01',
      effectiveAt: '2024-02-15',
    },
    fields: {
      offtakeId: { kind: 'id', optional: true },
      buyer: { kind: 'text' },
      buyerCountry: { kind: 'country' },
      material: { kind: 'material' },
      annualVolume: { kind: 'quantity' },
      startsOn: { kind: 'day' },
      endsOn: { kind: 'day' },
      ...EFFECTIVE_AT,
    },
  },
  {
    command: 'RecordDelivery',
    path: `/projects/${PROJECT}/offtakes/${OFFTAKE}/deliveries`,
    body: { quantity: tonnes('1500'), deliveredOn: '2024-02-15', effectiveAt: '2024-02-15' },
    fields: { quantity: { kind: 'quantity' }, deliveredOn: { kind: 'day' }, ...EFFECTIVE_AT },
  },
  {
    command: 'TerminateOfftake',
    path: `/projects/${PROJECT}/offtakes/${OFFTAKE}/termination`,
    body: { reason: 'buyer invoked force majeure', effectiveOn: '2026-01-01', effectiveAt: '2025-10-01' },
    fields: { reason: { kind: 'reason' }, effectiveOn: { kind: 'day' }, ...EFFECTIVE_AT },
  },
  {
    command: 'RestrictExports',
    path: '/export-restrictions',
    body: {
      imposedBy: 'CN',
      materials: ['graphite-flake'],
      measure: 'licensing',
      appliesTo: ['*'],
      announcedOn: '2023-10-20',
      effectiveFrom: '2023-12-01',
      legalReference: 'MOFCOM/GAC Announcement No. 39 [2023]',
    },
    fields: {
      id: { kind: 'id', optional: true },
      imposedBy: { kind: 'country' },
      materials: { kind: 'materials' },
      measure: { kind: 'enum' },
      appliesTo: { kind: 'countries' },
      announcedOn: { kind: 'day' },
      effectiveFrom: { kind: 'day' },
      legalReference: { kind: 'text' },
      ...EFFECTIVE_AT,
    },
  },
  {
    command: 'LiftRestriction',
    path: `/export-restrictions/${RESTRICTION}/lift`,
    body: { effectiveFrom: '2026-06-01', effectiveAt: '2026-05-20' },
    fields: { effectiveFrom: { kind: 'day' }, ...EFFECTIVE_AT },
  },
  {
    command: 'EstablishStockpile',
    path: '/stockpiles',
    body: {
      name: 'Canada–Japan graphite reserve',
      custodian: 'JOGMEC',
      participants: [
        { country: 'JP', sharePercent: '60' },
        { country: 'CA', sharePercent: '40' },
      ],
      effectiveAt: '2026-01-15',
    },
    fields: {
      id: { kind: 'id', optional: true },
      name: { kind: 'text' },
      custodian: { kind: 'text' },
      participants: { kind: 'participants' },
      ...EFFECTIVE_AT,
    },
  },
  {
    command: 'AcquireStock',
    path: `/stockpiles/${STOCKPILE}/acquisitions`,
    body: {
      material: 'graphite-anode',
      quantity: tonnes('1200'),
      location: 'Yokohama',
      originCountry: 'CA',
      cost: { amount: '5400000.00', currency: 'USD' },
      effectiveAt: '2026-02-01',
    },
    fields: {
      lotId: { kind: 'id', optional: true },
      material: { kind: 'material' },
      quantity: { kind: 'quantity' },
      location: { kind: 'text' },
      originCountry: { kind: 'country' },
      cost: { kind: 'money', optional: true },
      ...EFFECTIVE_AT,
    },
  },
  {
    command: 'ReleaseStock',
    path: `/stockpiles/${STOCKPILE}/releases`,
    body: {
      material: 'graphite-anode',
      quantity: tonnes('250.5'),
      location: 'Yokohama',
      recipient: 'Panasonic Energy',
      recipientCountry: 'JP',
      reason: 'supply disruption after export licensing',
      authorisationRef: 'METI-2026-041',
      effectiveAt: '2026-03-01',
    },
    fields: {
      releaseId: { kind: 'id', optional: true },
      material: { kind: 'material' },
      quantity: { kind: 'quantity' },
      location: { kind: 'text' },
      recipient: { kind: 'text' },
      recipientCountry: { kind: 'country' },
      reason: { kind: 'reason' },
      authorisationRef: { kind: 'text' },
      ...EFFECTIVE_AT,
    },
  },
  {
    command: 'TransferStock',
    path: `/stockpiles/${STOCKPILE}/transfers`,
    body: {
      material: 'graphite-anode',
      quantity: { amount: '200000', unit: 'kg' },
      fromLocation: 'Yokohama',
      toLocation: 'Kobe',
      effectiveAt: '2026-03-10',
    },
    fields: {
      transferId: { kind: 'id', optional: true },
      material: { kind: 'material' },
      quantity: { kind: 'quantity' },
      fromLocation: { kind: 'text' },
      toLocation: { kind: 'text' },
      ...EFFECTIVE_AT,
    },
  },
  {
    command: 'RecordTradeFlow',
    path: '/supply/trade-flows',
    body: {
      importer: 'JP',
      exporter: 'CN',
      material: 'graphite-flake',
      year: 2023,
      annualQuantity: tonnes('36000'),
      effectiveAt: '2024-03-01',
    },
    fields: {
      importer: { kind: 'country' },
      exporter: { kind: 'country' },
      material: { kind: 'material' },
      year: { kind: 'year' },
      annualQuantity: { kind: 'quantity' },
      ...EFFECTIVE_AT,
    },
  },
  {
    command: 'RecordConsumption',
    path: '/supply/consumption',
    body: {
      country: 'JP',
      material: 'graphite-flake',
      year: 2023,
      annualQuantity: tonnes('41200.5'),
      effectiveAt: '2024-03-01',
    },
    fields: {
      country: { kind: 'country' },
      material: { kind: 'material' },
      year: { kind: 'year' },
      annualQuantity: { kind: 'quantity' },
      ...EFFECTIVE_AT,
    },
  },
];

const NOT_A_STRING = [42, 0, true, null, { value: 'x' }, ['x']];
const NOT_AN_OBJECT = ['x', 42, true, null, ['x']];
const BAD_DATES = [
  '2026-02-30',
  'yesterday',
  '2026-13-01',
  '2026-00-10',
  '2026-1-5',
  '20260105',
  '26-01-05',
  '1899-12-31',
  '2101-01-01',
  '2026-01-05 ',
  '',
];
const BAD_INSTANTS = [
  ...BAD_DATES,
  '2026-02-30T10:00:00Z',
  '2026-01-05T24:00:00Z',
  '2026-01-05T10:61:00Z',
  '2026-01-05T10:00:00+25:00',
  '2026-01-05T10:00:00',
  '2026-01-05T10:00:00.0000000000Z',
  '1899-12-31T23:59:59Z',
  '9999-12-31T00:00:00Z',
  '2026-01-05'.repeat(5),
];
const BAD_AMOUNTS = [
  '1e3',
  '1E3',
  '-5',
  '-0',
  '0',
  '0.000',
  '',
  ' 5',
  '5 ',
  '1,000',
  '1_000',
  '+5',
  '.5',
  '5.',
  '0x10',
  'NaN',
  'Infinity',
  '１２',
  '9'.repeat(41),
];

/** What is wrong with a value, the value, and the status of a domain rule refusing it (else a 400). */
type Bad = [what: string, value: unknown, status?: number];

/**
 * Bad values for one field of a kind, each with what it is: a 400 naming the field, or (third element) the
 * status of the domain rule that refuses it.
 */
function badValues(kind: Kind): Bad[] {
  // null is a wrong type for every field, optional ones included: it is not the same as leaving one out.
  const wrongTypes = (values: unknown[]): Bad[] => values.map((value) => [`the JSON ${json(value)}`, value]);
  const strings = (values: string[]): Bad[] => values.map((value) => [json(value), value]);
  switch (kind) {
    case 'text':
      return [...wrongTypes(NOT_A_STRING), ...strings(['', 'x'.repeat(201)])];
    case 'reason':
      return [...wrongTypes(NOT_A_STRING), ...strings(['', 'x'.repeat(1001)])];
    case 'id':
      return [
        ...wrongTypes(NOT_A_STRING),
        ...strings(['', 'UPPER', '-lead', 'with space', '../etc', 'é', 'a'.repeat(65)]),
      ];
    case 'country':
      return [...wrongTypes(NOT_A_STRING), ...strings(['XX', 'jp', 'JPN', 'J', '', '*'])];
    case 'material':
      return [...wrongTypes(NOT_A_STRING), ...strings(['graphite', 'GALLIUM', '', 'x'.repeat(300)])];
    case 'enum':
      return [...wrongTypes(NOT_A_STRING), ...strings(['nope', '', 'Construction'])];
    case 'day':
      return [...wrongTypes(NOT_A_STRING), ...strings([...BAD_DATES, '2026-01-05T00:00:00Z'])];
    case 'instant':
      return [...wrongTypes(NOT_A_STRING), ...strings(BAD_INSTANTS)];
    case 'year':
      return [
        ['a string', '2023'],
        ['a fraction', 2023.5],
        ['1899', 1899],
        ['2101', 2101],
        ['a negative year', -2023],
        ['an exponent beyond any year', 1e21],
        ['null', null],
        ['true', true],
        ['an object', { year: 2023 }],
        ['an array', [2023]],
      ];
    case 'countries':
      return [
        ...wrongTypes(['JP', 42, true, null, { country: 'JP' }]),
        ['an empty list', []],
        ['an unknown code', ['XX']],
        ['a number in the list', [42]],
        ['a repeated code (duplicate-destination)', ['JP', 'JP'], 422],
        ['every destination beside a country', ['*', 'JP']],
        ['250 codes', Array.from({ length: 250 }, () => 'JP')],
      ];
    case 'materials':
      return [
        ...wrongTypes(['graphite-anode', 42, true, null, { material: 'gallium' }]),
        ['an empty list', []],
        ['an unknown material', ['graphite']],
        ['a number in the list', [42]],
        ['null in the list', [null]],
        ['a repeated material (duplicate-material)', ['graphite-anode', 'graphite-anode'], 422],
        ['too many materials', Array.from({ length: 100 }, () => 'gallium')],
      ];
    case 'quantity':
      return [
        ...wrongTypes(NOT_AN_OBJECT),
        ['an empty array', []],
        ['a list of quantities', [{ amount: '5', unit: 't' }]],
        ['an empty object', {}],
        ...BAD_AMOUNTS.map((amount): Bad => [`the amount ${json(amount)}`, { amount, unit: 't' }]),
        ['finer than a gram', { amount: '0.0001', unit: 'kg' }],
        ['a fraction of a gram', { amount: '0.5', unit: 'g' }],
        ['a JSON number amount', { amount: 1200, unit: 't' }],
        ['a null amount', { amount: null, unit: 't' }],
        ['no amount', { unit: 't' }],
        ['no unit', { amount: '5' }],
        ['an unknown unit', { amount: '5', unit: 'lb' }],
        ['a unit in capitals', { amount: '5', unit: 'T' }],
        ['a numeric unit', { amount: '5', unit: 1 }],
        ['an unknown member', { amount: '5', unit: 't', grade: 'battery' }],
      ];
    case 'money':
      return [
        ...wrongTypes(NOT_AN_OBJECT),
        ['an empty array', []],
        ['an empty object', {}],
        ['a negative amount', { amount: '-1.00', currency: 'USD' }],
        ['an exponent', { amount: '1e6', currency: 'USD' }],
        ['finer than cents', { amount: '1.001', currency: 'USD' }],
        ['a JSON number amount', { amount: 1000, currency: 'USD' }],
        ['a lower-case currency', { amount: '1.00', currency: 'usd' }],
        ['an unknown currency', { amount: '1.00', currency: 'ZZZ' }],
        ['no currency', { amount: '1.00' }],
        ['an unknown member', { amount: '1.00', currency: 'USD', rate: '1' }],
      ];
    case 'participants':
      return [
        ...wrongTypes(['JP', 42, true, null, { country: 'JP', sharePercent: '100' }]),
        ['an empty list', []],
        ['a string in the list', ['JP']],
        ['null in the list', [null]],
        ['a participant without a share', [{ country: 'JP' }]],
        ['a JSON number share', [{ country: 'JP', sharePercent: 100 }]],
        ['a share with an exponent', [{ country: 'JP', sharePercent: '1e2' }]],
        ['a negative share', [{ country: 'JP', sharePercent: '-100' }]],
        ['an unknown country', [{ country: 'XX', sharePercent: '100' }]],
        ['an unknown member', [{ country: 'JP', sharePercent: '100', role: 'lead' }]],
        ['51 participants', Array.from({ length: 51 }, () => ({ country: 'JP', sharePercent: '1' }))],
      ];
  }
}

const json = (value: unknown) => {
  const text = JSON.stringify(value) ?? String(value);
  return text.length > 40 ? `${text.slice(0, 37)}...` : text;
};

interface Case {
  what: string;
  method: string;
  path: string;
  body?: string;
  headers?: Record<string, string>;
  /** the field `errors` must name, when the problem is about one field */
  field?: string;
  /** a status other than 400 that the case must get */
  status?: number;
  /** the code the problem must have, when the case is about one */
  code?: string;
  /** a method the `Allow` header of a 405 must list */
  allow?: string;
}

/** `{"nested":` + depth `[` + depth `]` + `}`: repro 5 of issue 10 was depth 2000. */
const nested = (depth: number) => `{"nested":${'['.repeat(depth)}${']'.repeat(depth)}}`;

/** Every malformed variant of one command's request. */
function commandCases(endpoint: Endpoint): Case[] {
  const post = (what: string, body: unknown, extra: Partial<Case> = {}): Case => ({
    what,
    method: 'POST',
    path: endpoint.path,
    body: JSON.stringify(body),
    ...extra,
  });
  const cases: Case[] = [];
  for (const [field, { kind, optional }] of Object.entries(endpoint.fields)) {
    for (const [what, value, status] of badValues(kind)) {
      cases.push(
        post(`${field}: ${what}`, { ...endpoint.body, [field]: value }, status ? { status } : { field }),
      );
    }
    if (!optional) {
      const { [field]: _missing, ...without } = endpoint.body;
      cases.push(post(`${field}: missing`, without, { field }));
    }
  }
  cases.push(
    post('an unknown field', { ...endpoint.body, colour: 'blue' }, { field: 'colour' }),
    post('an unknown field named __proto__', JSON.parse(`{"__proto__": {"admin": true}}`)),
    post('an empty object', {}),
    post('a top-level array', [endpoint.body]),
    post('a top-level string', 'body'),
    post('a top-level number', 42),
    post('a top-level null', null),
    post('a top-level true', true),
    post(
      'an oversized body (> 64 KiB)',
      { ...endpoint.body, padding: 'x'.repeat(70 * 1024) },
      { status: 413 },
    ),
    post('a bad Idempotency-Key', endpoint.body, {
      headers: { 'idempotency-key': 'x'.repeat(256) },
      field: 'Idempotency-Key',
    }),
    post('a bad If-Match', endpoint.body, { headers: { 'if-match': 'three' }, field: 'If-Match' }),
  );
  for (const text of [
    '{"name":',
    '{',
    "{'name': 'x'}",
    '{"a":1,}',
    'nul',
    '[1,]',
    '{"a":1}{"b":2}',
    '\u0000',
  ]) {
    cases.push({ what: `the invalid JSON ${json(text)}`, method: 'POST', path: endpoint.path, body: text });
  }
  for (const contentType of [
    'text/plain',
    'application/x-www-form-urlencoded',
    'multipart/form-data; boundary=x',
    'application/json; charset=utf-16le',
    '',
  ]) {
    cases.push(
      post(`Content-Type ${json(contentType)}`, endpoint.body, {
        headers: { 'content-type': contentType },
        status: 415,
        code: 'unsupported-media-type',
      }),
    );
  }
  for (const depth of [32, 2000]) {
    cases.push({
      what: `JSON nested ${depth + 1} levels deep`,
      method: 'POST',
      path: endpoint.path,
      body: nested(depth),
      code: 'nesting-too-deep',
    });
  }
  cases.push(
    post(
      'an empty object with a 10,000-character X-Correlation-Id',
      {},
      {
        headers: { 'x-correlation-id': 'c'.repeat(10_000) },
      },
    ),
  );
  // Not GET: API.md lists queries on some command paths (GET /export-restrictions, GET /projects).
  for (const method of ['PUT', 'PATCH', 'DELETE']) {
    cases.push({
      what: `the method ${method}`,
      method,
      path: endpoint.path,
      status: 405,
      code: 'method-not-allowed',
      allow: 'POST',
    });
  }
  cases.push({ what: 'no body at all', method: 'POST', path: endpoint.path });
  // Bad ids in the path: whatever cannot be an id names no entity.
  const ids = [PROJECT, OFFTAKE, STOCKPILE, RESTRICTION].filter((id) => endpoint.path.includes(`/${id}`));
  for (const id of ids) {
    for (const bad of ['UPPER', 'a'.repeat(65), '%20', 'x%00y', '..%2F..', '%E2%9C%93', 'no-such-entity']) {
      cases.push({
        what: `the path id ${json(bad)} for ${id}`,
        method: 'POST',
        path: endpoint.path.replace(`/${id}`, `/${bad}`),
        body: JSON.stringify(endpoint.body),
        status: 404,
      });
    }
  }
  return cases;
}

/** The main queries, each with bad path ids and query parameters. */
function queryCases(): Case[] {
  const get = (what: string, path: string, extra: Partial<Case> = {}): Case => ({
    what,
    method: 'GET',
    path,
    ...extra,
  });
  const reports = [
    `/projects/${PROJECT}`,
    `/stockpiles/${STOCKPILE}`,
    '/export-restrictions',
    '/inventory',
    '/exposure/JP/graphite-flake',
    '/exposure/JP',
  ];
  const cases: Case[] = [];
  for (const path of reports) {
    const param = ([name, value]: [string, string], field: string | undefined = name) =>
      get(`${path}?${name}=${json(value)}`, `${path}?${name}=${encodeURIComponent(value)}`, { field });
    for (const value of [...BAD_DATES.filter(Boolean), 'x'.repeat(41)]) cases.push(param(['asOf', value]));
    for (const value of [
      'yesterday',
      '2026-02-30T00:00:00Z',
      '2026-01-05',
      '-1',
      '1e3',
      '01',
      'x'.repeat(41),
    ]) {
      cases.push(param(['knownAt', value]));
    }
    for (const value of ['-1', '1e3', 'abc', '01', '1.5', '99999999999999999999', '']) {
      cases.push(param(['minPosition', value]));
    }
    cases.push(param(['format', 'xml']), param(['colour', 'blue']));
    cases.push(get(`${path} with asOf twice`, `${path}?asOf=2026-01-01&asOf=2026-02-01`, { field: 'asOf' }));
    cases.push(get(`${path} with asOf[x]`, `${path}?asOf[x]=1`));
  }
  const notFound = (path: string) => get(`${path}`, path, { status: 404 });
  for (const bad of ['UPPER', 'a'.repeat(65), '%20', 'x%00y', '%E2%9C%93', 'no-such-entity']) {
    cases.push(notFound(`/projects/${bad}`), notFound(`/stockpiles/${bad}`));
  }
  for (const [method, path] of [
    ['POST', `/projects/${PROJECT}`],
    ['PUT', `/stockpiles/${STOCKPILE}`],
    ['DELETE', '/inventory'],
    ['PATCH', '/exposure/JP/graphite-flake'],
    ['DELETE', '/audit/log'],
  ] as const) {
    cases.push({
      what: `the method ${method}`,
      method,
      path,
      status: 405,
      code: 'method-not-allowed',
      allow: 'GET',
    });
  }
  cases.push(
    get('exposure of an unknown country', '/exposure/XX/graphite-flake', { field: 'country' }),
    get('exposure of an alpha-3 country', '/exposure/JPN', { field: 'country' }),
    get('exposure of an unknown material', '/exposure/JP/graphite', { field: 'material' }),
    get('restrictions active on 2026-02-30', '/export-restrictions?activeOn=2026-02-30', {
      field: 'activeOn',
    }),
    get('restrictions active yesterday', '/export-restrictions?activeOn=yesterday', { field: 'activeOn' }),
    get('restrictions for an alpha-3 importer', '/export-restrictions?importer=JPN', { field: 'importer' }),
    get('restrictions of a long material', `/export-restrictions?material=${'x'.repeat(65)}`, {
      field: 'material',
    }),
    get('inventory of a long stockpile id', `/inventory?stockpile=${'x'.repeat(65)}`, { field: 'stockpile' }),
    get('inventory of a long location', `/inventory?location=${'x'.repeat(201)}`, { field: 'location' }),
    get('a stream from revision -1', `/streams/stockpile-${STOCKPILE}?fromRevision=-1`, {
      field: 'fromRevision',
    }),
    get('a stream from revision 1e3', `/streams/stockpile-${STOCKPILE}?fromRevision=1e3`, {
      field: 'fromRevision',
    }),
    get('a stream that does not exist', '/streams/no-such-stream', { status: 404 }),
    get('a stream with an overlong id', `/streams/${'s'.repeat(300)}`, { status: 404 }),
    get('the log from position -1', '/audit/log?fromPosition=-1', { field: 'fromPosition' }),
    get('the log with limit 0', '/audit/log?limit=0', { field: 'limit' }),
    get('the log with limit 10001', '/audit/log?limit=10001', { field: 'limit' }),
    get('the log with limit abc', '/audit/log?limit=abc', { field: 'limit' }),
    get('the log as csv', '/audit/log?format=csv', { field: 'format' }),
    get('the digest at position -1', '/audit/digest?position=-1', { field: 'position' }),
    get('the digest at position 1e3', '/audit/digest?position=1e3', { field: 'position' }),
  );
  return cases;
}

/** What is wrong with the answer to a malformed case, or undefined if it is a proper refusal. */
function fault(kase: Case, response: JsonResponse): string | undefined {
  const { status, body } = response;
  const contentType = response.headers.get('content-type') ?? '';
  const expected = kase.status ?? 400;
  const problems: string[] = [];
  if (status < 400 || status >= 500) problems.push(`status ${status}`);
  else if (status !== expected && !(kase.status === undefined && status === 413)) {
    problems.push(`status ${status}, not ${expected}`);
  }
  if (!/^application\/problem\+json/.test(contentType)) problems.push(`content-type ${contentType}`);
  if (typeof body?.code !== 'string') problems.push('no code');
  else if (kase.code !== undefined && body.code !== kase.code)
    problems.push(`code ${body.code}, not ${kase.code}`);
  // Every answer says which request it answers; a client's id is echoed only when it is 1–128 visible ASCII.
  if (!/^[\x21-\x7e]{1,128}$/.test(response.headers.get('x-correlation-id') ?? '')) {
    problems.push(`X-Correlation-Id ${json(response.headers.get('x-correlation-id'))}`);
  }
  if (typeof body?.instance === 'string' && /[?#]/.test(body.instance))
    problems.push('instance with a query');
  if (kase.allow !== undefined && !(response.headers.get('allow') ?? '').split(', ').includes(kase.allow)) {
    problems.push(`Allow ${json(response.headers.get('allow'))} without ${kase.allow}`);
  }
  if (kase.field !== undefined) {
    const fields: string[] = Array.isArray(body?.errors)
      ? body.errors.map((e: { field: string }) => e.field)
      : [];
    const named = fields.some(
      (f) => f === kase.field || f.startsWith(`${kase.field}.`) || f.startsWith(`${kase.field}[`),
    );
    if (!named) problems.push(`errors name ${json(fields)}, not ${kase.field}`);
  }
  if (problems.length === 0) return undefined;
  return `${kase.method} ${kase.path.slice(0, 80)} — ${kase.what}: ${problems.join(', ')} ${response.text.slice(0, 200)}`;
}

describe('Malformed input on every endpoint', () => {
  let ledger: LedgerHarness;

  beforeAll(async () => {
    ledger = await LedgerHarness.start();
    const setup: [string, unknown][] = [
      [
        '/projects',
        {
          id: PROJECT,
          name: 'Bécancour',
          operator: 'Nouveau Monde Graphite',
          country: 'CA',
          materials: ['graphite-anode'],
          stage: 'construction',
          effectiveAt: '2022-08-01',
        },
      ],
      [
        `/projects/${PROJECT}/capacity`,
        { material: 'graphite-anode', annualCapacity: tonnes('42616'), effectiveAt: '2022-08-01' },
      ],
      [
        `/projects/${PROJECT}/offtakes`,
        {
          offtakeId: OFFTAKE,
          buyer: 'Panasonic Energy',
          buyerCountry: 'JP',
          material: 'graphite-anode',
          annualVolume: tonnes('18000'),
          startsOn: '2023-01-01',
          endsOn: '2030-01-01',
          effectiveAt: '2024-02-15',
        },
      ],
      [
        '/export-restrictions',
        {
          id: RESTRICTION,
          imposedBy: 'CN',
          materials: ['gallium'],
          measure: 'licensing',
          appliesTo: ['*'],
          announcedOn: '2023-07-03',
          effectiveFrom: '2023-08-01',
          legalReference: 'MOFCOM/GAC Announcement No. 23 [2023]',
        },
      ],
      [
        '/stockpiles',
        {
          id: STOCKPILE,
          name: 'Reserve',
          custodian: 'JOGMEC',
          participants: [{ country: 'JP', sharePercent: '100' }],
          effectiveAt: '2026-01-15',
        },
      ],
      [
        `/stockpiles/${STOCKPILE}/acquisitions`,
        {
          material: 'graphite-anode',
          quantity: tonnes('1200'),
          location: 'Yokohama',
          originCountry: 'CA',
          effectiveAt: '2026-02-01',
        },
      ],
    ];
    for (const [path, body] of setup) {
      const response = await ledger.post(path, body);
      if (response.status >= 300) throw new Error(`setup ${path}: ${response.status} ${response.text}`);
    }
  }, 30_000);
  afterAll(async () => {
    await ledger?.stop();
  });

  /** The log as an auditor reads it: its head and every event id. */
  const logState = async () => {
    const log = await ledger.get('/audit/log?limit=10000', 'auditor');
    return {
      head: (await ledger.get('/ready')).body.headPosition,
      events: log.body.events.map((e: any) => e.eventId),
    };
  };

  /** Sends the cases, a few at a time; returns every improper answer. */
  async function faults(cases: Case[]): Promise<string[]> {
    const found: string[] = [];
    let next = 0;
    const sender = async () => {
      for (let index = next++; index < cases.length; index = next++) {
        const kase = cases[index]!;
        const headers: Record<string, string> = {
          authorization: `Bearer ${KEYS[kase.method === 'GET' ? 'auditor' : 'admin'].key}`,
          'content-type': 'application/json',
          ...kase.headers,
        };
        if (headers['content-type'] === '') delete headers['content-type'];
        // as bytes: fetch adds no Content-Type of its own
        const body = kase.body === undefined ? undefined : new TextEncoder().encode(kase.body);
        const answer = await fetch(`${ledger.baseUrl}${kase.path}`, {
          method: kase.method,
          headers,
          ...(body === undefined ? {} : { body }),
        });
        const text = await answer.text();
        let parsed: unknown;
        try {
          parsed = JSON.parse(text);
        } catch {
          parsed = undefined;
        }
        const response: JsonResponse = { status: answer.status, headers: answer.headers, body: parsed, text };
        const wrong = fault(kase, response);
        if (wrong) found.push(wrong);
      }
    };
    await Promise.all(Array.from({ length: 8 }, sender));
    return found;
  }

  it.each(ENDPOINTS.map((endpoint) => [endpoint.command, endpoint] as const))(
    'refuses every malformed %s with a 4xx problem and appends nothing',
    async (_command, endpoint) => {
      const before = await logState();
      const cases = commandCases(endpoint);
      expect(cases.length).toBeGreaterThan(40);
      expect(await faults(cases)).toEqual([]);
      expect(await logState()).toEqual(before);
    },
  );

  it('refuses malformed query parameters and ids of the queries with a 4xx problem', async () => {
    const before = await logState();
    expect(await faults(queryCases())).toEqual([]);
    expect(await logState()).toEqual(before);
  });

  it('accepts each base body as it is, so every refusal above was for the one thing changed', async () => {
    const refused: string[] = [];
    for (const endpoint of ENDPOINTS) {
      const response = await ledger.post(endpoint.path, endpoint.body);
      if (response.status >= 300) refused.push(`${endpoint.command}: ${response.status} ${response.text}`);
    }
    expect(refused).toEqual([]);
  });
});
