import type { SessionMessages } from './session-nb';

/** Login, the device PIN, the inactivity lock and logout, in English. */
export const sessionEn: SessionMessages = {
	checking: 'Opening …',
	login: {
		title: 'Log in',
		intro: 'The treatment plan holds health information. Log in to see your patients: clinicians with HelseID, patients and relatives with ID-porten.',
		action: 'Log in',
		expired: 'Your session has expired. Log in again to continue.',
		lockedOut: 'The PIN was entered wrongly too many times, and this tablet has forgotten it. Log in again.',
		needsNetwork: 'Logging in needs a network. Connect, and you can log in.',
		unsentKept: (n: number) =>
			`${n === 1 ? '1 patient has' : `${n} patients have`} changes on this tablet that have not been sent. They are kept and will be sent once you have logged in again.`
	},
	pin: {
		chooseTitle: 'Choose a PIN for this tablet',
		chooseIntro: (minutes: number) =>
			`The app locks when it has not been used for ${minutes} minutes. You then open it with the PIN, also without a network. Choose 4 to 6 digits.`,
		newPin: 'New PIN (4–6 digits)',
		repeat: 'Repeat the PIN',
		save: 'Save the PIN',
		lockedTitle: 'The app is locked',
		lockedFor: (name: string) => `Locked for ${name}. Enter your PIN to open it.`,
		pin: 'PIN',
		unlock: 'Unlock',
		checking: 'Checking the PIN …',
		wrong: (left: number) => `Wrong PIN. You have ${left} ${left === 1 ? 'try' : 'tries'} left before you must log in again.`,
		lockNow: 'Lock',
		problem: { 'pin-format': 'The PIN must be 4 to 6 digits.', 'pin-mismatch': 'The PINs are not the same. Enter the same one twice.' }
	},
	logout: {
		switchUser: 'Log out and switch user',
		unsentCount: (n: number) => (n === 1 ? '1 patient has changes that are not sent.' : `${n} patients have changes that are not sent.`),
		title: 'Changes not sent',
		intro: 'Logging out deletes the patient information from this tablet. These changes have not been sent to the treatment plan register yet, and will be lost:',
		patient: (name: string, n: number) => `${name}: ${n === 1 ? '1 change' : `${n} changes`}`,
		unknownPatient: 'Unknown patient',
		advice: 'Connect to the network and wait until the status bar shows “All changes have been sent”, and nothing is lost.',
		cancel: 'Cancel and keep the changes',
		confirm: 'Log out and delete the changes',
		wiping: 'Logging out and deleting the patient information from this tablet …'
	}
};
