/**
 * China's licensing of gallium and germanium exports (MOFCOM/GAC Announcement No. 23 [2023]), as a client
 * sends it to POST /export-restrictions. One real measure, named once, for the domain specs, the HTTP
 * tests and the demo seed. Plain JSON values: a spec parses them into a command as the API would.
 */
export const CN_GALLIUM_LICENSING = {
  id: 'cn-gallium-germanium-2023',
  imposedBy: 'CN',
  materials: ['gallium', 'germanium'],
  measure: 'licensing',
  appliesTo: ['*'],
  announcedOn: '2023-07-03',
  effectiveFrom: '2023-08-01',
  legalReference: 'MOFCOM/GAC Announcement No. 23 [2023]',
} as const;
