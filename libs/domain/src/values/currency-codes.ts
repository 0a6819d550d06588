/**
 * ISO 4217 currency codes in use, with their minor-unit digits. Most currencies have 2; the exceptions
 * are listed explicitly so that a reviewer can check them against the standard's table.
 * Funds codes (BOV, CHE, CHW, CLF, COU, MXV, USN, UYI, UYW) are kept: financing instruments use them.
 * Precious metals, SDR and test codes (XAU, XDR, XTS, XXX, ...) have no minor unit and are not money here.
 */
const TWO_DIGIT = `AED AFN ALL AMD AOA ARS AUD AWG AZN BAM BBD BDT BGN BMD BND BOB BOV BRL BSD BTN BWP BYN BZD
CAD CDF CHE CHF CHW CNY COP COU CRC CUP CVE CZK DKK DOP DZD EGP ERN ETB EUR FJD FKP GBP GEL GHS GIP GMD GTQ GYD
HKD HNL HTG HUF IDR ILS INR IRR JMD KES KGS KHR KPW KYD KZT LAK LBP LKR LRD LSL MAD MDL MGA MKD MMK MNT MOP
MRU MUR MVR MWK MXN MXV MYR MZN NAD NGN NIO NOK NPR NZD PAB PEN PGK PHP PKR PLN QAR RON RSD RUB SAR SBD SCR
SDG SEK SGD SHP SLE SOS SRD SSP STN SVC SYP SZL THB TJS TMT TOP TRY TTD TWD TZS UAH USD USN UYU UZS VED VES
WST XCD XCG YER ZAR ZMW ZWG`;
const ZERO_DIGIT = 'BIF CLP DJF GNF ISK JPY KMF KRW PYG RWF UGX UYI VND VUV XAF XOF XPF';
const THREE_DIGIT = 'BHD IQD JOD KWD LYD OMR TND';
const FOUR_DIGIT = 'CLF UYW';

const table = new Map<string, number>();
for (const [codes, digits] of [
  [TWO_DIGIT, 2],
  [ZERO_DIGIT, 0],
  [THREE_DIGIT, 3],
  [FOUR_DIGIT, 4],
] as const) {
  for (const code of codes.split(/\s+/)) table.set(code, digits);
}

/** Minor-unit digits of an ISO 4217 code, or undefined for a code that is not a currency. */
export const minorUnitDigits = (code: string): number | undefined => table.get(code);
