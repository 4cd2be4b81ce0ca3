import type { ItemId, Month, PatientId } from './ids';

/**
 * Who did something (a stamp): the authenticated person's stable id at the identity provider
 * (OIDC `sub`, the same as the session user's id), display name, role, organisation and, for
 * clinicians, their HPR number (never the national ID). Stamps written before ids existed carry
 * no `id`, and are read and shown by name; every stamp written now has one (see `Actor`).
 */
export type PersonRef = {
	id?: string;
	name: string;
	role: Role;
	organisation: string | null;
	/** Helsepersonellnummer, on clinicians' stamps only. */
	hpr?: string | null;
};

/** The person a change is made by now: a stamp that always carries the id. */
export type Actor = PersonRef & { id: string };

/** Roles a person can act in. */
export type Role = CareRole | 'patient' | 'vendor-system';

/** Roles in a care team (behandlingsteam). */
export type CareRole = 'home-care' | 'gp' | 'specialist' | 'coordinator' | 'relative';

/** The roles of clinicians, who work in care teams and own the treatment plan. */
export const CLINICAL_ROLES: ReadonlySet<string> = new Set<CareRole>(['home-care', 'gp', 'specialist', 'coordinator']);

/** A value where a silent merge would be unsafe: it carries who set it and when. */
export type Stamped<T> = { value: T; by: PersonRef; at: string };

/*
 * Clinical texts and settings are replaced whole, never merged character by character: each edit
 * writes the field and, beside it, a `<field>Stamp` holding the same value with who set it and
 * when. Every field a clinician edits after an item is made has one (text, code, status, category,
 * target date, addresses, PLL reference, …), so each edit of an item names who made it and when. Two concurrent edits then leave two stamps at one key (`Automerge.getConflicts`), each
 * with its value, author and time, until a clinician chooses (see `conflicts.ts`). A stamp is
 * absent until the field's first edit, and in plans made before stamps existed.
 */

/**
 * Why an entry was marked entered in error, by whom and when: how anyone but its author corrects
 * an entry (the text stays, to be read as it was), before writing a new one.
 */
export type ErrorStamp = { by: PersonRef; at: string; reason: string };

/** Who wrote a "what matters" entry. */
export type WhatMattersAuthor = 'patient' | 'relative' | 'clinician-on-behalf';

/** "Hva er viktig for deg?": an entry in the patient's own words. */
export type WhatMattersEntry = {
	id: ItemId;
	text: string;
	writtenAs: WhatMattersAuthor;
	by: PersonRef;
	at: string;
	status: 'active' | 'entered-in-error';
	/** Set when someone marked it entered in error (absent while active, and before it existed). */
	errorStamp?: ErrorStamp;
};

export type CodeSystem = 'ICD-10' | 'ICPC-2' | 'SNOMED-CT';
export type Coding = { system: CodeSystem; code: string; display: string | null };

/** Diagnose/problem: text and an optional code. */
export type Diagnosis = {
	id: ItemId;
	text: string;
	code: Coding | null;
	status: 'active' | 'resolved' | 'entered-in-error';
	createdBy: PersonRef;
	createdAt: string;
	/** Who last set the text, and to what. */
	textStamp?: Stamped<string>;
	/** Who last set the code, and to what. */
	codeStamp?: Stamped<Coding | null>;
	/** Who last set the status, and to what. */
	statusStamp?: Stamped<'active' | 'resolved' | 'entered-in-error'>;
};

/** What a goal is: what matters, purpose (formål), treatment goal or self-treatment goal. */
export type GoalCategory = 'what-matters' | 'purpose' | 'treatment' | 'self-treatment';
export const GOAL_CATEGORIES: readonly GoalCategory[] = ['what-matters', 'purpose', 'treatment', 'self-treatment'];

/** A goal's lifecycle, after FHIR Goal.lifecycleStatus. */
export type GoalStatus = 'proposed' | 'active' | 'on-hold' | 'completed' | 'cancelled' | 'entered-in-error';
export const GOAL_STATUSES: readonly GoalStatus[] = ['proposed', 'active', 'on-hold', 'completed', 'cancelled', 'entered-in-error'];

