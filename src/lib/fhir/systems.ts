/**
 * The code systems and identifier systems the FHIR facade uses: the national OIDs where the
 * national care plan API names one, HL7's own code systems for statuses, and `https://dbep.example/fhir/CodeSystem/*`
 * for the register's own small vocabularies (goal categories, guidance levels, who changed).
 */
import type { CodeSystem } from '$lib/domain/plan';

/** Fødselsnummer and D-nummer. */
export const NATIONAL_ID_SYSTEM = 'urn:oid:2.16.578.1.12.4.1.4.1';
export const D_NUMBER_SYSTEM = 'urn:oid:2.16.578.1.12.4.1.4.2';
/** Helsepersonellnummer (HPR). */
export const HPR_SYSTEM = 'urn:oid:2.16.578.1.12.4.1.4.4';
/** HPR's categories of health personnel (the role a clinician acts in). */
export const HPR_ROLE_SYSTEM = 'urn:oid:2.16.578.1.12.4.1.1.9060';
export const SNOMED = 'http://snomed.info/sct';

/** The diagnosis code systems, both ways. */
export const CODE_SYSTEM_URI: Record<CodeSystem, string> = {
	'ICD-10': 'urn:oid:2.16.578.1.12.4.1.1.7110',
	'ICPC-2': 'urn:oid:2.16.578.1.12.4.1.1.7170',
	'SNOMED-CT': SNOMED
};
export const CODE_SYSTEM_OF: ReadonlyMap<string, CodeSystem> = new Map(Object.entries(CODE_SYSTEM_URI).map(([k, v]) => [v, k as CodeSystem]));

export const CONDITION_CLINICAL = 'http://terminology.hl7.org/CodeSystem/condition-clinical';
export const CONDITION_VERIFICATION = 'http://terminology.hl7.org/CodeSystem/condition-ver-status';

/** What a goal is (what matters / purpose / treatment / self-treatment), as the plan has it. */
export const GOAL_CATEGORY_SYSTEM = 'https://dbep.example/fhir/CodeSystem/goal-category';
/** The level of a "when to contact whom" guidance (green / yellow / red). */
export const GUIDANCE_LEVEL_SYSTEM = 'https://dbep.example/fhir/CodeSystem/guidance-level';
/** The care team role a measure's performing service has (home-care, gp, …). */
export const CARE_ROLE_SYSTEM = 'https://dbep.example/fhir/CodeSystem/care-role';
/** `meta.tag`: the stable id (OIDC subject) of who last changed a resource. */
export const CHANGED_BY_SYSTEM = 'https://dbep.example/fhir/CodeSystem/changed-by';
