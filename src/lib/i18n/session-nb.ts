/** Login, the device PIN, the inactivity lock and logout, in bokmål (the shape `session-en.ts` follows). */
export const sessionNb = {
	checking: 'Åpner …',
	login: {
		title: 'Logg inn',
		intro: 'Behandlingsplanen inneholder helseopplysninger. Logg inn for å se pasientene dine: helsepersonell med HelseID, pasienter og pårørende med ID-porten.',
		action: 'Logg inn',
		expired: 'Økten din er utløpt. Logg inn på nytt for å fortsette.',
		lockedOut: 'PIN-koden ble skrevet feil for mange ganger, og nettbrettet har glemt den. Logg inn på nytt.',
		needsNetwork: 'Innlogging krever nett. Koble til, så kan du logge inn.',
		unsentKept: (n: number) =>
			`${n === 1 ? '1 pasient' : `${n} pasienter`} har endringer på nettbrettet som ikke er sendt. De er tatt vare på og sendes når du har logget inn igjen.`
	},
	pin: {
		chooseTitle: 'Velg en PIN-kode for dette nettbrettet',
		chooseIntro: (minutes: number) =>
			`Appen låses når den ikke har vært brukt på ${minutes} minutter. Da åpner du den med PIN-koden, også uten nett. Velg 4 til 6 sifre.`,
		newPin: 'Ny PIN-kode (4–6 sifre)',
		repeat: 'Gjenta PIN-koden',
		save: 'Lagre PIN-koden',
		lockedTitle: 'Appen er låst',
		lockedFor: (name: string) => `Låst for ${name}. Skriv PIN-koden din for å åpne.`,
		pin: 'PIN-kode',
		unlock: 'Lås opp',
		checking: 'Sjekker PIN-koden …',
		wrong: (left: number) => `Feil PIN-kode. Du har ${left} forsøk igjen før du må logge inn på nytt.`,
		lockNow: 'Lås',
		problem: { 'pin-format': 'PIN-koden må være 4 til 6 sifre.', 'pin-mismatch': 'PIN-kodene er ikke like. Skriv den samme to ganger.' }
	},
	logout: {
		switchUser: 'Logg ut og bytt bruker',
		unsentCount: (n: number) => (n === 1 ? '1 pasient har endringer som ikke er sendt.' : `${n} pasienter har endringer som ikke er sendt.`),
		title: 'Endringer som ikke er sendt',
		intro: 'Når du logger ut, slettes pasientopplysningene fra nettbrettet. Disse endringene er ikke sendt til behandlingsplanregisteret ennå, og blir borte:',
		patient: (name: string, n: number) => `${name}: ${n === 1 ? '1 endring' : `${n} endringer`}`,
		unknownPatient: 'Ukjent pasient',
		advice: 'Koble til nettet og vent til statuslinjen viser «Alle endringer er sendt», så går ingenting tapt.',
		cancel: 'Avbryt og behold endringene',
		confirm: 'Logg ut og slett endringene',
		wiping: 'Logger ut og sletter pasientopplysningene fra nettbrettet …'
	}
};

export type SessionMessages = typeof sessionNb;
