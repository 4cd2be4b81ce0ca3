import type { RawFields } from '$lib/domain/inputs';

/** A submitted form's fields as the domain's input parsers take them (repeated names as lists). */
export function formFields(form: HTMLFormElement): RawFields {
	const data = new FormData(form);
	const raw: RawFields = {};
	for (const key of new Set(data.keys())) {
		const values = data.getAll(key).filter((v): v is string => typeof v === 'string');
		raw[key] = values.length > 1 ? values : values[0];
	}
	return raw;
}
