import { expect, test } from './test';
import { pal } from '../src/lib/fixtures';
import { logIn, ranaNurse, wcagViolations } from './helpers';

const { nationalId } = pal.patient;
const masked = `${nationalId.slice(0, 6)} *****`;
const whole = `${nationalId.slice(0, 6)} ${nationalId.slice(6)}`;

test('the plan and its item forms name the patient by birth date and masked national ID, the whole ID a tap away', async ({ page }) => {
	await logIn(page, ranaNurse);
	await page.goto(`/patients/${pal.patientId}`);
	const identity = page.getByTestId('patient-identity');
	await expect(identity).toContainText('Født 03.05.1951');
	await expect(identity).toContainText(`Fødselsnummer: ${masked}`);
	await expect(identity).not.toContainText(whole);
	const reveal = identity.getByRole('button', { name: 'Vis hele fødselsnummeret' });
	await expect(reveal).toHaveAttribute('aria-pressed', 'false');
	const box = await reveal.boundingBox();
	expect(box?.height).toBeGreaterThanOrEqual(44);
	expect(box?.width).toBeGreaterThanOrEqual(44);
	expect(await wcagViolations(page)).toEqual([]);

	await reveal.click();
	await expect(reveal).toHaveAttribute('aria-pressed', 'true');
	await expect(identity).toContainText(`Fødselsnummer: ${whole}`);
	expect(await wcagViolations(page)).toEqual([]);
	await reveal.click();
	await expect(identity).toContainText(masked);

	await page.getByRole('link', { name: 'Legg til tiltak' }).click();
	const onForm = page.getByTestId('patient-identity');
	await expect(onForm).toContainText(pal.patient.name);
	await expect(onForm).toContainText(`Født 03.05.1951`);
	await expect(onForm).toContainText(masked);
	await onForm.getByRole('button', { name: 'Vis hele fødselsnummeret' }).click();
	await expect(onForm).toContainText(whole);
});
