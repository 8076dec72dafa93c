// Static tables for the synthetic data set: names, places, vaccines (CVX) and manufacturers (MVX).

export const GIVEN_FEMALE = [
	'Olivia', 'Emma', 'Ava', 'Sophia', 'Isabella', 'Mia', 'Amelia', 'Harper', 'Evelyn', 'Abigail',
	'Emily', 'Elizabeth', 'Sofia', 'Avery', 'Ella', 'Scarlett', 'Grace', 'Chloe', 'Victoria', 'Riley',
	'Aria', 'Lily', 'Aubrey', 'Zoey', 'Penelope', 'Layla', 'Nora', 'Camila', 'Hannah', 'Maria',
	'Linda', 'Barbara', 'Patricia', 'Susan', 'Margaret', 'Dorothy', 'Nancy', 'Karen', 'Ruth', 'Helen',
];

export const GIVEN_MALE = [
	'Liam', 'Noah', 'William', 'James', 'Oliver', 'Benjamin', 'Elijah', 'Lucas', 'Mason', 'Logan',
	'Alexander', 'Ethan', 'Jacob', 'Michael', 'Daniel', 'Henry', 'Jackson', 'Sebastian', 'Aiden', 'Matthew',
	'Samuel', 'David', 'Joseph', 'Carter', 'Owen', 'Wyatt', 'John', 'Jack', 'Luke', 'Jayden',
	'Robert', 'Richard', 'Charles', 'Thomas', 'George', 'Kenneth', 'Donald', 'Paul', 'Frank', 'Raymond',
];

export const FAMILY = [
	'Smith', 'Johnson', 'Williams', 'Brown', 'Jones', 'Garcia', 'Miller', 'Davis', 'Rodriguez', 'Martinez',
	'Hernandez', 'Lopez', 'Gonzalez', 'Wilson', 'Anderson', 'Thomas', 'Taylor', 'Moore', 'Jackson', 'Martin',
	'Lee', 'Perez', 'Thompson', 'White', 'Harris', 'Sanchez', 'Clark', 'Ramirez', 'Lewis', 'Robinson',
	'Walker', 'Young', 'Allen', 'King', 'Wright', 'Scott', 'Torres', 'Nguyen', 'Hill', 'Flores',
	'Green', 'Adams', 'Nelson', 'Baker', 'Hall', 'Rivera', 'Campbell', 'Mitchell', 'Carter', 'Roberts',
	"O'Brien", 'Müller', 'Kowalski', 'Nakamura', 'Okafor',
];

export const STREETS = [
	'Main St', 'Oak Ave', 'Maple Dr', 'Cedar Ln', 'Pine St', 'Elm St', 'Washington Blvd', 'Lake Rd',
	'Hillside Ave', 'Park Pl', 'Sunset Blvd', 'Church St', 'Mill Rd', 'River Rd', 'Highland Ave', 'Broadway',
];

/** [city, state, postalCode] */
export const PLACES: Array<[string, string, string]> = [
	['Boston', 'MA', '02118'],
	['Cambridge', 'MA', '02139'],
	['Springfield', 'IL', '62701'],
	['Chicago', 'IL', '60614'],
	['Austin', 'TX', '78701'],
	['Houston', 'TX', '77002'],
	['Denver', 'CO', '80202'],
	['Seattle', 'WA', '98101'],
	['Portland', 'OR', '97205'],
	['San Diego', 'CA', '92101'],
	['Sacramento', 'CA', '95814'],
	['Phoenix', 'AZ', '85004'],
	['Atlanta', 'GA', '30303'],
	['Miami', 'FL', '33130'],
	['Nashville', 'TN', '37203'],
	['Columbus', 'OH', '43215'],
	['Minneapolis', 'MN', '55401'],
	['Raleigh', 'NC', '27601'],
	['Richmond', 'VA', '23219'],
	['Albany', 'NY', '12207'],
];

