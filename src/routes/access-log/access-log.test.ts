import { describe, expect, it } from 'vitest';
import { viaOf } from './access-log';

describe('viaOf', () => {
	it('reads the system an access came through from the line, and nothing for the app’s own', () => {
		expect(viaOf({ detail: 'FHIR read ServiceRequest/x; via EPJ Bodø legesenter (dbep-demo-ehr)' })).toBe('EPJ Bodø legesenter (dbep-demo-ehr)');
		expect(viaOf({ detail: 'via EPJ (c)' })).toBe('EPJ (c)');
		expect(viaOf({ detail: 'akutt: pasienten er bevisstløs' })).toBeNull();
		expect(viaOf({ detail: '' })).toBeNull();
	});
});
