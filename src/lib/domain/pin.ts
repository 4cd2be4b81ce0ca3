/** Why a PIN someone chose cannot be used. */
export type PinProblem = 'pin-format' | 'pin-mismatch';

/** The shortest and longest device PIN: short enough for one thumb, long enough with the attempt limit. */
export const PIN_LENGTH = { min: 4, max: 6 } as const;

const PIN = new RegExp(`^[0-9]{${PIN_LENGTH.min},${PIN_LENGTH.max}}$`);

/** Whether `pin` has the form of a device PIN: 4 to 6 digits and nothing else. */
export function isPinFormat(pin: string): boolean {
	return PIN.test(pin);
}

/** The problem with a chosen PIN and its repetition, or null when it can be used. */
export function choosePinProblem(pin: string, repeat: string): PinProblem | null {
	if (!isPinFormat(pin)) return 'pin-format';
	return pin === repeat ? null : 'pin-mismatch';
}
