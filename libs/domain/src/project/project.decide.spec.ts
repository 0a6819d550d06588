import { fold } from '../shared/decider';
import { deciderSpec } from '../testing/decider-spec';
import { parseCountry } from '../values/country';
import { parseDay, parseInstant } from '../values/instant';
import type { Material } from '../values/material';
import { Money } from '../values/money';
import { Quantity } from '../values/quantity';
import type { ProjectCommand, SignOfftake } from './project.commands';
import { projectDecider } from './project.decide';
import { projectCountry, projectRecorderCountries } from './project.state';
import { PROJECT_STREAMS, projectStreamId } from './project.stream';
import {
  PROJECT_STAGE_ORDER,
  type CapacityDeclared,
  type OfftakeDeliveryRecorded,
  type OfftakeSigned,
  type OfftakeTerminated,
  type ProjectDevelopmentStage,
  type ProjectEvent,
  type ProjectRegistered,
  type ProjectStage,
  type ProjectStageAdvanced,
} from './project.events';

const { given } = deciderSpec(projectDecider);

const projectId = 'nmg-becancour';
const effectiveAt = parseInstant('2026-03-26T09:00:00+09:00', 'effectiveAt');
/** When the commands are recorded: after every delivery date used here, so none is in the future. */
const now = parseInstant('2040-01-01', 'now');
const anode: Material = 'graphite-anode';
const spherical: Material = 'graphite-spherical';
const tonnes = (amount: string) => Quantity.parse({ amount, unit: 't' });
const day = (text: string) => parseDay(text, 'day');

const registeredAt = (stage: ProjectStage): ProjectRegistered => ({
  type: 'ProjectRegistered',
  effectiveAt,
  data: {
    projectId,
    name: 'Bécancour AAM plant',
    operator: 'Nouveau Monde Graphite',
    country: 'CA',
    materials: [anode, spherical],
    stage,
  },
});
const registered = registeredAt('construction');

const capacityOf = (amount: string, material: Material = anode): CapacityDeclared => ({
  type: 'CapacityDeclared',
  effectiveAt,
  data: { material, annualCapacity: tonnes(amount).toJSON() },
});

const stageMoved = (from: ProjectStage, to: ProjectStage): ProjectStageAdvanced => ({
  type: 'ProjectStageAdvanced',
  effectiveAt,
  data: { from, to },
});

const signed = (
  offtakeId: string,
  amount: string,
  startsOn: string,
  endsOn: string,
  material: Material = anode,
): OfftakeSigned => ({
  type: 'OfftakeSigned',
  effectiveAt,
  data: {
    offtakeId,
    buyer: 'Panasonic Energy',
    buyerCountry: 'JP',
    material,
    annualVolume: tonnes(amount).toJSON(),
    startsOn,
    endsOn,
  },
});

const terminated = (offtakeId: string, effectiveOn: string): OfftakeTerminated => ({
  type: 'OfftakeTerminated',
  effectiveAt,
  data: { offtakeId, reason: 'buyer default', effectiveOn },
});

const delivered = (offtakeId: string, deliveredOn: string, amount = '1500'): OfftakeDeliveryRecorded => ({
  type: 'OfftakeDeliveryRecorded',
  effectiveAt,
  data: { offtakeId, quantity: tonnes(amount).toJSON(), deliveredOn },
});

const register = (
  overrides: Partial<Extract<ProjectCommand, { type: 'RegisterProject' }>> = {},
): ProjectCommand => ({
  type: 'RegisterProject',
  projectId,
  effectiveAt,
  now,
  name: 'Bécancour AAM plant',
  operator: 'Nouveau Monde Graphite',
  country: parseCountry('CA'),
  materials: [anode, spherical],
  stage: 'construction',
  ...overrides,
});

const declare = (amount: string, material: Material = anode): ProjectCommand => ({
  type: 'DeclareCapacity',
  projectId,
  effectiveAt,
  now,
  material,
  annualCapacity: tonnes(amount),
});

const advanceTo = (stage: ProjectStage): ProjectCommand => ({
  type: 'AdvanceStage',
  projectId,
  effectiveAt,
  now,
  stage,
});

const finance = (financingId = 'edc-term-loan'): ProjectCommand => ({
  type: 'FinanceProject',
  projectId,
  effectiveAt,
  now,
  financingId,
  financier: 'Export Development Canada',
  financierCountry: parseCountry('CA'),
  instrument: 'debt',
  amount: Money.parse({ amount: '290000000', currency: 'USD' }),
});

