/** Emergency access this device was given, so the patient list can show until when (the register enforces it). */
export type EmergencyGrant = { patientId: string; name: string; until: string };

const KEY = 'dbep.emergency';

/** The grants still running at `now`. */
export function runningEmergencies(now = new Date()): EmergencyGrant[] {
	try {
		const value: unknown = JSON.parse(localStorage.getItem(KEY) ?? '[]');
		if (!Array.isArray(value)) return [];
		return value.filter(
			(g): g is EmergencyGrant =>
				typeof g === 'object' && g !== null && typeof g.patientId === 'string' && typeof g.name === 'string' && typeof g.until === 'string' && Date.parse(g.until) > now.getTime()
		);
	} catch {
		return [];
	}
}

/** Notes a grant (dropping those that ended). */
export function rememberEmergency(grant: EmergencyGrant): void {
	const others = runningEmergencies().filter((g) => g.patientId !== grant.patientId);
	localStorage.setItem(KEY, JSON.stringify([...others, grant]));
}

/** Forgets every grant (logout wipes the device: the patients' names go with it). */
export function forgetEmergencies(): void {
	localStorage.removeItem(KEY);
}