/** Mål: a goal in the treatment or self-treatment plan. */
export type Goal = {
	id: ItemId;
	category: GoalCategory;
	text: string;
	expressedBy: PersonRef;
	status: Stamped<GoalStatus>;
	targetDate: string | null;
	addresses: ItemId[];
	createdAt: string;
	/** Who last set the text, the category, the target date and the diagnoses it addresses, and to what. */
	textStamp?: Stamped<string>;
	categoryStamp?: Stamped<GoalCategory>;
	targetDateStamp?: Stamped<string | null>;
	addressesStamp?: Stamped<ItemId[]>;
};

/** The six SNOMED CT self-care categories the national API uses. */
export type SelfCareCode = '182832007' | '384760004' | '229064008' | '122869004' | '390808007' | '313204009';
export const SELF_CARE_CODES: readonly SelfCareCode[] = ['182832007', '384760004', '229064008', '122869004', '390808007', '313204009'];

export type MeasureCategory = { kind: 'snomed'; code: SelfCareCode } | { kind: 'text'; text: string };

export type Weekday = 1 | 2 | 3 | 4 | 5 | 6 | 7;

/** How often a measure is done. Times are `HH:MM` in Europe/Oslo. */
export type Timing =
	| { kind: 'daily'; times: string[] }
	| { kind: 'weekly'; weekdays: Weekday[]; times: string[] }
	| { kind: 'yearly'; nextDue: string }
	| { kind: 'as-needed' };

/** Who carries out a measure: the patient (self-treatment) or a care team member or service. */
export type Performer =
	| { kind: 'patient' }
	| { kind: 'relative' }
	| { kind: 'service'; role: CareRole; name: string };

export type MeasureStatus = 'active' | 'on-hold' | 'completed' | 'entered-in-error';
export const MEASURE_STATUSES: readonly MeasureStatus[] = ['active', 'on-hold', 'completed', 'entered-in-error'];

/** A comment on the plan or on a measure. */
export type Comment = {
	id: ItemId;
	text: string;
	by: PersonRef;
	at: string;
	status: 'active' | 'entered-in-error';
	/** Set when someone marked it entered in error (absent while active, and before it existed). */
	errorStamp?: ErrorStamp;
};

/** Tiltak: a measure in the plan. */
export type Measure = {
	id: ItemId;
	title: string;
	description: string;
	category: MeasureCategory;
	timing: Timing;
	performer: Performer;
	addresses: ItemId[];
	status: Stamped<MeasureStatus>;
	/** Text pointing to the patient's medication list (PLL); never a dose. */
	pllReference: string | null;
	comments: Record<string, Comment>;
	createdBy: PersonRef;
	createdAt: string;
	/**
	 * Who last set the title, the description, the timing, the performer, the category, the
	 * diagnoses it addresses and the PLL reference, and to what.
	 */
	titleStamp?: Stamped<string>;
	descriptionStamp?: Stamped<string>;
	timingStamp?: Stamped<Timing>;
	performerStamp?: Stamped<Performer>;
	categoryStamp?: Stamped<MeasureCategory>;
	addressesStamp?: Stamped<ItemId[]>;
	pllReferenceStamp?: Stamped<string | null>;
};

/** A guidance level, told by colour and always also in words (see i18n `guidance`). */
export type GuidanceLevel = 'green' | 'yellow' | 'red';

/** Whom to call at a guidance level: a person or service, and a Norwegian phone number (stored as digits). */
export type GuidanceContact = { name: string; phone: string };

/** A guidance level's lifecycle: an ended level is kept, so the plan's history still shows it. */
export type GuidanceStatus = 'active' | 'ended';

/**
 * "When to contact whom": signs at one level, what to do, whom to call. Replaced whole on every
 * edit, so two concurrent edits stay two versions (Automerge conflicts) and never mix as text.
 */
