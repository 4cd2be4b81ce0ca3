import type { FieldErrors } from '$lib/domain/reasons';

/** The ARIA attributes that tie a control to its validation message. */
export function invalid(errors: FieldErrors, name: string, id = name): { 'aria-invalid'?: 'true'; 'aria-describedby'?: string } {
	return errors[name] ? { 'aria-invalid': 'true', 'aria-describedby': `${id}-error` } : {};
}
