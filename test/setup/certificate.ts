import { dirname } from 'node:path';
import { testCertificate } from '../fakes/tls.js';

/**
 * One test certificate for the whole run, made before the test processes start, so each of them trusts it
 * from birth (NODE_EXTRA_CA_CERTS is read at start-up): HTTPS fakes then work in-process too.
 */
export default async function setup(): Promise<void> {
  const { caFile } = await testCertificate();
  process.env.BRANDWATCH_TEST_CERT_DIR = dirname(caFile);
  process.env.NODE_EXTRA_CA_CERTS = caFile;
}