export const PERFORMERS = [
	'Dr. Rachel Kim', 'Dr. Samuel Ortiz', 'Dr. Priya Natarajan', 'Nurse Angela Brooks, RN',
	'Nurse Tom Becker, RN', 'Dr. Helen Osei', 'Pharmacist Mark Liu, PharmD', 'Dr. Laura Fischer',
];

export const MVX: Record<string, string> = {
	MSD: 'Merck and Co., Inc.',
	SKB: 'GlaxoSmithKline',
	PMC: 'Sanofi Pasteur',
	PFR: 'Pfizer, Inc',
	MOD: 'Moderna US, Inc.',
	SEQ: 'Seqirus',
};

export interface VaccineDef {
	cvx: string;
	display: string;
	/** plausible age window in years [min, max] */
	age: [number, number];
	/** first date the product was in use (ISO date) */
	from: string;
	/** MVX codes that make it */
	mvx: string[];
	/** relative weight when picking */
	weight: number;
}

export const VACCINES: VaccineDef[] = [
	{ cvx: '08', display: 'Hep B, adolescent or pediatric', age: [0, 0.5], from: '1991-01-01', mvx: ['MSD', 'SKB'], weight: 3 },
	{ cvx: '20', display: 'DTaP', age: [0.16, 6], from: '1991-01-01', mvx: ['PMC', 'SKB'], weight: 5 },
	{ cvx: '10', display: 'IPV', age: [0.16, 6], from: '1987-01-01', mvx: ['PMC'], weight: 4 },
	{ cvx: '03', display: 'MMR', age: [1, 6], from: '1971-01-01', mvx: ['MSD'], weight: 2 },
	{ cvx: '21', display: 'varicella', age: [1, 6], from: '1995-03-17', mvx: ['MSD'], weight: 2 },
	{ cvx: '133', display: 'Pneumococcal conjugate PCV 13', age: [0.16, 1.5], from: '2010-02-24', mvx: ['PFR'], weight: 4 },
	{ cvx: '116', display: 'rotavirus, pentavalent', age: [0.16, 0.66], from: '2006-02-03', mvx: ['MSD'], weight: 3 },
	{ cvx: '83', display: 'Hep A, ped/adol, 2 dose', age: [1, 2.5], from: '1995-02-22', mvx: ['SKB', 'MSD'], weight: 2 },
	{ cvx: '62', display: 'HPV, quadrivalent', age: [9, 26], from: '2006-06-08', mvx: ['MSD'], weight: 3 },
	{ cvx: '115', display: 'Tdap', age: [11, 90], from: '2005-05-03', mvx: ['SKB', 'PMC'], weight: 3 },
	{ cvx: '141', display: 'Influenza, seasonal, injectable', age: [0.5, 100], from: '2004-09-01', mvx: ['SEQ', 'PMC', 'SKB'], weight: 10 },
	{
		cvx: '208',
		display: 'SARS-COV-2 (COVID-19) vaccine, mRNA, spike protein, LNP, preservative free, 30 mcg/0.3mL dose',
		age: [12, 100],
		from: '2020-12-11',
		mvx: ['PFR'],
		weight: 4,
	},
	{
		cvx: '207',
		display: 'SARS-COV-2 (COVID-19) vaccine, mRNA, spike protein, LNP, preservative free, 100 mcg/0.5mL dose',
		age: [18, 100],
		from: '2020-12-18',
		mvx: ['MOD'],
		weight: 3,
	},
	{ cvx: '114', display: 'meningococcal MCV4P', age: [11, 18], from: '2005-01-14', mvx: ['PMC'], weight: 2 },
];

/** Reasons a vaccine was not given (R4 statusReason, v3 ActReason). */
export const NOT_DONE_REASONS: Array<[string, string]> = [
	['IMMUNE', 'immunity'],
	['MEDPREC', 'medical precaution'],
	['OSTOCK', 'product out of stock'],
	['PATOBJ', 'patient objection'],
];
