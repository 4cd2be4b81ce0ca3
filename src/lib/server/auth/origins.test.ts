import { describe, expect, it } from 'vitest';
import { servedOriginOf, servedOrigins } from './origins';

const lan = ['127.0.0.1', '::1', '192.168.1.20', 'fe80::1c2b:3ff:fe4d:5e6f', 'fd00::20'];

describe('servedOrigins', () => {
	it('with ORIGIN set serves that origin only, whatever the Host header says', () => {
		const origins = servedOrigins({ ORIGIN: 'https://dbep.example.no/', PORT: '3000' }, lan, 3000);
		expect(origins).toEqual({ canonical: 'https://dbep.example.no', all: ['https://dbep.example.no'], fixed: true });
		// Behind a proxy the Host header names the upstream: it must not matter.
		expect(servedOriginOf('dbep-app:3000', origins)).toBe('https://dbep.example.no');
	});

	it('without ORIGIN serves the loopback names and every interface address at the port, localhost first', () => {
		const origins = servedOrigins({ PORT: '4500', HOST: '0.0.0.0' }, lan, 3000);
		expect(origins.canonical).toBe('http://localhost:4500');
		expect(origins.all).toEqual(['http://localhost:4500', 'http://127.0.0.1:4500', 'http://[::1]:4500', 'http://192.168.1.20:4500', 'http://[fd00::20]:4500']);
		expect(servedOriginOf('127.0.0.1:4500', origins)).toBe('http://127.0.0.1:4500');
		expect(servedOriginOf('LOCALHOST:4500', origins)).toBe('http://localhost:4500');
		expect(servedOriginOf('192.168.1.20:4500', origins)).toBe('http://192.168.1.20:4500');
	});

	it('bound to loopback serves only the loopback names; bound to one address, only that address', () => {
		expect(servedOrigins({ PORT: '4500', HOST: '127.0.0.1' }, lan, 3000).all).toEqual(['http://localhost:4500', 'http://127.0.0.1:4500', 'http://[::1]:4500']);
		const one = servedOrigins({ PORT: '4500', HOST: '192.168.1.20' }, lan, 3000);
		expect(one).toEqual({ canonical: 'http://192.168.1.20:4500', all: ['http://192.168.1.20:4500'], fixed: false });
	});

	it('adds the hosts an operator allows, at the server’s port unless one is given', () => {
		const origins = servedOrigins({ PORT: '3000', HOST: '127.0.0.1', DBEP_ALLOWED_HOSTS: 'dbep.local, kontor-pc:8080 ,[fd00::9]' }, [], 3000);
		expect(origins.all.slice(3)).toEqual(['http://dbep.local:3000', 'http://kontor-pc:8080', 'http://[fd00::9]:3000']);
		expect(servedOriginOf('dbep.local:3000', origins)).toBe('http://dbep.local:3000');
	});

	it('refuses to start with a malformed allowed host', () => {
		expect(() => servedOrigins({ DBEP_ALLOWED_HOSTS: 'evil.example/path' }, [], 3000)).toThrow(/DBEP_ALLOWED_HOSTS/);
		expect(() => servedOrigins({ DBEP_ALLOWED_HOSTS: 'fd00::9' }, [], 3000)).toThrow(/DBEP_ALLOWED_HOSTS/);
	});
});

describe('servedOriginOf: a Host header the server does not serve never becomes an origin', () => {
	const origins = servedOrigins({ PORT: '4500', HOST: '0.0.0.0' }, lan, 3000);
	it.each([
		['a DNS-rebinding name', 'evil.example:4500'],
		['the right address at another port', '127.0.0.1:9999'],
		['user info smuggled in', 'evil.example@localhost:4500'],
		['a path smuggled in', 'localhost:4500/evil'],
		['spaces', 'localhost:4500 evil'],
		['no header', undefined],
		['an empty header', '']
	])('%s', (_, host) => {
		expect(servedOriginOf(host, origins)).toBeNull();
	});
});
