export async function profileFreshSync(_count: number, _port: number): Promise<void> {}