const sign = (
  offtakeId: string,
  amount: string,
  startsOn: string,
  endsOn: string,
  material: Material = anode,
): SignOfftake => ({
  type: 'SignOfftake',
  projectId,
  effectiveAt,
  now,
  offtakeId,
  buyer: 'Panasonic Energy',
  buyerCountry: parseCountry('JP'),
  material,
  annualVolume: tonnes(amount),
  startsOn: day(startsOn),
  endsOn: day(endsOn),
});

const deliver = (offtakeId: string, deliveredOn: string, amount = '1500'): ProjectCommand => ({
  type: 'RecordDelivery',
  projectId,
  effectiveAt,
  now,
  offtakeId,
  quantity: tonnes(amount),
  deliveredOn: day(deliveredOn),
});

const terminate = (offtakeId: string, effectiveOn: string): ProjectCommand => ({
  type: 'TerminateOfftake',
  projectId,
  effectiveAt,
  now,
  offtakeId,
  reason: 'buyer default',
  effectiveOn: day(effectiveOn),
});

/** One command of every kind but registration, each valid against `bookedProject`. */
const everyLaterCommand: [string, ProjectCommand][] = [
  ['DeclareCapacity', declare('50000')],
  ['AdvanceStage', advanceTo('production')],
  ['FinanceProject', finance()],
  ['SignOfftake', sign('canada', '1000', '2027-01-01', '2028-01-01')],
  ['RecordDelivery', deliver('panasonic', '2027-06-01')],
  ['TerminateOfftake', terminate('panasonic', '2028-01-01')],
];
const bookedProject: ProjectEvent[] = [
  registered,
  capacityOf('42616'),
  signed('panasonic', '18000', '2027-01-01', '2034-01-01'),
];

