/**
 * Deterministic, realistic-looking names for demo and scale data. The same index always
 * gives the same name, so seeded databases are reproducible.
 */
export const firstNames = [
  'Ann',
  'April',
  'Andy',
  'Ben',
  'Chris',
  'Donna',
  'Jerry',
  'Ron',
  'Tom',
  'Craig',
  'Ethel',
  'Maria',
  'James',
  'Priya',
  'Wei',
  'Olivia',
  'Liam',
  'Sofia',
  'Mateo',
  'Aisha',
  'Noah',
  'Grace',
  'Diego',
  'Hannah',
  'Omar',
  'Chloe',
  'Samuel',
  'Yuki',
  'Elena',
  'Marcus',
  'Fatima',
  'Lucas',
  'Nora',
  'Ivan',
  'Leah',
  'Kofi',
  'Ruth',
  'Tariq',
  'Mei',
  'Victor',
];

export const lastNames = [
  'Perkins',
  'Ludgate',
  'Dwyer',
  'Wyatt',
  'Traeger',
  'Meagle',
  'Gergich',
  'Swanson',
  'Haverford',
  'Middlebrooks',
  'Beavers',
  'Garcia',
  'Nguyen',
  'Patel',
  'Chen',
  'Okafor',
  'Schmidt',
  'Rossi',
  'Kowalski',
  'Silva',
  'Haddad',
  'Johansson',
  'Murphy',
  'Tanaka',
  'Alvarez',
  'Brooks',
  'Fischer',
  'Kim',
  'Larsen',
  'Mensah',
  'Novak',
  "O'Brien",
  'Quinn',
  'Reyes',
  'Singh',
  'Torres',
  'Ueda',
  'Volkov',
  'Walsh',
  'Young',
];

const companyStems = [
  'Eagleton',
  'Snakehole',
  'Sweetums',
  'Gryzzl',
  'Very Good',
  'Rent-A-Swag',
  'Paunch Burger',
  "Tom's Bistro",
  'Harbor',
  'Summit',
  'Cedar',
  'Prairie',
  'Lakeside',
  'Granite',
  'Riverbend',
  'Northwind',
  'Bluebird',
  'Keystone',
  'Maple',
  'Ironwood',
  'Silverline',
  'Oakridge',
  'Pinnacle',
  'Crescent',
  'Meridian',
  'Redwood',
  'Beacon',
  'Willow',
  'Frontier',
  'Atlas',
];

const companyKinds = [
  'Dental Group',
  'Law Office',
  'Accounting',
  'Family Clinic',
  'Realty',
  'Logistics',
  'Manufacturing',
  'Veterinary Hospital',
  'Credit Union',
  'Architects',
  'Insurance Agency',
  'Construction',
  'Public Library',
  'School District',
  'Engineering',
  'Pharmacy',
  'Auto Group',
  'Hotel',
  'Brewing Co.',
  'Nonprofit Alliance',
];

const cities: [string, string, string][] = [
  ['Indianapolis', 'IN', '46204'],
  ['Bloomington', 'IN', '47401'],
  ['Fargo', 'ND', '58102'],
  ['Bismarck', 'ND', '58501'],
  ['Columbus', 'OH', '43215'],
  ['Madison', 'WI', '53703'],
  ['Des Moines', 'IA', '50309'],
  ['Omaha', 'NE', '68102'],
  ['Springfield', 'IL', '62701'],
  ['Ann Arbor', 'MI', '48104'],
  ['Louisville', 'KY', '40202'],
  ['St. Paul', 'MN', '55102'],
];

const streets = [
  'Main St',
  'Oak Ave',
  'Elm St',
  'Washington Blvd',
  'Lake Rd',
  'Park Pl',
  'Market St',
];

function pick<T>(list: readonly T[], index: number): T {
  return list[index % list.length]!;
}

export function companyName(index: number): string {
  const stem = pick(companyStems, index);
  const kind = pick(companyKinds, Math.floor(index / companyStems.length) + index);
  const round = Math.floor(index / (companyStems.length * companyKinds.length));
  return round === 0 ? `${stem} ${kind}` : `${stem} ${kind} ${round + 1}`;
}

export function companyAddress(index: number) {
  const [city, region, postalCode] = pick(cities, index * 7);
  return {
    addressLine1: `${100 + ((index * 37) % 9000)} ${pick(streets, index * 3)}`,
    city,
    region,
    postalCode,
  };
}

export function personName(index: number): string {
  return `${pick(firstNames, index)} ${pick(lastNames, Math.floor(index / firstNames.length) + index * 3)}`;
}

export function emailFor(name: string, domainIndex: number, index: number): string {
  const local = name
    .toLowerCase()
    .replace(/[^a-z ]/g, '')
    .replace(' ', '.');
  return `${local}.${index}@${pick(companyStems, domainIndex)
    .toLowerCase()
    .replace(/[^a-z]/g, '')}-example.com`;
}

export function phoneFor(index: number): string {
  const n = (index * 7919) % 10000;
  return `(317) 555-${String(n).padStart(4, '0')}`;
}
