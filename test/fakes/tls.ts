import { mkdtempSync, writeFileSync, existsSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { generate } from 'selfsigned';

export interface TestCertificate {
  key: string;
  cert: string;
  /** PEM file to hand to child processes as NODE_EXTRA_CA_CERTS. */
  caFile: string;
}

let pending: Promise<TestCertificate> | null = null;

/** A self-signed certificate for 127.0.0.1 and localhost, made once per test process. */
export function testCertificate(): Promise<TestCertificate> {
  pending ??= (async () => {
    const cached = process.env.BRANDWATCH_TEST_CERT_DIR;
    if (cached && existsSync(join(cached, 'key.pem'))) {
      return { key: readFileSync(join(cached, 'key.pem'), 'utf8'), cert: readFileSync(join(cached, 'cert.pem'), 'utf8'), caFile: join(cached, 'cert.pem') };
    }
    const pems = await generate([{ name: 'commonName', value: 'localhost' }], {
      keySize: 2048,
      algorithm: 'sha256',
      notAfterDate: new Date(Date.now() + 2 * 86_400_000),
      extensions: [
        { name: 'basicConstraints', cA: true },
        { name: 'keyUsage', keyCertSign: true, digitalSignature: true, keyEncipherment: true },
        { name: 'extKeyUsage', serverAuth: true },
        { name: 'subjectAltName', altNames: [{ type: 2, value: 'localhost' }, { type: 7, ip: '127.0.0.1' }] },
      ],
    });
    const dir = mkdtempSync(join(tmpdir(), 'brandwatch-tls-'));
    writeFileSync(join(dir, 'key.pem'), pems.private);
    writeFileSync(join(dir, 'cert.pem'), pems.cert);
    return { key: pems.private, cert: pems.cert, caFile: join(dir, 'cert.pem') };
  })();
  return pending;
}