describe('Project', () => {
  describe('when registering', () => {
    it('records the project with its country, materials and stage', () => {
      given([]).when(register()).then([registered]);
    });

    it('refuses an id that is already registered', () => {
      given([registered]).when(register()).thenFails('conflict');
    });

    it('refuses a project without materials', () => {
      given([])
        .when(register({ materials: [] }))
        .thenFails('validation-failed');
    });

    it('refuses a material listed twice', () => {
      given([])
        .when(register({ materials: [anode, anode] }))
        .thenFails('duplicate-material');
    });

    it.each<ProjectStage>(['suspended', 'closed'])('refuses to start a project %s', (stage) => {
      given([]).when(register({ stage })).thenFails('validation-failed');
    });
  });

  describe('when the project does not exist', () => {
    it.each(everyLaterCommand)('refuses %s as not found', (_type, command) => {
      given([]).when(command).thenFails('not-found');
    });
  });

  describe('when the project is closed', () => {
    it.each(everyLaterCommand)('refuses %s', (_type, command) => {
      given([...bookedProject, stageMoved('construction', 'closed')])
        .when(command)
        .thenFails('project-closed');
    });

    it('still refuses registering it again as a conflict', () => {
      given([...bookedProject, stageMoved('construction', 'closed')])
        .when(register())
        .thenFails('conflict');
    });
  });

  describe('when declaring capacity', () => {
    it('records the annual capacity in canonical kilograms', () => {
      given([registered])
        .when(declare('42616'))
        .then([
          {
            type: 'CapacityDeclared',
            effectiveAt,
            data: { material: anode, annualCapacity: { amount: '42616000', unit: 'kg' } },
          },
        ]);
    });

    it('refuses a material the project does not produce', () => {
      given([registered]).when(declare('1000', 'gallium')).thenFails('material-not-in-project');
    });

    it('lets a later declaration replace an earlier one, downwards too, when no offtake is in the way', () => {
      given([registered, capacityOf('42616')])
        .when(declare('30000'))
        .then([capacityOf('30000')]);
    });

    it('accepts a capacity exactly at the offtake book’s peak', () => {
      given([
        registered,
        capacityOf('42616'),
        signed('panasonic', '18000', '2027-01-01', '2034-01-01'),
        signed('canada', '20000', '2030-01-01', '2037-01-01'),
      ])
        .when(declare('38000'))
        .then([capacityOf('38000')]);
    });

    it('refuses a capacity below the peak of overlapping offtakes', () => {
      given([
        registered,
        capacityOf('42616'),
        signed('panasonic', '18000', '2027-01-01', '2034-01-01'),
        signed('canada', '20000', '2030-01-01', '2037-01-01'),
      ])
        .when(declare('37999.999999'))
        .thenFails('capacity-below-commitments');
    });

    it('counts offtakes that only follow one another once, not summed', () => {
      given([
        registered,
        capacityOf('42616'),
        signed('first', '20000', '2027-01-01', '2030-01-01'),
        signed('second', '20000', '2030-01-01', '2033-01-01'),
      ])
        .when(declare('20000'))
        .then([capacityOf('20000')]);
    });

    it('ignores the offtakes of other materials', () => {
      given([
        registered,
        capacityOf('42616'),
        capacityOf('30000', spherical),
        signed('spheres', '30000', '2027-01-01', '2030-01-01', spherical),
      ])
        .when(declare('1'))
        .then([capacityOf('1')]);
    });

    it('no longer counts a terminated offtake from its termination on', () => {
      given([
        registered,
        capacityOf('42616'),
        signed('panasonic', '18000', '2027-01-01', '2034-01-01'),
        signed('canada', '20000', '2030-01-01', '2037-01-01'),
        terminated('panasonic', '2030-01-01'),
      ])
        .when(declare('20000'))
        .then([capacityOf('20000')]);
    });

    it('still counts a terminated offtake for the days before its termination', () => {
      given([
        registered,
        capacityOf('42616'),
        signed('panasonic', '18000', '2027-01-01', '2034-01-01'),
        signed('canada', '20000', '2030-01-01', '2037-01-01'),
        terminated('panasonic', '2030-01-02'),
      ])
        .when(declare('20000'))
        .thenFails('capacity-below-commitments');
    });
  });

  describe('when advancing the stage', () => {
    it('moves forward to the next stage', () => {
      given([registered])
        .when(advanceTo('commissioning'))
        .then([stageMoved('construction', 'commissioning')]);
    });

    it('may skip stages', () => {
      given([registeredAt('exploration')])
        .when(advanceTo('construction'))
        .then([stageMoved('exploration', 'construction')]);
    });

    it('refuses to move back', () => {
      given([registered]).when(advanceTo('feasibility')).thenFails('stage-regression');
    });

    it('refuses to stay at the same stage', () => {
      given([registered]).when(advanceTo('construction')).thenFails('stage-regression');
    });

    it('measures regression from the latest stage reached', () => {
      given([registeredAt('exploration'), stageMoved('exploration', 'financing')])
        .when(advanceTo('feasibility'))
        .thenFails('stage-regression');
    });

    it.each<ProjectDevelopmentStage>([...PROJECT_STAGE_ORDER])('suspends a project at %s', (stage) => {
      given([registeredAt(stage)])
        .when(advanceTo('suspended'))
        .then([stageMoved(stage, 'suspended')]);
    });

    it('refuses to suspend a project that is already suspended', () => {
      given([registered, stageMoved('construction', 'suspended')])
        .when(advanceTo('suspended'))
        .thenFails('stage-regression');
    });

    it('resumes at the stage held before the suspension', () => {
      given([registered, stageMoved('construction', 'suspended')])
        .when(advanceTo('construction'))
        .then([stageMoved('suspended', 'construction')]);
    });

    it('resumes at a later stage than the one held before the suspension', () => {
      given([registered, stageMoved('construction', 'suspended')])
        .when(advanceTo('production'))
        .then([stageMoved('suspended', 'production')]);
    });

    it('refuses to resume at a stage earlier than the one held before the suspension', () => {
      given([registered, stageMoved('construction', 'suspended')])
        .when(advanceTo('financing'))
        .thenFails('stage-regression');
    });

    it('remembers the stage of the latest suspension, not of an earlier one', () => {
      given([
        registeredAt('feasibility'),
        stageMoved('feasibility', 'suspended'),
        stageMoved('suspended', 'feasibility'),
        stageMoved('feasibility', 'commissioning'),
        stageMoved('commissioning', 'suspended'),
      ])
        .when(advanceTo('construction'))
        .thenFails('stage-regression');
    });

    it('after resuming, moves forward only from the resumed stage', () => {
      given([registered, stageMoved('construction', 'suspended'), stageMoved('suspended', 'production')])
        .when(advanceTo('commissioning'))
        .thenFails('stage-regression');
    });

    it.each<ProjectStage>([...PROJECT_STAGE_ORDER, 'suspended'])('closes a project at %s', (stage) => {
      const history: ProjectEvent[] =
        stage === 'suspended' ? [registered, stageMoved('construction', 'suspended')] : [registeredAt(stage)];
      given(history)
        .when(advanceTo('closed'))
        .then([stageMoved(stage, 'closed')]);
    });

    it.each<ProjectStage>([...PROJECT_STAGE_ORDER, 'suspended', 'closed'])(
      'never leaves closed, not even for %s',
      (stage) => {
        given([registered, stageMoved('construction', 'closed')])
          .when(advanceTo(stage))
          .thenFails('project-closed');
      },
    );
  });

  describe('when financing', () => {
    it('records the financing with its amount in canonical money', () => {
      given([registered])
        .when(finance())
        .then([
          {
            type: 'ProjectFinanced',
            effectiveAt,
            data: {
              financingId: 'edc-term-loan',
              financier: 'Export Development Canada',
              financierCountry: 'CA',
              instrument: 'debt',
              amount: { amount: '290000000.00', currency: 'USD' },
            },
          },
        ]);
    });

    it('refuses a financing id already used in the project', () => {
      given([registered, ...projectDecider.decide(finance(), fold(projectDecider, [registered]))])
        .when(finance())
        .thenFails('conflict');
    });

    it('accepts a second financing under another id', () => {
      const first = projectDecider.decide(finance(), fold(projectDecider, [registered]));
      expect(
        projectDecider.decide(finance('cib-overrun'), fold(projectDecider, [registered, ...first])),
      ).toHaveLength(1);
    });
  });

  describe('when signing an offtake', () => {
    const withCapacity = [registered, capacityOf('40000')];

    it('records an offtake within capacity, its volume in canonical kilograms', () => {
      given(withCapacity)
        .when(sign('panasonic', '18000', '2027-01-01', '2034-01-01'))
        .then([
          {
            type: 'OfftakeSigned',
            effectiveAt,
            data: {
              offtakeId: 'panasonic',
              buyer: 'Panasonic Energy',
              buyerCountry: 'JP',
              material: anode,
              annualVolume: { amount: '18000000', unit: 'kg' },
              startsOn: '2027-01-01',
              endsOn: '2034-01-01',
            },
          },
        ]);
    });

    it('refuses an offtake id already used in the project', () => {
      given([...withCapacity, signed('panasonic', '1000', '2027-01-01', '2028-01-01')])
        .when(sign('panasonic', '1000', '2029-01-01', '2030-01-01'))
        .thenFails('conflict');
    });

    it.each([
      ['ends the day it starts', '2027-01-01', '2027-01-01'],
      ['ends before it starts', '2027-01-02', '2027-01-01'],
    ])('refuses a term that %s', (_case, startsOn, endsOn) => {
      given(withCapacity)
        .when(sign('panasonic', '1000', startsOn, endsOn))
        .thenFails('invalid-term');
    });

    it('refuses a material the project does not produce', () => {
      given(withCapacity)
        .when(sign('panasonic', '1000', '2027-01-01', '2028-01-01', 'gallium'))
        .thenFails('material-not-in-project');
    });

    it('refuses a material of the project with no declared capacity', () => {
      given(withCapacity)
        .when(sign('panasonic', '1000', '2027-01-01', '2028-01-01', spherical))
        .thenFails('capacity-not-declared');
    });

    it('accepts a volume that fills the capacity exactly', () => {
      given(withCapacity)
        .when(sign('panasonic', '40000', '2027-01-01', '2034-01-01'))
        .then([signed('panasonic', '40000', '2027-01-01', '2034-01-01')]);
    });

    it('refuses a single offtake above capacity', () => {
      given(withCapacity)
        .when(sign('panasonic', '40000.000001', '2027-01-01', '2034-01-01'))
        .thenFails('capacity-exceeded');
    });

    it('refuses a volume that overlaps another offtake beyond capacity', () => {
      given([...withCapacity, signed('panasonic', '25000', '2027-01-01', '2034-01-01')])
        .when(sign('canada', '20000', '2030-01-01', '2037-01-01'))
        .thenFails('capacity-exceeded');
    });

    it('refuses a volume that overlaps another offtake by a single day beyond capacity', () => {
      given([...withCapacity, signed('panasonic', '25000', '2027-01-01', '2034-01-01')])
        .when(sign('canada', '20000', '2033-12-31', '2037-01-01'))
        .thenFails('capacity-exceeded');
    });

    it('accepts an offtake that starts the day another ends, since the terms do not overlap', () => {
      given([...withCapacity, signed('panasonic', '25000', '2027-01-01', '2034-01-01')])
        .when(sign('canada', '20000', '2034-01-01', '2041-01-01'))
        .then([signed('canada', '20000', '2034-01-01', '2041-01-01')]);
    });

    it('accepts an offtake that ends the day another starts', () => {
      given([...withCapacity, signed('panasonic', '25000', '2030-01-01', '2037-01-01')])
        .when(sign('canada', '20000', '2027-01-01', '2030-01-01'))
        .then([signed('canada', '20000', '2027-01-01', '2030-01-01')]);
    });

    it('accepts overlapping volumes that stay within capacity together', () => {
      given([...withCapacity, signed('panasonic', '18000', '2027-01-01', '2034-01-01')])
        .when(sign('canada', '22000', '2030-01-01', '2037-01-01'))
        .then([signed('canada', '22000', '2030-01-01', '2037-01-01')]);
    });

    it('checks the busiest day, not the sum of every offtake the new term touches', () => {
      given([
        ...withCapacity,
        signed('first', '20000', '2027-01-01', '2029-01-01'),
        signed('second', '20000', '2029-01-01', '2031-01-01'),
      ])
        .when(sign('third', '20000', '2028-01-01', '2030-01-01'))
        .then([signed('third', '20000', '2028-01-01', '2030-01-01')]);
    });

    it('refuses a term that reaches the days where two existing offtakes overlap', () => {
      const book = [
        ...withCapacity,
        signed('first', '15000', '2027-01-01', '2030-01-01'),
        signed('second', '15000', '2029-01-01', '2032-01-01'),
      ];
      given(book)
        .when(sign('third', '15000', '2026-01-01', '2029-01-02'))
        .thenFails('capacity-exceeded');
      given(book)
        .when(sign('third', '15000', '2026-01-01', '2029-01-01'))
        .then([signed('third', '15000', '2026-01-01', '2029-01-01')]);
    });

    it('counts only offtakes of the same material', () => {
      given([
        ...withCapacity,
        capacityOf('30000', spherical),
        signed('spheres', '30000', '2027-01-01', '2034-01-01', spherical),
      ])
        .when(sign('panasonic', '40000', '2027-01-01', '2034-01-01'))
        .then([signed('panasonic', '40000', '2027-01-01', '2034-01-01')]);
    });

    it('lets a terminated offtake free its capacity from its termination day on', () => {
      given([
        ...withCapacity,
        signed('panasonic', '25000', '2027-01-01', '2034-01-01'),
        terminated('panasonic', '2030-01-01'),
      ])
        .when(sign('canada', '20000', '2030-01-01', '2037-01-01'))
        .then([signed('canada', '20000', '2030-01-01', '2037-01-01')]);
    });

    it('counts nothing for an offtake terminated on its first day', () => {
      given([
        ...withCapacity,
        signed('panasonic', '25000', '2027-01-01', '2034-01-01'),
        terminated('panasonic', '2027-01-01'),
      ])
        .when(sign('canada', '40000', '2026-01-01', '2037-01-01'))
        .then([signed('canada', '40000', '2026-01-01', '2037-01-01')]);
    });

    it('still holds a terminated offtake’s capacity on the days before its termination', () => {
      given([
        ...withCapacity,
        signed('panasonic', '25000', '2027-01-01', '2034-01-01'),
        terminated('panasonic', '2030-01-01'),
      ])
        .when(sign('canada', '20000', '2029-12-31', '2037-01-01'))
        .thenFails('capacity-exceeded');
    });

    it('checks against the latest declared capacity', () => {
      given([...withCapacity, signed('panasonic', '25000', '2027-01-01', '2034-01-01'), capacityOf('45000')])
        .when(sign('canada', '20000', '2030-01-01', '2037-01-01'))
        .then([signed('canada', '20000', '2030-01-01', '2037-01-01')]);
    });

    it('adds volumes exactly, to the gram', () => {
      const book = [registered, capacityOf('1.000001'), signed('first', '1', '2027-01-01', '2028-01-01')];
      given(book)
        .when(sign('second', '0.000001', '2027-06-01', '2028-01-01'))
        .then([signed('second', '0.000001', '2027-06-01', '2028-01-01')]);
      given(book)
        .when(sign('second', '0.000002', '2027-06-01', '2028-01-01'))
        .thenFails('capacity-exceeded');
    });

    it('keeps the book consistent across a sequence of signings', () => {
      let history: ProjectEvent[] = [...withCapacity];
      for (const year of [2027, 2028, 2029]) {
        history = [
          ...history,
          ...projectDecider.decide(
            sign(`y${year}`, '13000', `${year}-01-01`, '2040-01-01'),
            fold(projectDecider, history),
          ),
        ];
      }
      given(history)
        .when(sign('late', '1001', '2039-12-31', '2041-01-01'))
        .thenFails('capacity-exceeded');
      given(history)
        .when(sign('late', '1000', '2039-12-31', '2041-01-01'))
        .then([signed('late', '1000', '2039-12-31', '2041-01-01')]);
    });
  });

  describe('when recording a delivery', () => {
    const booked = [
      registered,
      capacityOf('40000'),
      signed('panasonic', '18000', '2027-01-01', '2034-01-01'),
    ];

    it('records a delivery within the term, in canonical kilograms', () => {
      given(booked)
        .when(deliver('panasonic', '2027-06-30', '1500'))
        .then([
          {
            type: 'OfftakeDeliveryRecorded',
            effectiveAt,
            data: {
              offtakeId: 'panasonic',
              quantity: { amount: '1500000', unit: 'kg' },
              deliveredOn: '2027-06-30',
            },
          },
        ]);
    });

    it('accepts a delivery on the first and on the last day of the term', () => {
      given(booked)
        .when(deliver('panasonic', '2027-01-01'))
        .then([delivered('panasonic', '2027-01-01')]);
      given(booked)
        .when(deliver('panasonic', '2033-12-31'))
        .then([delivered('panasonic', '2033-12-31')]);
    });

    it('refuses an offtake the project never signed', () => {
      given(booked).when(deliver('canada', '2027-06-30')).thenFails('not-found');
    });

    it.each([
      ['before the term starts', '2026-12-31'],
      ['on the day the term ends', '2034-01-01'],
      ['after the term', '2035-06-30'],
    ])('refuses a delivery %s', (_case, deliveredOn) => {
      given(booked).when(deliver('panasonic', deliveredOn)).thenFails('delivery-outside-term');
    });

    it('accepts a delivery the day before a termination', () => {
      given([...booked, terminated('panasonic', '2030-01-01')])
        .when(deliver('panasonic', '2029-12-31'))
        .then([delivered('panasonic', '2029-12-31')]);
    });

    it.each([
      ['on the termination day', '2030-01-01'],
      ['after the termination', '2031-06-30'],
    ])('refuses a delivery %s', (_case, deliveredOn) => {
      given([...booked, terminated('panasonic', '2030-01-01')])
        .when(deliver('panasonic', deliveredOn))
        .thenFails('offtake-terminated');
    });
  });

  describe('when terminating an offtake', () => {
    const booked = [
      registered,
      capacityOf('40000'),
      signed('panasonic', '18000', '2027-01-01', '2034-01-01'),
    ];

    it('records the termination with its reason and first day out of force', () => {
      given(booked)
        .when(terminate('panasonic', '2030-01-01'))
        .then([terminated('panasonic', '2030-01-01')]);
    });

    it('accepts a termination on the first day of the term', () => {
      given(booked)
        .when(terminate('panasonic', '2027-01-01'))
        .then([terminated('panasonic', '2027-01-01')]);
    });

    it('refuses an offtake the project never signed', () => {
      given(booked).when(terminate('canada', '2030-01-01')).thenFails('not-found');
    });

    it('refuses an offtake already terminated', () => {
      given([...booked, terminated('panasonic', '2031-01-01')])
        .when(terminate('panasonic', '2030-01-01'))
        .thenFails('offtake-terminated');
    });

    it.each([
      ['before the term starts', '2026-12-31'],
      ['on the day the term ends anyway', '2034-01-01'],
      ['after the term', '2035-01-01'],
    ])('refuses a termination %s', (_case, effectiveOn) => {
      given(booked).when(terminate('panasonic', effectiveOn)).thenFails('termination-outside-term');
    });

    it('refuses a back-dated termination on or before a recorded delivery', () => {
      const withDelivery = [...booked, delivered('panasonic', '2030-06-30')];
      given(withDelivery)
        .when(terminate('panasonic', '2030-06-30'))
        .thenFails('deliveries-after-termination');
      given(withDelivery)
        .when(terminate('panasonic', '2030-01-01'))
        .thenFails('deliveries-after-termination');
      given(withDelivery)
        .when(terminate('panasonic', '2030-07-01'))
        .then([terminated('panasonic', '2030-07-01')]);
    });
  });

  describe('for authorisation and routing', () => {
    it('names the project’s country once registered, and none before', () => {
      expect(projectCountry(fold(projectDecider, [registered]))).toBe('CA');
      expect(projectCountry(projectDecider.initialState)).toBeUndefined();
    });

    it('keeps one stream per project', () => {
      expect(projectStreamId('nmg-becancour')).toBe('project-nmg-becancour');
      expect(PROJECT_STREAMS.entityIdOf('project-nmg-becancour')).toBe('nmg-becancour');
      expect(PROJECT_STREAMS.entityIdOf('stockpile-nmg-becancour')).toBeUndefined();
    });

    it('lets the buyer’s country record an offtake, its deliveries and its termination', () => {
      const state = fold(projectDecider, [
        registered,
        capacityOf('42616'),
        signed('panasonic', '18000', '2027-01-01', '2034-01-01'),
      ]);
      expect(projectRecorderCountries(state, sign('other', '1', '2027-01-01', '2028-01-01'))).toEqual([
        'CA',
        'JP',
      ]);
      expect(projectRecorderCountries(state, deliver('panasonic', '2027-02-01'))).toEqual(['CA', 'JP']);
      expect(projectRecorderCountries(state, terminate('panasonic', '2030-01-01'))).toEqual(['CA', 'JP']);
      // the rest of the project, and an offtake the project does not know, only by the project's country
      expect(projectRecorderCountries(state, declare('50000'))).toEqual(['CA']);
      expect(projectRecorderCountries(state, deliver('unknown', '2027-02-01'))).toEqual(['CA']);
      expect(projectRecorderCountries(projectDecider.initialState, declare('50000'))).toEqual([]);
    });
  });

  describe('in time', () => {
    const before = parseInstant('2026-03-25', 'effectiveAt');

    it.each([
      ['a capacity declaration', { ...declare('42616'), effectiveAt: before }],
      ['a stage change', { ...advanceTo('commissioning'), effectiveAt: before }],
      ['a financing', { ...finance(), effectiveAt: before }],
      ['an offtake', { ...sign('panasonic', '1', '2027-01-01', '2028-01-01'), effectiveAt: before }],
    ])('refuses %s effective before the registration', (_case, command: ProjectCommand) => {
      given([registered, capacityOf('42616')])
        .when(command)
        .thenFails('before-establishment');
    });

    it('refuses a delivery effective after it is recorded, beyond five minutes of clock skew', () => {
      const history = [
        registered,
        capacityOf('42616'),
        signed('panasonic', '18000', '2027-01-01', '2034-01-01'),
      ];
      const recordedAt = parseInstant('2027-02-01T12:00:00Z', 'now');
      const delivery = (effective: string, deliveredOn: string): ProjectCommand => ({
        ...deliver('panasonic', deliveredOn),
        effectiveAt: parseInstant(effective, 'effectiveAt'),
        now: recordedAt,
      });
      given(history)
        .when(delivery('2027-02-01T12:05:00Z', '2027-02-01'))
        .then([
          { ...delivered('panasonic', '2027-02-01'), effectiveAt: parseInstant('2027-02-01T12:05:00Z', 'x') },
        ]);
      given(history).when(delivery('2027-02-01T12:05:01Z', '2027-02-01')).thenFails('effective-in-future');
      // the day delivered is a fact of its own: a delivery on a later day has not happened yet
      given(history).when(delivery('2027-02-01T12:00:00Z', '2027-02-02')).thenFails('effective-in-future');
    });

    it('lets commitments name future dates: an offtake starting years after it is signed', () => {
      const early = { ...sign('panasonic', '18000', '2030-01-01', '2037-01-01'), now: effectiveAt };
      given([registered, capacityOf('42616')])
        .when(early)
        .then([signed('panasonic', '18000', '2030-01-01', '2037-01-01')]);
    });
  });
});