export type ContactGuidance = {
	id: ItemId;
	level: GuidanceLevel;
	signs: string;
	action: string;
	/** Whom to call; plans made before name and phone were asked for hold one line of text. */
	contact: GuidanceContact | string;
	/** Absent in plans made before levels could be ended: the level is in force. */
	status?: GuidanceStatus;
	/** Who last set or ended the level, and when (absent in plans made before it was recorded). */
	by?: PersonRef;
	at?: string;
};

/** A member of the patient's care team. */
export type CareTeamMember = {
	id: ItemId;
	/**
	 * The member's user id at the identity provider (OIDC `sub`), which the register matches the
	 * logged-in user against for need-to-know; absent for members who do not log in (and in plans
	 * made before it existed).
	 */
	personId?: string | null;
	name: string;
	role: CareRole;
	organisation: string;
	active: boolean;
	addedBy: PersonRef;
	addedAt: string;
	/** Who ended the membership and when (absent while active, and in plans made before it existed). */
	endedBy?: PersonRef;
	endedAt?: string;
};

/** The patient's consent to having a plan, recorded by the clinician who creates it. */
export type Consent = {
	/** How it was given: in writing, or orally (noted by the clinician). */
	form: 'written' | 'oral';
	/** By the patient, or by the relative with proxy for a patient who cannot consent. */
	givenBy: 'patient' | 'proxy';
	recordedBy: PersonRef;
	at: string;
};

/** A clinician the patient has blocked (sperret): they may not see the plan, not even in an emergency. */
export type Block = {
	id: ItemId;
	/** The clinician's user id at the identity provider, which the register matches. */
	personId: string;
	name: string;
	organisation: string;
	active: boolean;
	by: PersonRef;
	at: string;
};

/**
 * The patient's privacy choices. Consent is recorded when the plan is created; blocks and the
 * restriction are the patient's (or proxy's) own, and only they may change them.
 */
export type Privacy = {
	consent: Consent | null;
	/** A restricted plan is seen by its care team only: no emergency access. */
	restricted: Stamped<boolean>;
	blocked: Record<string, Block>;
};

/** The patient the plan is about. */
export type Patient = {
	name: string;
	birthDate: string;
	nationalId: string;
	municipality: string;
};

/** Behandlings- og egenbehandlingsplan: one shared plan per patient, one Automerge document. */
export type Plan = {
	schema: 1;
	patientId: PatientId;
	patient: Patient;
	whatMatters: Record<string, WhatMattersEntry>;
	diagnoses: Record<string, Diagnosis>;
	goals: Record<string, Goal>;
	measures: Record<string, Measure>;
	contactGuidance: Record<string, ContactGuidance>;
	careTeam: Record<string, CareTeamMember>;
	/** Planansvarlig: the care team member responsible for the plan. */
	responsible: Stamped<ItemId | null>;
	comments: Record<string, Comment>;
	/** Absent in plans made before privacy choices existed (they count as consented, unrestricted). */
	privacy?: Privacy;
	createdAt: string;
};

/** One visit record: a measure carried out, or not done with a reason. */
export type LogEntry = {
	id: ItemId;
	measureId: ItemId;
	/** When it was carried out (or should have been). */
	at: string;
	/** The scheduled time it answers (`HH:MM`), when the measure has times. */
	slot: string | null;
	outcome: 'done' | 'not-done';
	note: string;
	reason: string | null;
	by: PersonRef;
	recordedAt: string;
	/** The entry this one corrects: the original stays, marked corrected. */
	corrects?: ItemId;
	/** Why the original was corrected (required on a correcting entry). */
	correctionReason?: string;
};

/** A patient's measure log for one month: high-churn records kept out of the plan's history. */
export type MeasureLog = {
	schema: 1;
	patientId: PatientId;
	month: Month;
	entries: Record<string, LogEntry>;
};

/** Who is acting and when: passed into every operation, since the domain reads no clock. */
export type Context = { by: Actor; at: string };
