import { isTooLong, limitOf, type Reason } from '$lib/domain/reasons';
import { refusalRuleOf, type SyncReason } from '$lib/sync/protocol';
import type { LocalSyncProblem } from '$lib/sync/sync-state';
import type { WriteProblem } from '$lib/storage/doc-store';
import { en } from './en';
import { nb, type Messages } from './nb';

export type Locale = 'nb' | 'en';
const MESSAGES: Record<Locale, Messages> = { nb, en };
const KEY = 'dbep-locale';
// Formatters are costly to create and cheap to reuse: one per language, made once.
const formats = (tag: string) => ({
	date: new Intl.DateTimeFormat(tag, { timeZone: 'Europe/Oslo', day: 'numeric', month: 'long', year: 'numeric' }),
	time: new Intl.DateTimeFormat(tag, { timeZone: 'Europe/Oslo', hour: '2-digit', minute: '2-digit' })
});
const FORMATS: Record<Locale, ReturnType<typeof formats>> = { nb: formats('nb-NO'), en: formats('en-GB') };

function stored(): Locale {
	try {
		const v = globalThis.localStorage?.getItem(KEY);
		return v === 'en' || v === 'nb' ? v : 'nb';
	} catch {
		return 'nb';
	}
}

/** The interface language: bokmål unless the user chose English on this device. */
class I18n {
	locale = $state<Locale>(stored());
	readonly m: Messages = $derived(MESSAGES[this.locale]);
	readonly locales: readonly Locale[] = ['nb', 'en'];

	/** Switches language, remembers it on the device, and sets `<html lang>`. */
	set(locale: Locale): void {
		this.locale = locale;
		try {
			localStorage.setItem(KEY, locale);
		} catch {
			// Private mode: the choice lasts for this page only.
		}
		document.documentElement.lang = locale;
	}

	nameOf(locale: Locale): string {
		return MESSAGES[locale].languageName;
	}

	/** A reason from anywhere in the app (inputs, storage, sync), as a sentence in the current language. */
	messageFor(reason: Reason | SyncReason | LocalSyncProblem | WriteProblem): string {
		if (isTooLong(reason)) return this.m.formChecks.tooLong(limitOf(reason));
		return this.m.reason[reason];
	}

	/** Why the register refused a set-aside version, in plain words: the rule it broke where known, else the reason. */
	refusalFor(reason: SyncReason, detail: string): string {
		const rule = reason === 'change-refused' ? refusalRuleOf(detail) : null;
		return (rule && this.m.setAside.rules[rule]) || this.m.setAside.because[reason] || this.messageFor(reason);
	}

	/** A date (`YYYY-MM-DD` or an instant) in the current language's format, Oslo time. */
	date(value: string): string {
		const d = value.length === 10 ? new Date(`${value}T12:00:00Z`) : new Date(value);
		return FORMATS[this.locale].date.format(d);
	}

	/** A clock time of an instant, Oslo time. */
	time(value: string): string {
		return FORMATS[this.locale].time.format(new Date(value));
	}
}

export const i18n = new I18n();
